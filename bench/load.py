"""Load benchmark: 100 users sending 10 questions each as fast as they can, over the loopback Bot API.

The driver plays Telegram (bot/fakeapi.py) and the users; each bot runs as its own
process exactly as in production (`python -m bot run`, long polling). Each user sends
the next question as soon as the previous one is answered. The same run measures a
plain python-telegram-bot echo bot (bench/echo_bot.py) as the baseline, and prints
both side by side:

    .venv/bin/python bench/load.py [--users 100] [--questions 10] [--rate-limit off|on]

Telegram's own limits (30 messages a second overall, about one a second per chat)
would cap any bot far below what it can process, so by default both bots run
without them (BOT_RATE_LIMIT=off) and the figures measure the bot itself; with
`--rate-limit on` the project's bot runs with its production limits as well.
Figures are printed, never asserted: machines here are noisy.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tg.app import LOCAL_TOKEN  # noqa: E402
from bot.content.loader import load_content  # noqa: E402
from bot.tg.fakeapi import FakeBotAPI, LoopbackServer, Recorded  # noqa: E402


def question_pool() -> list[str]:
    """Realistic questions in all three scripts, plus some the bot must not answer."""
    content = load_content(ROOT / "content", validate=False)
    pool = [q for t in content.topics.values() for lang in ("en", "km", "km-latn") for q in t.questions[lang][:4]]
    pool += ["who won the football", "weather tomorrow phnom penh", "ម្ហូបខ្មែរឆ្ងាញ់", "tngai nis pleang te"]
    return pool


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def run_one(name: str, cmd: list[str], users: int, per_user: int, extra_env: dict[str, str], seed: int) -> dict:
    api = FakeBotAPI()
    server = await LoopbackServer(api).start()
    rng = random.Random(seed)
    pool = question_pool()
    sent_at: dict[int, float] = {}
    remaining = {1_000_000 + u: per_user for u in range(users)}
    latencies: list[float] = []
    done = asyncio.Event()
    ready = asyncio.Event()
    profiles = {uid: FakeBotAPI.user(uid, f"U{uid}", rng.choice(["km", "en", None])) for uid in remaining}

    def ask(uid: int) -> None:
        remaining[uid] -= 1
        sent_at[uid] = time.perf_counter()
        api.push_text(profiles[uid], rng.choice(pool))

    def on_request(rec: Recorded) -> None:
        if rec.method == "deleteWebhook" or rec.method == "getMe":
            ready.set()
        if rec.method != "sendMessage" or not rec.ok:
            return
        uid = int(rec.params["chat_id"])
        started = sent_at.pop(uid, None)
        if started is None:
            return  # a second message for the same question (e.g. a long answer split in two)
        latencies.append(time.perf_counter() - started)
        if remaining.get(uid, 0) > 0:
            ask(uid)
        elif len(latencies) == users * per_user:
            done.set()

    api.on_request = on_request
    data = tempfile.mkdtemp(prefix=f"load-{name}-")
    env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
           "TELEGRAM_BOT_TOKEN": LOCAL_TOKEN, "TELEGRAM_API_BASE_URL": server.base_url, "BOT_DATA_DIR": data,
           "BOT_LOG_LEVEL": "WARNING", "BOT_FLOOD_LIMIT": "10000", "PYTHONPATH": str(ROOT), **extra_env}
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.PIPE)
    try:
        await asyncio.wait_for(ready.wait(), 60)
        while not any(r.method == "getUpdates" for r in api.requests) and not api.requests:
            await asyncio.sleep(0.01)
        startup = time.perf_counter() - t0
        start = time.perf_counter()
        cpu_start = time.process_time()
        bot_cpu_start = cpu_seconds(proc.pid)
        for uid in remaining:
            ask(uid)
        try:
            await asyncio.wait_for(done.wait(), 600)
        except asyncio.TimeoutError:
            pass
        elapsed = time.perf_counter() - start
        driver_cpu = (time.process_time() - cpu_start) / elapsed if elapsed else 0.0
        bot_cpu_ms = (cpu_seconds(proc.pid) - bot_cpu_start) * 1000 / max(1, len(latencies))
        rss = peak_rss_mb(proc.pid)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    latencies.sort()
    answered = len(latencies)
    return {
        "name": name,
        "answered": answered,
        "asked": users * per_user,
        "throughput": answered / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan"),
        "rss_mb": rss,
        "startup_s": startup,
        "exit": code,
        "refused": len(api.refused()),
        "driver_cpu": driver_cpu,
        "bot_cpu_ms": bot_cpu_ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--rate-limit", choices=["off", "on"], default="off",
                        help="run the project's bot with Telegram's production limits (caps throughput near 30/s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median round is reported")
    args = parser.parse_args()
    py = sys.executable
    runs = [
        ("echo (plain PTB)", [py, str(ROOT / "bench/echo_bot.py")], {}),
        ("safe-migration bot", [py, "-m", "bot", "run"], {"BOT_RATE_LIMIT": args.rate_limit}),
    ]
    # Rounds alternate echo and ours, so a change in background load hits both alike;
    # the round with the median ratio is reported.
    rounds = []
    for r in range(args.rounds):
        pair = [asyncio.run(run_one(name, cmd, args.users, args.questions, env, args.seed + r)) for name, cmd, env in runs]
        ratio = pair[1]["throughput"] / pair[0]["throughput"] if pair[0]["throughput"] else 0.0
        rounds.append((ratio, pair))
        print(f"round {r + 1}: echo {pair[0]['throughput']:.1f}/s, ours {pair[1]['throughput']:.1f}/s, ratio {ratio:.2f}", flush=True)
    rounds.sort(key=lambda x: x[0])
    echo, ours = rounds[len(rounds) // 2][1]
    print()
    print(f"Load: {args.users} users x {args.questions} questions, each user asks again as soon as answered "
          f"(rate limits {'on' if args.rate_limit == 'on' else 'off'} for the project's bot)\n")
    print(f"{'':28}{echo['name']:>20}{ours['name']:>22}")
    rows = [
        ("answered", "{answered}/{asked}"),
        ("throughput (answers/s)", "{throughput:.1f}"),
        ("median reply latency (ms)", "{p50_ms:.1f}"),
        ("p99 reply latency (ms)", "{p99_ms:.1f}"),
        ("peak RSS (MB)", "{rss_mb:.0f}"),
        ("start-up to first poll (s)", "{startup_s:.2f}"),
        ("refused requests", "{refused}"),
        ("bot CPU per answer (ms)", "{bot_cpu_ms:.2f}"),
        ("stand-in's CPU share", "{driver_cpu:.0%}"),
        ("exit code after SIGTERM", "{exit}"),
    ]
    for label, fmt in rows:
        print(f"{label:28}{fmt.format(**echo):>20}{fmt.format(**ours):>22}")
    ratio = ours["throughput"] / echo["throughput"] if echo["throughput"] else 0.0
    all_answered = ours["answered"] == ours["asked"]
    print(f"\nthroughput ratio (ours / echo): {ratio:.2f}  target >= 0.80  {'PASS' if ratio >= 0.8 else 'FAIL'}")
    print(f"every question answered: {'PASS' if all_answered else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
