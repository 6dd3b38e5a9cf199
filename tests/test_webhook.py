"""Webhook mode over real HTTP on 127.0.0.1 (security audit F1, F2, F13).

Most tests run our webhook server in-process against the loopback Bot API; one starts the
real ``python -m bot run`` process without ``BOT_WEBHOOK_SECRET`` and stops it with SIGTERM.
Requests are written byte by byte on a socket, so what is compared is what a prober sees.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
from dataclasses import dataclass

import httpx
import pytest
from telegram import Update

from bot.tg.app import LOCAL_TOKEN, build_application
from bot.tg.fakeapi import FakeBotAPI, LoopbackServer
from bot.services import Services
from bot.tg.webhook import MAX_BODY, SECRET_HEADER, WebhookServer, webhook_path
from tests.test_run import _start_bot, _wait_for

ADMIN = FakeBotAPI.user(42, "Editor", "en")  # conftest's settings: admin_ids={42}
DARA = FakeBotAPI.user(9009, "Dara", "en")
PATH = "/" + webhook_path(LOCAL_TOKEN)


@dataclass
class Hook:
    api: FakeBotAPI
    server: WebhookServer
    secret: str  # as Telegram was told it in setWebhook

    @property
    def port(self) -> int:
        return self.server.port

    def sent(self, chat_id: int | None = None) -> list:
        return self.api.sent(chat_id)


@contextlib.asynccontextmanager
async def serving(settings, catalog_services, *, secret: str | None = None, accept=None):
    """The production application behind our webhook server on a free port, talking to a loopback Bot API."""
    api = FakeBotAPI()
    loopback = await LoopbackServer(api).start()
    s = settings.with_(token=LOCAL_TOKEN, api_base_url=loopback.base_url, webhook_url="https://bot.example.org/hook",
                       webhook_listen="127.0.0.1", webhook_port=0, webhook_secret=secret)
    app = build_application(s, services=Services(s, catalog=catalog_services.catalog))
    server = WebhookServer(app, s, accept=accept)
    await server.start()
    try:
        hook = next(r for r in api.requests if r.method == "setWebhook")
        yield Hook(api, server, hook.params["secret_token"])
    finally:
        await server.stop()
        await loopback.stop()
    assert api.refused() == [], [(r.method, r.error) for r in api.refused()]


def request(method: str = "POST", target: str = PATH, *, secret: str | None = None, body: bytes = b"",
            headers: dict[str, str] | None = None, length: bool = True) -> bytes:
    """One HTTP/1.1 request as bytes (nothing added or normalized by a client library)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1:8443", "Content-Type: application/json"]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send ``data``, read until the server closes; fail if it keeps the connection (e.g. waits for a body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        got = bytearray()

        async def read_to_end() -> None:
            with contextlib.suppress(ConnectionResetError):
                while chunk := await reader.read(65536):
                    got.extend(chunk)

        try:
            await asyncio.wait_for(read_to_end(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"the server did not answer and close within {timeout}s; got {bytes(got[:200])!r}") from None
        return bytes(got)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def without_date(raw: bytes) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n")
    return b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"date:")) + sep + body


def update_bytes(api: FakeBotAPI, user: dict, text: str) -> bytes:
    return json.dumps(api.push_text(user, text)).encode()


