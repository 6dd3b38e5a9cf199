"""The real process: `python -m bot run` long-polling a loopback Bot API, and a clean SIGTERM."""
from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from bot.tg.app import LOCAL_TOKEN
from bot.tg.fakeapi import FakeBotAPI, LoopbackServer
from tests.conftest import ROOT



async def _wait_for(predicate, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.05)


async def _start_bot(tmp_path, **extra_env: str):
    """A loopback Bot API and `python -m bot run` talking to it, as a separate process."""
    api = FakeBotAPI()
    server = await LoopbackServer(api).start()
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "TELEGRAM_BOT_TOKEN": LOCAL_TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "BOT_DATA_DIR": str(tmp_path / "data"),
        **extra_env,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    return api, server, proc


@pytest.mark.process
async def test_run_polls_answers_and_stops_cleanly_on_sigterm(tmp_path):
    api, server, proc = await _start_bot(tmp_path)
    try:
        users = [FakeBotAPI.user(5005, "Vanna", "en"), FakeBotAPI.user(5006, "Dara", "en"), FakeBotAPI.user(5007, "Kosal", "en")]
        api.push_text(users[0], "/start")
        await _wait_for(lambda: len(api.sent(5005)) >= 1)
        assert any(r.method == "setMyCommands" for r in api.requests)  # post_init ran under run_polling

        def answered() -> int:
            return sum(len(api.sent(u["id"])) for u in users) - 1  # less the answer to /start

        # A burst of updates (more than the 8 handled at once), then SIGTERM while they are in
        # hand: every one is answered. Production pacing (about one message a second per chat
        # after a burst of three) holds answers back; three chats keep that to about two seconds.
        for i in range(12):
            api.push_text(users[i % 3], f"how much does a passport cost {i}")
        await _wait_for(lambda: not api.has_pending_updates() or answered() > 0)
        proc.send_signal(signal.SIGTERM)
        at_signal = answered()
        code = await asyncio.wait_for(proc.wait(), 60)
        stderr = (await proc.stderr.read()).decode()
        assert code == 0, stderr[-3000:]
        assert "Traceback" not in stderr
        assert LOCAL_TOKEN not in stderr  # the token never reaches the logs
        fetched = 12 - len([u for u in api._updates if "message" in u])
        assert answered() == fetched and answered() > 0
        assert answered() > at_signal  # some were still in hand at SIGTERM, and the shutdown waited for them
        assert api.refused() == []
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()


async def test_in_process_polling_against_loopback(settings, catalog_services):
    """The Updater's long polling (not process_update) delivers and answers updates, over loopback HTTP."""
    from bot.tg.app import build_application
    from bot.services import Services

    api = FakeBotAPI()
    server = await LoopbackServer(api).start()
    s = settings.with_(token=LOCAL_TOKEN, api_base_url=server.base_url)
    app = build_application(s, services=Services(s, catalog=catalog_services.catalog))
    try:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            user = FakeBotAPI.user(6006, "Srey", "km")
            api.push_text(user, "/start")
            await _wait_for(lambda: len(api.sent(6006)) == 1, 20)
            api.push_callback(user, "t:hotlines")
            await _wait_for(lambda: len(api.sent(6006)) >= 2, 20)
            await app.updater.stop()
            await app.stop()
        assert api.pending_callbacks == set() and api.refused() == []
    finally:
        app.bot_data["services"].storage.close()
        await server.stop()


@pytest.mark.process
async def test_webhook_mode_sets_the_webhook_and_answers_posted_updates(tmp_path):
    import json
    import socket

    import httpx

    from bot.tg.webhook import webhook_path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api, server, proc = await _start_bot(
        tmp_path,
        BOT_WEBHOOK_URL="https://bot.example.org/hook",
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
        BOT_WEBHOOK_SECRET="s3cret-token_1",
    )
    try:
        await _wait_for(lambda: any(r.method == "setWebhook" and r.ok for r in api.requests))
        hook = next(r for r in api.requests if r.method == "setWebhook")
        path = webhook_path(LOCAL_TOKEN)
        assert hook.params["url"] == f"https://bot.example.org/hook/{path}"
        assert hook.params["secret_token"] == "s3cret-token_1"
        assert LOCAL_TOKEN.split(":")[1] not in hook.params["url"]
        update = api.push_text(FakeBotAPI.user(9009, "Dara", "en"), "/start")
        url = f"http://127.0.0.1:{port}/{path}"
        async with httpx.AsyncClient() as client:
            for _ in range(100):  # the web server may start a moment after setWebhook
                try:
                    bad = await client.post(url, content=json.dumps(update), headers={"Content-Type": "application/json"})
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            assert bad.status_code == 403  # no secret: refused
            good = await client.post(url, content=json.dumps(update), headers={
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"})
            assert good.status_code == 200
        await _wait_for(lambda: len(api.sent(9009)) == 1)
        assert "Hello!" in api.sent(9009)[0].params["text"]
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        assert api.refused() == []
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
