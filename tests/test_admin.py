"""Admin commands in Telegram: /reload, /stats, /unanswered for BOT_ADMIN_IDS only."""
from __future__ import annotations

import shutil

import pytest

from bot.config import Settings
from bot.tg.fakeapi import FakeBotAPI
from tests.conftest import ROOT

pytestmark = pytest.mark.asyncio

ADMIN = FakeBotAPI.user(42, "Editor", "en")  # the settings fixture's admin_ids is {42}
EN = FakeBotAPI.user(2002, "John", "en", "john_uk")
EN_PASSPORT = "how much does a passport cost?"
OFF_TOPIC = [
    "tell me a joke about cats", "what is the capital of france", "how tall is mount everest", "who painted the mona lisa",
    "what is the best pizza topping", "how do volcanoes erupt", "recommend a good movie to watch tonight",
    "how many legs does a spider have", "why is the sky blue", "what is the speed of light", "how do i bake bread",
    "who invented the telephone",
]


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Overrides conftest's: content in a temporary copy, so a test can break and fix it.

    Pacing and flood control off, as in conftest's (tests/test_reliability.py covers both).
    """
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return Settings(data_dir=tmp_path / "data", content_dir=content, secret_key="test-secret-key-0123456789",
                    admin_ids=frozenset({42}), rate_limit=False, flood_limit=10_000)


def _strip(messages: list[dict]) -> list[tuple[str, object]]:
    return [(m["plain"], m.get("reply_markup")) for m in messages]


@pytest.mark.parametrize("command", ["/stats", "/unanswered", "/reload", "/stats 30d", "/unanswered 2025-01-01"])
async def test_admin_commands_refused_like_unknown_commands(harness, command):
    unknown = await harness.say("/doesnotexist", user=EN)
    refused = await harness.say(command, user=EN)
    assert _strip(refused) == _strip(unknown)
    assert "/hotlines" in refused[0]["plain"]  # the help text, nothing about admin commands
    assert harness.services.storage.events(kinds=["admin"]) == []


async def test_stats_for_admin(harness):
    await harness.say(EN_PASSPORT, user=EN)
    await harness.say("who won the football match last night?", user=EN)
    await harness.press("fb:passport:1", user=EN)
    sent = await harness.say("/stats", user=ADMIN)
    text = "\n".join(m["plain"] for m in sent)
    assert "statistics" in text and "Period:" in text
    assert "Users: 1" in text  # the admin's own /stats is not counted as use
    assert "answered 1 (50.0%)" in text and "fallback 1 (50.0%)" in text
    assert "passport (Getting a passport)" in text
    assert "helpful 1, not helpful 0" in text
    rows = harness.services.storage.events(kinds=["admin"])
    assert [r["detail"] for r in rows] == ["stats"]

    sent = await harness.say("/stats 30d", user=ADMIN)
    assert "Users: 1" in sent[0]["plain"]


async def test_stats_for_admin_with_no_data(harness):
    sent = await harness.say("/stats", user=ADMIN)
    assert "No data yet" in sent[0]["plain"]
    sent = await harness.say("/unanswered", user=ADMIN)
    assert "No unanswered questions" in sent[0]["plain"]


async def test_bad_period_is_explained(harness):
    sent = await harness.say("/stats last-week", user=ADMIN)
    assert "not a date or a period" in sent[0]["plain"] and "/stats 30d" in sent[0]["plain"]
    sent = await harness.say("/unanswered 2099-01-01", user=ADMIN)
    assert "in the future" in sent[0]["plain"]


async def test_unanswered_for_admin_top_ten_masked(harness):
    for q in OFF_TOPIC:
        sent = await harness.say(q, user=EN)
        assert "don't know" in sent[0]["plain"] or "not sure I understood" in sent[0]["plain"], q
    phone_user = FakeBotAPI.user(4004, "Vanna", "en")
    await harness.say("who won the football match last night? call me on 012 345 678 or sokha@example.com", user=phone_user)
    await harness.say("who won the football match last night?", user=EN)
    sent = await harness.say("/unanswered", user=ADMIN)
    text = "\n".join(m["plain"] for m in sent)
    assert "Unanswered questions, since" in text
    assert " 1. 2× (2 users) “who won the football match last night?”" in text
    assert "also: “who won the football match last night? call me on [number] or [email]”" in text
    assert "012 345 678" not in text and "sokha@example.com" not in text
    assert "10. " in text and "11. " not in text
    assert "… and 3 more groups" in text


@pytest.mark.parametrize("broken", ["titel:\n", "title: [unclosed\n"], ids=["schema-error", "yaml-syntax-error"])
async def test_reload_with_broken_content_keeps_the_old_content_answering(harness, settings, broken):
    sent = await harness.say(EN_PASSPORT, user=EN)
    assert sent[0]["plain"].startswith("Getting a passport")
    old_catalog = harness.services.catalog

    passport = settings.content_dir / "topics" / "passport.yaml"
    original = passport.read_text(encoding="utf-8")
    passport.write_text(original.replace("title:\n", broken, 1), encoding="utf-8")
    sent = await harness.say("/reload", user=ADMIN)
    text = "\n".join(m["plain"] for m in sent)
    assert text.startswith("Content NOT reloaded: the old content is still answering.")
    assert "passport.yaml:" in text  # file:line of the problem, for the admin
    assert harness.services.catalog is old_catalog

    sent = await harness.say(EN_PASSPORT, user=EN)
    assert sent[0]["plain"].startswith("Getting a passport")  # still served from the old content

    passport.write_text(original.replace("en: Getting a passport", "en: How to get a passport", 1), encoding="utf-8")
    sent = await harness.say("/reload", user=ADMIN)
    assert sent[0]["plain"].startswith("Content reloaded:")
    assert f"{len(harness.services.content.topics)} topics" in sent[0]["plain"]
    assert harness.services.catalog is not old_catalog
    sent = await harness.say(EN_PASSPORT, user=EN)
    assert sent[0]["plain"].startswith("How to get a passport")  # live without a restart
    assert [r["detail"] for r in harness.services.storage.events(kinds=["admin"])] == ["reload", "reload"]