async def post(port: int, body: bytes, secret: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://127.0.0.1:{port}{PATH}", content=body, headers=headers)


# --- F1: no secret configured -------------------------------------------------------------


async def test_without_a_configured_secret_one_is_generated_and_forged_admin_updates_are_refused(
        settings, catalog_services, caplog):
    caplog.set_level("DEBUG")
    async with serving(settings, catalog_services, secret=None) as hook:
        calls = [r for r in hook.api.requests if r.method == "setWebhook"]
        assert len(calls) == 1
        params = calls[0].params
        assert params["url"] == f"https://bot.example.org/hook{PATH}"
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", params["secret_token"])
        assert params["allowed_updates"] == ["message", "callback_query"]
        assert not params.get("drop_pending_updates")
        assert any(r.method == "setMyCommands" for r in hook.api.requests)  # post_init ran

        forged = update_bytes(hook.api, ADMIN, "/stats")
        assert (await post(hook.port, forged, None)).status_code == 403
        assert (await post(hook.port, forged, "x" * len(hook.secret))).status_code == 403
        assert (await post(hook.port, forged, hook.secret[:-1])).status_code == 403
        await asyncio.sleep(0.3)
        assert hook.sent() == []  # nothing reached the application, nothing went to any chat

        good = await post(hook.port, forged, hook.secret)
        assert good.status_code == 200 and good.content == b""
        await _wait_for(lambda: len(hook.sent(42)) >= 1, 20)
        assert "No data yet" in hook.sent(42)[0].params["text"]
        assert {r.params["chat_id"] for r in hook.sent()} == {42}

    assert "secret was generated for this run" in caplog.text
    assert hook.secret not in caplog.text  # not even in PTB's DEBUG log of the setWebhook call


async def test_a_new_secret_every_start_and_the_configured_one_when_set(settings, catalog_services):
    async with serving(settings, catalog_services) as first:
        pass
    async with serving(settings, catalog_services) as second:
        pass
    assert first.secret != second.secret
    async with serving(settings, catalog_services, secret="s3cret-token_1") as configured:
        assert configured.secret == "s3cret-token_1"


# --- F2 and F13: every refusal is the same, decided before the body is read ---------------


async def test_every_refusal_is_byte_identical_and_needs_no_body(settings, catalog_services):
    async with serving(settings, catalog_services) as hook:
        body = update_bytes(hook.api, DARA, "/start")
        wrong = "".join("A" if c != "A" else "B" for c in hook.secret)  # same length, every character wrong
        cases = {
            "missing secret": request(body=body),
            "wrong secret, same length": request(secret=wrong, body=body),
            "empty secret": request(secret="", body=body),
            "secret twice": request(secret=hook.secret, body=body, headers={SECRET_HEADER: hook.secret}),
            "wrong path": request(target="/tg-" + "0" * 32, secret=hook.secret, body=body),
            "root path": request(target="/", secret=hook.secret, body=body),
            "trailing slash": request(target=PATH + "/", secret=hook.secret, body=body),
            "query string": request(target=PATH + "?x=1", secret=hook.secret, body=body),
            "GET": request("GET", secret=hook.secret, body=body),
            "HEAD": request("HEAD", secret=hook.secret, length=False),
            "PUT": request("PUT", secret=hook.secret, body=body),
            "unknown method": request("BREW", secret=hook.secret, body=body),
            # Declared too large: the answer comes at once, although no body byte was sent.
            "Content-Length over the cap": request(secret=hook.secret, headers={"Content-Length": str(MAX_BODY + 1)},
                                                   length=False),
            "Content-Length 100 MiB": request(secret=hook.secret, headers={"Content-Length": str(100 * 2**20)},
                                              length=False),
            "Content-Length not a number": request(secret=hook.secret, headers={"Content-Length": "12abc"},
                                                   length=False),
            "no Content-Length": request(secret=hook.secret, length=False) + body,
            "Content-Length and chunked": request(secret=hook.secret, body=body,
                                                  headers={"Transfer-Encoding": "chunked"}),
            "gzip transfer coding": request(secret=hook.secret, headers={"Transfer-Encoding": "gzip"}, length=False),
        }
        answers = {name: await exchange(hook.port, data) for name, data in cases.items()}
        reference = answers["missing secret"]
        assert reference.startswith(b"HTTP/1.1 403 "), reference
        assert reference.endswith(b"\r\n\r\n")  # empty body
        assert b"\r\ncontent-length: 0\r\n" in reference.lower() and b"\r\nconnection: close\r\n" in reference.lower()
        assert b"server:" not in reference.lower()  # nothing names the software
        for name, raw in answers.items():
            assert without_date(raw) == without_date(reference), (name, raw)
        await asyncio.sleep(0.3)
        assert hook.sent() == []
        # ...and the same update, sent properly, is answered: only the refusals made the difference.
        assert (await post(hook.port, body, hook.secret)).status_code == 200
        await _wait_for(lambda: len(hook.sent(9009)) == 1, 20)


async def test_chunked_bodies_are_refused_once_they_pass_the_cap(settings, catalog_services):
    async with serving(settings, catalog_services) as hook:
        reference = await exchange(hook.port, request(body=b"{}"))
        head = request(secret=hook.secret, headers={"Transfer-Encoding": "chunked"}, length=False)
        piece = 16 * 1024
        n = MAX_BODY // piece + 1  # one chunk past the cap, and no terminating chunk: the server must not wait
        many_small = head + (f"{piece:x}\r\n".encode() + b" " * piece + b"\r\n") * n
        # One chunk that declares 10 MiB: refused by our count, not by the HTTP layer's own limit.
        one_huge = head + f"{10 * 2**20:x}\r\n".encode() + b" " * (MAX_BODY + 64 * 1024)
        for data in (many_small, one_huge):
            raw = await exchange(hook.port, data)
            assert without_date(raw) == without_date(reference), raw
        # A chunked body under the cap is read and answered.
        body = update_bytes(hook.api, DARA, "/start")
        half = len(body) // 2
        ok = await exchange(hook.port, head.replace(b"Content-Type", b"Connection: close\r\nContent-Type", 1)
                            + f"{half:x}\r\n".encode() + body[:half] + b"\r\n"
                            + f"{len(body) - half:x}\r\n".encode() + body[half:] + b"\r\n0\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200 "), ok
        await _wait_for(lambda: len(hook.sent(9009)) == 1, 20)


async def test_bodies_that_are_not_updates_are_refused_the_same_way_and_the_bot_keeps_serving(
        settings, catalog_services, caplog):
    async with serving(settings, catalog_services) as hook:
        reference = await exchange(hook.port, request(body=b"{}"))
        bad = [b"{not json", b"\xff\xfe\x00garbage", b"", b"[1, 2]", b'"text"', b'{"update_id": "7"}',
               b'{"update_id": true}', b'{"message": {}}', b'{"update_id": 7, "message": "not an object"}',
               b"[" * 100_000]
        for body in bad:
            raw = await exchange(hook.port, request(secret=hook.secret, body=body))
            assert without_date(raw) == without_date(reference), (body[:40], raw)
        assert "is not a Telegram update" in caplog.text
        assert "not an object" not in caplog.text and "{not json" not in caplog.text  # bodies are never logged
        for i in range(3):  # still serving
            assert (await post(hook.port, update_bytes(hook.api, DARA, f"/start {i}"), hook.secret)).status_code == 200
        await _wait_for(lambda: len(hook.sent(9009)) == 3, 20)
        assert hook.sent(None) == hook.sent(9009)


# --- the accept hook: acknowledged means taken over ---------------------------------------


async def test_telegram_gets_200_only_after_accept_returns_and_a_failed_accept_is_a_refusal(settings, catalog_services):
    accepted: list[dict] = []
    release = asyncio.Event()
    fail = False

    async def accept(update_json: dict) -> None:
        if fail:
            raise OSError("inbox full")
        await release.wait()
        accepted.append(update_json)

    async with serving(settings, catalog_services, accept=accept) as hook:
        reference = await exchange(hook.port, request(body=b"{}"))
        update = hook.api.push_text(DARA, "/start")
        answer = asyncio.create_task(post(hook.port, json.dumps(update).encode(), hook.secret))
        await asyncio.sleep(0.3)
        assert not answer.done()  # not acknowledged while accept is still working
        release.set()
        assert (await answer).status_code == 200
        assert accepted == [update]  # the JSON exactly as Telegram sent it
        fail = True
        raw = await exchange(hook.port, request(secret=hook.secret, body=json.dumps(update).encode()))
        assert without_date(raw) == without_date(reference)  # not acknowledged: Telegram will send it again


async def test_stop_waits_for_the_update_in_hand_and_answers_every_acknowledged_one(settings, catalog_services):
    entered = asyncio.Event()
    hooks: list[Hook] = []

    async def slow_accept(update_json: dict) -> None:
        """The default hand-over, slowed down (as a durable inbox write may be)."""
        entered.set()
        await asyncio.sleep(0.5)
        app = hooks[0].server.app
        await app.update_queue.put(Update.de_json(update_json, app.bot))

    users = [FakeBotAPI.user(7000 + i, "U", "en") for i in range(6)]
    async with serving(settings, catalog_services, accept=slow_accept) as hook:
        hooks.append(hook)
        answers = await asyncio.gather(*(post(hook.port, update_bytes(hook.api, u, "how much does a passport cost"),
                                              hook.secret) for u in users[:5]))
        assert [a.status_code for a in answers] == [200] * 5
        entered.clear()
        in_hand = asyncio.create_task(post(hook.port, update_bytes(hook.api, users[5], "how much does a passport cost"), hook.secret))
        await asyncio.wait_for(entered.wait(), 5)
        port = hook.port
    # stop() ran while the last update was being handed over: it waited for it, so it was
    # acknowledged, and every acknowledged update was answered before the shutdown.
    assert (await in_hand).status_code == 200
    assert [len(hook.sent(u["id"])) for u in users] == [1] * 6, [(r.method, r.params.get("chat_id")) for r in hook.api.requests]
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)  # nothing listens any more


