"""Hostile and odd input: thousands of generated updates through the real Application.

Zero unhandled exceptions (the error handler is never reached) and zero requests
the Bot API would refuse.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from telegram import Update

from tests.conftest import running_bot

IDS = itertools.count(1)
USER_IDS = st.integers(min_value=1, max_value=2**40)
LANG_CODES = st.one_of(st.none(), st.sampled_from(["km", "en", "th", "ko", "km-KH", "zz", ""]))
CHAT_TYPES = st.sampled_from(["private", "private", "private", "group", "supergroup", "channel"])
ANY_TEXT = st.text(min_size=1, max_size=4096)
CONTROL = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=50)
KHMERISH = st.text(alphabet=st.characters(min_codepoint=0x1780, max_codepoint=0x17FF) | st.sampled_from(" \u200b\u200c\u200d?"), min_size=1, max_size=300)
COMMANDS = st.builds(
    lambda name, junk: f"/{name}{' ' + junk if junk else ''}",
    st.sampled_from(["start", "help", "menu", "language", "hotlines", "checks", "cancel", "privacy", "forget", "stats",
                     "reload", "unanswered", "x", "start@SafeMigrationKHBot", "Start"]),
    st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["checklist--tag", "emergency", "--", "a" * 200, "checklist--é"])),
)
CALLBACK_DATA = st.one_of(
    st.text(max_size=100),
    st.sampled_from(["m", "L", "l:km", "l:en", "g", "x", "r", "p", "fg:ask", "fg:no", "t:passport", "s:hotlines", "c:korea",
                     "f:checklist", "fb:passport:0", "fb:passport:1", "a:AAAAAA:passport:0", "t:", "a::::", "l:fr"]),
    st.builds(lambda k, a: f"{k}:{a}", st.sampled_from(["t", "s", "f", "a", "fb", "c", "l", "fg"]), st.text(max_size=70)),
)


def _user(uid, lang):
    u = {"id": uid, "is_bot": False, "first_name": "Fuzz"}
    if lang is not None:
        u["language_code"] = lang
    return u


@st.composite
def message_updates(draw):
    uid = draw(USER_IDS)
    chat_type = draw(CHAT_TYPES)
    chat = {"id": uid if chat_type == "private" else -draw(USER_IDS), "type": chat_type}
    if chat_type != "private":
        chat["title"] = "group"
    text = draw(st.one_of(ANY_TEXT, CONTROL, KHMERISH, COMMANDS))
    message = {"message_id": next(IDS), "date": int(time.time()), "chat": chat, "text": text}
    if chat_type != "channel":
        message["from"] = _user(uid, draw(LANG_CODES))
    if text.startswith("/") and draw(st.booleans()):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0].encode("utf-16-le")) // 2}]
    kind = "channel_post" if chat_type == "channel" else draw(st.sampled_from(["message", "message", "message", "edited_message"]))
    if kind == "edited_message":
        message["edit_date"] = message["date"] + 1
    return {"update_id": next(IDS), kind: message}


@st.composite
def callback_updates(draw):
    uid = draw(USER_IDS)
    user = _user(uid, draw(LANG_CODES))
    query = {"id": str(next(IDS)), "from": user, "chat_instance": "x", "data": draw(CALLBACK_DATA)}
    if draw(st.booleans()):
        query["message"] = {"message_id": next(IDS), "date": int(time.time()), "chat": {"id": uid, "type": "private"}, "text": "old"}
    return {"update_id": next(IDS), "callback_query": query}


@st.composite
def odd_updates(draw):
    uid = draw(USER_IDS)
    chat = {"id": uid, "type": "private"}
    base = {"message_id": next(IDS), "date": int(time.time()), "chat": chat, "from": _user(uid, draw(LANG_CODES))}
    extra = draw(st.sampled_from([
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        {"location": {"latitude": 11.55, "longitude": 104.92}},
        {"contact": {"phone_number": "+85512345678", "first_name": "X"}},
        {"new_chat_members": [{"id": 5, "is_bot": False, "first_name": "Y"}]},
        {},
    ]))
    update = {"update_id": next(IDS), "message": {**base, **extra}}
    if draw(st.booleans()):  # update kinds the bot does not handle, including ones not invented yet
        update = {"update_id": next(IDS), **draw(st.sampled_from([
            {"message_reaction_count_x": {"chat": {"id": 1}}},
            {"future_update_kind": {"id": "1"}},
            {"business_message_x": {"anything": [1, 2]}},
        ]))}
    return update


class ErrorCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def fuzz_bot(tmp_path_factory, catalog_services):
    """A running bot in its own event loop, driven synchronously so hypothesis can call it."""
    from bot.config import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("fuzz"), secret_key="fuzz-secret-0123456789", rate_limit=False,
                        flood_limit=10_000, admin_ids=frozenset({42}))
    loop = asyncio.new_event_loop()
    ctx = running_bot(settings, catalog_services)
    h = loop.run_until_complete(ctx.__aenter__())
    counter = ErrorCounter()
    logging.getLogger("handlers.errors").addHandler(counter)

    def feed(update: dict) -> None:
        loop.run_until_complete(h.app.process_update(Update.de_json(update, h.app.bot)))

    yield h, feed, counter
    logging.getLogger("handlers.errors").removeHandler(counter)
    loop.run_until_complete(ctx.__aexit__(None, None, None))
    loop.close()


FUZZ = settings(max_examples=1100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                derandomize=True)


@FUZZ
@given(message_updates())
def test_fuzz_messages(fuzz_bot, update):
    h, feed, counter = fuzz_bot
    feed(update)
    assert counter.records == [], counter.records[-1].getMessage()
    assert h.api.refused() == [], [(r.method, r.error) for r in h.api.refused()]


@FUZZ
@given(callback_updates())
def test_fuzz_button_presses(fuzz_bot, update):
    h, feed, counter = fuzz_bot
    feed(update)
    assert counter.records == [], counter.records[-1].getMessage()
    assert h.api.refused() == [], [(r.method, r.error) for r in h.api.refused()]
    assert update["callback_query"]["id"] not in h.api.pending_callbacks or "message" not in update["callback_query"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@given(odd_updates())
def test_fuzz_odd_updates(fuzz_bot, update):
    h, feed, counter = fuzz_bot
    feed(update)
    assert counter.records == [] and h.api.refused() == []
