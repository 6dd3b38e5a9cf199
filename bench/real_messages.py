"""Realistic messages, measured the way a user meets the bot: `python -m bot ask --json`, one message a line.

    .venv/bin/python bench/real_messages.py [--set tests/data/sealed_real/real_v1.yaml] [--baseline REV]

The sealed set was written by a separate writer who never saw the example questions:
measure it once, never tune on it. Per script and per kind it prints top-1 (the answered
topic is acceptable; for out of scope: nothing answered), one tap (answered right, or an
acceptable topic among the first three suggestion buttons), urgent recall (an urgent
message's reply leads with emergency help), false alarms (an ordinary message's reply does),
out-of-scope fallback, and matching time; with ``--baseline REV`` the same for the code at
that git revision (a temporary worktree, run with this virtualenv), side by side.
Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "data" / "sealed_real" / "real_v1.yaml"


def ask_all(tree: Path, messages: list[str]) -> list[dict]:
    """Every message through ``python -m bot ask --json`` of the tree at ``tree``."""
    env = {**os.environ, "BOT_CONTENT_DIR": str(tree / "content"), "PYTHONPATH": str(tree)}
    lines = "\n".join(m.replace("\n", " ") for m in messages) + "\n"
    with tempfile.TemporaryDirectory() as data:
        env["BOT_DATA_DIR"] = data
        out = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input=lines, capture_output=True,
                             text=True, cwd=tree, env=env, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if len(rows) != len(messages):
        raise SystemExit(f"{tree}: {len(rows)} answers for {len(messages)} messages")
    return rows


def score(items: list[dict], rows: list[dict]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for item, row in zip(items, rows):
        for g in ("all", f"lang:{item['lang']}", f"kind:{item['kind']}"):
            groups[g].append((item, row))
    out: dict[str, dict[str, float]] = {}
    for g, pairs in groups.items():
        top1 = tap = 0
        urgent_n = urgent_hit = ordinary_n = alarms = oos_n = oos_fell = 0
        for item, row in pairs:
            ok = set(item["topics"] or ())
            answered = row.get("topic")
            right = (answered in ok) if ok else answered is None
            top1 += right
            offered = (row.get("suggestions") or [])[:3]
            tap += right or bool(ok & set(offered))
            if item.get("urgent"):
                urgent_n += 1
                urgent_hit += bool(row.get("urgent"))
            else:
                ordinary_n += 1
                alarms += bool(row.get("urgent"))
            if not ok:
                oos_n += 1
                oos_fell += answered is None
        n = len(pairs)
        out[g] = {
            "n": n,
            "top1": top1 / n,
            "one_tap": tap / n,
            "urgent_recall": urgent_hit / urgent_n if urgent_n else float("nan"),
            "false_alarms": alarms / ordinary_n if ordinary_n else float("nan"),
            "oos_fallback": oos_fell / oos_n if oos_n else float("nan"),
        }
    return out


def timing(items: list[dict], rows: list[dict]) -> dict[str, float]:
    ms = [r.get("ms", 0.0) for r in rows]
    long_ms = [r.get("ms", 0.0) for i, r in zip(items, rows) if len(i["q"]) >= 200]
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [ms[0]] * 99
    out = {"median_ms": statistics.median(ms), "p99_ms": q[98]}
    if long_ms:
        out["long_n"] = len(long_ms)
        out["long_max_ms"] = max(long_ms)
    return out


def worktree(rev: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True, capture_output=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default=str(DEFAULT_SET), help="the question set (YAML list of q, lang, kind, topics, urgent)")
    ap.add_argument("--baseline", metavar="REV", help="also measure the code at this git revision")
    args = ap.parse_args()
    items = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))
    messages = [str(i["q"]) for i in items]
    runs = {"this tree": ask_all(ROOT, messages)}
    base_path = None
    if args.baseline:
        base_path = worktree(args.baseline)
        try:
            runs[f"at {args.baseline}"] = ask_all(base_path, messages)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_path)], cwd=ROOT, capture_output=True)
    scores = {name: score(items, rows) for name, rows in runs.items()}
    names = list(runs)
    print(f"{len(items)} messages from {args.set}\n")
    metrics = ("top1", "one_tap", "urgent_recall", "false_alarms", "oos_fallback")
    header = f"{'group':22} {'n':>4}  " + "  ".join(f"{m:>13}" for m in metrics)
    for name in names:
        print(f"== {name}")
        print(header)
        for g in sorted(scores[name], key=lambda k: (k != "all", k)):
            s = scores[name][g]
            print(f"{g:22} {s['n']:>4}  " + "  ".join(f"{s[m]:>13.3f}" for m in metrics))
        t = timing(items, runs[name])
        print("timing: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in t.items()) + "\n")


if __name__ == "__main__":
    main()
