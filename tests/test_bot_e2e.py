"""The real Application, over HTTP, against a loopback Bot API that refuses what Telegram refuses."""
from __future__ import annotations

import re


from bot.tg.fakeapi import FakeBotAPI
from bot.text.i18n import has_khmer
from tests.conftest import buttons, callback_data


EN_USER = FakeBotAPI.user(2002, "John", "en", "john_uk")
NO_LANG_USER = FakeBotAPI.user(3003, "Dara", None)


async def test_start_greets_in_khmer_for_khmer_telegram(harness):
    sent = await harness.say("/start")
    assert len(sent) == 1
    assert has_khmer(sent[0]["plain"])
    data = callback_data(sent[0])
    # The menu: key topics, guided checks, language switch, about.
    menu = [d for d in data if d.startswith("t:") and d != "t:about"]
    # The menu is the content's: topics with `menu: N`, in that order.
    assert menu == [f"t:{t.id}" for t in harness.services.content.menu_topics()]
    assert menu[:4] == ["t:regular-channels", "t:costs-fees", "t:worker-rights", "t:hotlines"]
    assert "L" in data and "t:about" in data


async def test_start_greets_in_english_for_english_telegram(harness):
    sent = await harness.say("/start", user=EN_USER)
    assert not has_khmer(sent[0]["plain"].replace("ភាសាខ្មែរ", ""))
    assert "working abroad safely" in sent[0]["plain"]


async def test_khmer_script_gets_khmer_before_any_choice(harness):
    sent = await harness.say("តើធ្វើលិខិតឆ្លងដែនអស់ប៉ុន្មាន?", user=NO_LANG_USER)
    assert has_khmer(sent[0]["plain"])
    assert "t:documents" in callback_data(sent[0]) or any(d.startswith("t:") for d in callback_data(sent[0]))


async def test_question_answered_with_related_buttons(harness):
    sent = await harness.say("how much does a passport cost?", user=EN_USER)
    assert len(sent) == 1
    text = sent[0]["plain"]
    assert text.startswith(harness.services.content.topics["passport"].title["en"])
    related = harness.services.content.topics["passport"].related
    data = callback_data(sent[0])
    assert all(f"t:{r}" in data for r in related)
    assert "s:passport" in data and "fb:passport:1" in data and "m" in data
    rows = harness.services.storage.events(kinds=["question"])
    assert rows[-1]["topic"] == "passport" and rows[-1]["score"] > 0


async def test_out_of_scope_question_gets_honest_fallback(harness):
    sent = await harness.say("who won the football match last night?", user=EN_USER)
    assert "don't know" in sent[0]["plain"]
    assert "t:regular-channels" in callback_data(sent[0])  # the menu is offered
    row = harness.services.storage.events(kinds=["fallback"])[-1]
    assert row["topic"] is not None  # nearest topic kept for editors, but not answered


async def test_language_switch_persists(harness):
    sent = await harness.press("L", message=None)
    assert sorted(callback_data(sent[0])) == ["l:en", "l:km"]
    sent = await harness.press("l:en")
    assert "English" in sent[0]["plain"]
    sent = await harness.say("/start")  # Telegram still says km; the choice wins
    assert "working abroad safely" in sent[0]["plain"]
    sent = await harness.press("l:km")
    assert has_khmer(sent[0]["plain"])


async def test_hotlines_command_lists_contacts_marked_unconfirmed(harness):
    sent = await harness.say("/hotlines", user=EN_USER)
    text = "\n".join(m["plain"] for m in sent)
    contacts = harness.services.content.contacts
    assert contacts, "contacts.yaml must list contacts"
    for c in contacts:
        if c.phone and c.kind in ("emergency", "hotline"):
            assert c.phone in text, c.id
    if any(not c.verified for c in contacts):
        assert "Not yet confirmed by our editors" in text
    countries = [d for d in callback_data(sent[-1]) if d.startswith("c:")]
    assert "c:cambodia" in countries and "c:thailand" in countries
    for data in countries:
        country = data[2:]
        page = "\n".join(m["plain"] for m in await harness.press(data, user=EN_USER))
        for c in harness.services.content.contacts_for(country):
            shown = c.phone or c.email or c.url
            if shown:
                assert page.count(c.name["en"]) == 1, (country, c.id)  # listed once


async def test_topic_and_sources_buttons(harness):
    sent = await harness.press("t:thailand", message=None)
    assert sent[0]["plain"].startswith(harness.services.content.topics["thailand"].title["km"])
    sent = await harness.press("s:thailand")
    assert "L" in sent[0]["plain"] or "—" in sent[0]["plain"]  # seed line numbers or named sources
    assert len(harness.calls("answerCallbackQuery")) == 2


