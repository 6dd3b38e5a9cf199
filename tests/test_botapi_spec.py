"""The loopback Bot API validates against the official spec (tests/data/telegram-bot-api.json)."""
from __future__ import annotations

import importlib.util
import json

import pytest

from bot.tg.fakeapi import FakeBotAPI, Refused
from tests.conftest import ROOT

OFFICIAL = json.loads((ROOT / "tests/data/telegram-bot-api.json").read_text(encoding="utf-8"))


def test_shipped_extract_matches_the_official_spec():
    spec = importlib.util.spec_from_file_location("extract", ROOT / "tests/data/extract_botapi_spec.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shipped = json.loads((ROOT / "bot/data/botapi.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(mod.extract(OFFICIAL))), "run tests/data/extract_botapi_spec.py"
    assert set(shipped["methods"]) == set(OFFICIAL["methods"])


def test_limits_come_from_the_official_descriptions():
    api = FakeBotAPI()
    assert api.methods["sendMessage"]["fields"]["text"]["limit"] == [1, 4096, "characters"]
    assert api.methods["answerCallbackQuery"]["fields"]["text"]["limit"] == [0, 200, "characters"]
    assert "callback_data" in api.button_fields


@pytest.mark.parametrize(
    "method, params, reason",
    [
        ("sendMessag", {"chat_id": 1, "text": "x"}, "method not found"),
        ("sendMessage", {"chat_id": 1}, 'parameter "text" is required'),
        ("sendMessage", {"chat_id": 1, "text": "x", "colour": "red"}, 'unknown parameter "colour"'),
        ("sendMessage", {"chat_id": 1, "text": "x" * 4097}, "text must be 1-4096"),
        ("sendMessage", {"chat_id": 1, "text": "<b>x", "parse_mode": "HTML"}, "can't parse entities"),
        ("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]}}, "BUTTON_DATA_INVALID"),
        ("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a"}]]}}, "exactly one action"),
        ("answerCallbackQuery", {"callback_query_id": "1", "text": "x" * 201}, "text must be 0-200"),
    ],
)
async def test_refuses_what_telegram_refuses(method, params, reason):
    api = FakeBotAPI()
    with pytest.raises(Refused, match=reason):
        await api.call(method, params)
    assert api.refused()[-1].method == method


async def test_accepts_a_valid_message_and_counts_khmer_by_characters():
    api = FakeBotAPI()
    text = "ក" * 4096  # 4,096 characters but 12,288 bytes: Telegram counts characters
    message = await api.call("sendMessage", {"chat_id": 1, "text": text})
    assert message["text"] == text and api.refused() == []


async def test_in_process_and_http_transports_hand_the_api_the_same_requests(settings, catalog_services):
    """The tests' default transport (in-process) checks as much as HTTP: one conversation, run over
    loopback HTTP and in-process, reaches the fake Bot API as the same calls with the same
    parameters, and the bot sees the same answers."""
    from tests.conftest import running_bot

    user = FakeBotAPI.user(3003, "Dara", "km")
    script = [("say", "/start"), ("say", "how much does a passport cost"), ("press", "t:hotlines"), ("press", "l:en"),
              ("say", "តើធ្វើលិខិតឆ្លងដែនអស់ប៉ុន្មាន?"), ("say", "<b>&amp; 😀 \u200b"), ("say", "/privacy"), ("press", "m")]
    seen = {}
    for http in (True, False):
        s = settings.with_(data_dir=settings.data_dir / ("http" if http else "in-process"))
        async with running_bot(s, catalog_services, http=http) as h:
            assert (h.server is not None) == http
            replies = [await (h.say(arg, user=user) if kind == "say" else h.press(arg, user=user)) for kind, arg in script]
            seen[http] = [(r.method, r.params, r.ok, r.error) for r in h.api.requests], replies
    assert len(seen[True][0]) > len(script)
    assert seen[False] == seen[True]
