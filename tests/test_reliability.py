"""Faults: Telegram errors, dropped connections, timeouts, a crashing handler, a locked database, floods.

Telegram's error answers run in-process (the harness's default transport); connections that
drop and client timeouts also run over real HTTP on 127.0.0.1 (``http=True``, an HTTP ``request``).
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import pytest
from telegram.request import HTTPXRequest

from bot.cli.logs import ScrubbingFormatter
from bot.tg.fakeapi import FakeBotAPI, InProcessRequest
from bot.storage.database import DB_FILE
from tests.conftest import running_bot

USER = FakeBotAPI.user(4004, "Bopha", "en")


def _answers(api, chat_id=4004):
    return [r for r in api.sent(chat_id)]


@pytest.mark.parametrize(
    "fault, http",
    [
        (dict(code=500, times=2), False),
        (dict(code=502, times=1), False),
        (dict(code=429, retry_after=1, times=1), False),
        (dict(kind="drop", times=2), True),  # a real connection closed without an answer
        (dict(kind="drop", times=2), False),  # the in-process transport's NetworkError
    ],
    ids=["500", "502", "429", "drop-http", "drop-in-process"],
)
async def test_send_message_failures_are_retried_and_sent_once(settings, catalog_services, fault, http):
    async with running_bot(settings, catalog_services, http=http) as h:
        h.api.fail_next("sendMessage", **fault)
        started = time.monotonic()
        sent = await h.say("how much does a passport cost", user=USER)
        assert len(sent) == 1 and "passport" in sent[0]["plain"].lower()
        assert len(_answers(h.api)) == 1  # delivered once, not twice
        if fault.get("code") == 429:
            assert time.monotonic() - started >= 1.0  # retry_after respected


@pytest.mark.parametrize("transport", ["http", "in-process"])
async def test_timeout_is_retried_and_sent_once(settings, catalog_services, transport):
    if transport == "http":
        request = HTTPXRequest(connection_pool_size=8, read_timeout=0.5, write_timeout=2, connect_timeout=2)
    else:
        request = InProcessRequest(FakeBotAPI(), read_timeout=0.5)
    async with running_bot(settings, catalog_services, request=request) as h:
        h.api.fail_next("sendMessage", kind="timeout", delay=1.0)
        sent = await h.say("how much does a passport cost", user=USER)
        assert len(sent) == 1 and len(_answers(h.api)) == 1


async def test_answer_callback_query_and_edit_are_retried(settings, catalog_services):
    async with running_bot(settings, catalog_services, http=True) as h:
        await h.say("/start", user=USER)
        h.api.fail_next("answerCallbackQuery", code=500, times=2)
        sent = await h.press("t:passport", user=USER)
        assert sent and h.api.pending_callbacks == set()
        message = h.api.last_message(4004)
        h.api.fail_next("editMessageText", kind="drop")
        edited = await h.app.bot.edit_message_text("edited", chat_id=4004, message_id=message["message_id"])
        assert edited.text == "edited"


async def test_bad_request_is_not_retried(settings, catalog_services):
    async with running_bot(settings, catalog_services, check=False) as h:
        from telegram.error import BadRequest

        with pytest.raises(BadRequest):
            await h.app.bot.send_message(4004, "<b>broken", parse_mode="HTML")
        assert len([r for r in h.api.requests if r.method == "sendMessage"]) == 1


async def test_a_crashing_handler_tells_the_user_and_the_bot_goes_on(settings, catalog_services, monkeypatch, caplog):
    from bot.conversation import answers

    real = answers.answer_question
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom with secret 012 345 678")
        return real(*args, **kwargs)

    monkeypatch.setattr(answers, "answer_question", flaky)
    async with running_bot(settings, catalog_services) as h:
        with caplog.at_level(logging.ERROR):
            sent = await h.say("my phone is 012 345 678, how much is a passport", user=USER)
        assert len(sent) == 1 and "went wrong" in sent[0]["plain"]
        assert "RuntimeError" in caplog.text
        assert "Bopha" not in caplog.text and "how much is a passport" not in caplog.text
        sent = await h.say("how much does a passport cost", user=USER)
        assert "passport" in sent[0]["plain"].lower()


async def test_locked_database_does_not_stop_answers_and_loses_nothing(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("/start", user=USER)
        blocker = sqlite3.connect(str(settings.data_dir / DB_FILE), timeout=0)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            sent = await h.say("how much does a passport cost", user=USER)
            assert len(sent) == 1 and "passport" in sent[0]["plain"].lower()
            assert h.services.storage.flush() is False  # the disk refuses; rows stay in memory
            assert h.services.storage.pending > 0
        finally:
            blocker.rollback()
            blocker.close()
        await h.say("thank you", user=USER)
        assert h.services.storage.flush() is True
        assert h.services.storage.pending == 0
        kinds = [r["text"] for r in h.services.storage.events(kinds=["question"])]
        assert "how much does a passport cost" in kinds


async def test_flood_gets_one_polite_slow_down_and_others_are_unaffected(settings, catalog_services):
    flood_settings = settings.with_(flood_limit=20, flood_window=10.0)
    async with running_bot(flood_settings, catalog_services) as h:
        sent_to_flooder = []
        for i in range(50):
            sent_to_flooder += await h.say(f"passport {i}", user=USER)
        slow = [m for m in sent_to_flooder if "very fast" in m["plain"]]
        assert len(slow) == 1
        assert len(sent_to_flooder) == 21  # 20 answers, then one notice, then silence
        other = FakeBotAPI.user(4005, "Kosal", "en")
        sent = await h.say("how much does a passport cost", user=other)
        assert len(sent) == 1 and "passport" in sent[0]["plain"].lower()


async def test_private_chat_pacing_with_production_limits(settings, catalog_services):
    """About one message a second per chat after a burst of three (lower bound only)."""
    async with running_bot(settings.with_(rate_limit=True), catalog_services) as h:
        started = time.monotonic()
        await asyncio.gather(*(h.app.bot.send_message(4004, f"m{i}") for i in range(6)))
        assert time.monotonic() - started >= 2.0
        assert len(h.api.sent(4004)) == 6


def test_token_is_redacted_from_every_log_record():
    token = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "POST https://api.telegram.org/bot%s/getUpdates", (token,), None)
    line = ScrubbingFormatter("%(message)s", token).format(record)
    assert token not in line and "<token>" in line and "getUpdates" in line