async def test_help_and_unknown_command(harness):
    sent = await harness.say("/help", user=EN_USER)
    assert "/hotlines" in sent[0]["plain"]
    sent = await harness.say("/doesnotexist", user=EN_USER)
    assert "/hotlines" in sent[0]["plain"]


async def test_photo_sticker_voice_get_polite_note(harness):
    for kind in (
        {"photo": [{"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1}]},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
    ):
        sent = await harness.feed(harness.api.push_message(EN_USER, **kind))
        assert len(sent) == 1 and "only read text" in sent[0]["plain"]


async def test_edited_message_is_ignored_silently(harness):
    update = harness.api.push_text(EN_USER, "passport")
    message = update["message"]
    sent = await harness.feed({"update_id": 999, "edited_message": {**message, "edit_date": message["date"] + 1}})
    assert sent == []


async def test_group_chat_stays_quiet_except_start(harness):
    group = {"id": -100123, "type": "supergroup", "title": "Village group"}
    assert await harness.say("how much is a passport", user=EN_USER, chat=group) == []
    sent = await harness.say("/start", user=EN_USER, chat=group)
    assert len(sent) == 1 and "private" in sent[0]["plain"]


async def test_forged_and_stale_callback_data(harness):
    for data in ("t:../../etc", "zz:1", "a:XXXX:nostep:1", "fb:passport:7", "x" * 64, "l:fr", "t:no-such-topic"):
        sent = await harness.press(data, user=EN_USER, message=None)
        assert len(sent) == 1, data
        assert "no longer works" in sent[0]["plain"] or "finished" in sent[0]["plain"], data
    assert len(harness.calls("answerCallbackQuery")) == 7


async def test_long_and_blank_messages(harness):
    long_text = ("passport " * 500)[:4000]
    sent = await harness.say(long_text, user=EN_USER)
    assert len(sent) == 1
    sent = await harness.say("   ", user=EN_USER)
    assert len(sent) == 1
    sent = await harness.say("?!...", user=EN_USER)
    assert len(sent) == 1


async def test_every_topic_button_renders_in_both_languages(harness):
    """Every topic, in both languages, is a request Telegram accepts (checked by the harness)."""
    for lang in ("en", "km"):
        await harness.press(f"l:{lang}", user=EN_USER, message=None)
        for tid, topic in harness.services.content.topics.items():
            sent = await harness.press(f"t:{tid}", user=EN_USER, message=None)
            assert sent, tid
            assert topic.answer[lang].split("\n")[0][:20].strip() in "\n".join(m["plain"] for m in sent), (tid, lang)
            for m in sent:
                assert len(m["plain"]) <= 4096
                assert all(len(d.encode()) <= 64 for d in callback_data(m))


async def test_no_personal_data_on_disk(harness, settings):
    user = FakeBotAPI.user(987654321, "Chanthou", "km", "chanthou_secret")
    await harness.say("/start", user=user)
    await harness.say("my phone is 012 345 678 and passport N0123456, how to go to Korea?", user=user)
    await harness.press("l:en", user=user)
    harness.services.storage.flush()
    blob = b""
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            blob += path.read_bytes()
    assert blob, "the data folder should hold the log"
    for needle in (b"987654321", b"Chanthou", b"chanthou_secret", b"012 345 678", b"N0123456"):
        assert needle not in blob, needle
    rows = harness.services.storage.events(kinds=["question", "fallback"])
    assert "[number]" in rows[-1]["text"] and "[id-number]" in rows[-1]["text"]


async def test_reply_buttons_never_carry_khmer_labels_in_data(harness):
    sent = await harness.say("/start")
    for b in buttons(sent[0]):
        if "callback_data" in b:
            assert re.fullmatch(r"[A-Za-z0-9:_-]+", b["callback_data"])


async def test_romanized_khmer_is_answered_in_khmer_and_buttons_stay_in_khmer(harness):
    sent = await harness.say("passport tlai ponman", user=NO_LANG_USER)
    assert has_khmer(sent[0]["plain"].split("\n")[0])  # the title is Khmer
    sent = await harness.press("s:passport", user=NO_LANG_USER)
    assert sent[0]["plain"].startswith("ព័ត៌មាននេះបានមកពី")
    # An explicit choice still wins over the guess.
    await harness.press("l:en", user=NO_LANG_USER)
    sent = await harness.say("passport tlai ponman", user=NO_LANG_USER)
    assert sent[0]["plain"].startswith("Getting a passport")