# --- the real process -------------------------------------------------------------------


@pytest.mark.process
async def test_real_process_without_secret_refuses_forged_admin_updates_and_stops_cleanly_on_sigterm(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api, loopback, proc = await _start_bot(
        tmp_path, BOT_WEBHOOK_URL="https://bot.example.org/hook", BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port), BOT_ADMIN_IDS="42",
    )
    try:
        await _wait_for(lambda: any(r.method == "setWebhook" and r.ok for r in api.requests))
        secret = next(r for r in api.requests if r.method == "setWebhook").params.get("secret_token") or ""
        assert len(secret) >= 32
        forged = update_bytes(api, ADMIN, "/stats")
        for _ in range(100):  # the server listens a moment after setWebhook
            try:
                refused = await post(port, forged, None)
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.1)
        assert refused.status_code == 403
        assert (await post(port, forged, "A" * len(secret))).status_code == 403
        await asyncio.sleep(0.5)
        assert api.sent() == []
        assert (await post(port, forged, secret)).status_code == 200
        await _wait_for(lambda: len(api.sent(42)) >= 1)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 60)
        stderr = (await proc.stderr.read()).decode()
        assert code == 0, stderr[-3000:]
        assert "Traceback" not in stderr
        assert "secret was generated for this run" in stderr
        assert secret not in stderr and LOCAL_TOKEN not in stderr
        assert api.refused() == []
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await loopback.stop()


async def test_a_taken_port_is_a_clear_error_not_a_traceback(settings, catalog_services):
    import socket

    from bot.tg.webhook import WebhookError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        api = FakeBotAPI()
        loopback = await LoopbackServer(api).start()
        s = settings.with_(token=LOCAL_TOKEN, api_base_url=loopback.base_url, webhook_url="https://bot.example.org/hook",
                           webhook_listen="127.0.0.1", webhook_port=port)
        app = build_application(s, services=Services(s, catalog=catalog_services.catalog))
        try:
            with pytest.raises(WebhookError, match=f"127.0.0.1:{port}.*BOT_WEBHOOK_PORT"):
                await WebhookServer(app, s).start()
        finally:
            await loopback.stop()
