"""Danger first: messages from people in danger are recognised in all three scripts; ordinary ones never.

The signals are content (content/safety/danger.yaml); these tables hold the detector and
the editors' check to what the issue asks: locked in, beaten or threatened, sold or
ransomed, arrested or hiding, injured alone, sexual abuse, no food or money far from home,
a child taken, a cry for help; the place read from the message where it says so.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.safety import load_safety
from bot.content.validate import CheckReport
from bot.matching.danger import DangerDetector

ROOT = Path(__file__).resolve().parent.parent
DETECTOR = DangerDetector(load_safety(ROOT / "content"))

URGENT = [
    # (message, a signal it must raise, the countries whose numbers lead)
    ("please help they lock us in the boat", "locked-in", ("thailand", "cambodia")),
    ("they take us from the bus at night, now we are in a house near the border, they say we must pay 500$ more or they sell us",
     "sold-or-ransom", ("cambodia", "thailand")),
    ("JUY PHONG!! thaokae veay knhom bek kbal…", "violence", ()),
    ("my boss beat me yesterday and took my phone, I am in Rayong", "violence", ("thailand",)),
    ("the agent locked us in a room in johor, we cannot go out", "locked-in", ("malaysia",)),
    ("police arrested my husband in bangkok, he has no passport", "arrest-hiding", ("thailand",)),
    ("we are hiding from police in the forest, no food 2 days", "arrest-hiding", ()),
    ("i am in hospital in korea, my leg broken, nobody to help me", "injured", ("korea",)),
    ("the boss raped my sister", "sexual-abuse", ()),
    ("they took my daughter, she is 15", "child-taken", ()),
    ("help me please", "plea", ()),
    # Written by a second, native reader of the signals:
    ("បងជួយប្អូនផង ថៅកែចាក់សោខ្ញុំក្នុងបន្ទប់ ២ថ្ងៃហើយ នៅជលបុរី", "locked-in", ("thailand",)),
    ("មេការវ៉ៃខ្ញុំបែកក្បាល ឥឡូវនៅពេទ្យម្នាក់ឯង នៅកូរ៉េ", "violence", ("korea",)),
    ("គេលក់យើងទៅក្រុមហ៊ុនស្កេមនៅព្រំដែន បើចង់ចេញត្រូវបង់លុយលោះ ៣០០០ដុល្លារ", "sold-or-ransom", ("cambodia", "thailand")),
    ("យើងរត់ពួនប៉ូលិសក្នុងព្រៃ៣ថ្ងៃហើយ អត់មានបាយហូបទេ នៅម៉ាឡេ", "arrest-hiding", ("malaysia",)),
    ("កូនស្រីខ្ញុំអាយុ១៦ឆ្នាំ ត្រូវគេពង្រត់យកទៅថៃ", "child-taken", ("thailand",)),
    ("bong juy nhom phong, thaokae chak so knhom knong bontob, nov rayong", "locked-in", ("thailand",)),
    ("ke vay knyom rohut hery kom ream tha nung somlab", "violence", ()),
    ("polis thai chab pdey knhom msel minh, ot mean passport", "arrest-hiding", ("thailand",)),
    ("ke chab romlob knhom nov phteah thaokae, knhom klach nas", "sexual-abuse", ()),
    ("yerng ot luy mok phteah, ot mean ey nham 2 thngai hz, nov poipet", "no-food-money", ("cambodia",)),
    ("យើងអត់មានអីញុំា ៣ថ្ងៃហើយ", "no-food-money", ()),  # ញុំា typed for ញ៉ាំ
    ("I am in siemreap and the broker beat me", "violence", ("cambodia",)),  # siemreap, one word: not "siem" (Thailand)
    ("no money to go home, boss not pay 3 month, sleep outside", "no-food-money", ()),
    ("ខ្ញុំត្រូវគេចាក់សោក្នុងផ្ទះ នៅថៃ", "locked-in", ("thailand",)),
    ("ខញុំត្រូវគេចាក់សោ", "locked-in", ()),  # subscript dropped: ខញុំ for ខ្ញុំ
    ("ថៅកែវាយខ្ញុំ ហើយគំរាមសម្លាប់ចោល", "violence", ()),
    ("ជួយខ្ញុំផង!!!", "plea", ()),
    ("ប៉ូលិសចាប់ប្ដីខ្ញុំនៅម៉ាឡេស៊ី", "arrest-hiding", ("malaysia",)),
    ("គេលក់ខ្ញុំទៅឲ្យក្រុមហ៊ុនមួយ នៅព្រំដែន", "sold-or-ransom", ("cambodia", "thailand")),
    ("យើងអត់មានអីញ៉ាំ ២ថ្ងៃហើយ", "no-food-money", ()),
    ("min aoy chenh pi phteah te, juy knhom phong", "locked-in", ()),
    ("thaokae vay knhom rohut, nov srok thai", "violence", ("thailand",)),
    ("polis chab knhom nov malaysia", "arrest-hiding", ("malaysia",)),
    ("ot luy tinh bay, ot luy mok phteah", "no-food-money", ()),
    ("passport ត្រូវគេយក ហើយមិនឱ្យចេញ", "locked-in", ()),  # code-mixed
]

ORDINARY = [
    "how much is a passport", "what is the weather", "help", "hello", "thank you",
    "how do I help my brother get a passport", "what happens if police check my documents",
    "what if i get arrested in thailand", "is it dangerous to work on fishing boats",
    "can you help me find a job in korea", "what is the emergency number in thailand",
    "where is the hospital for the medical check", "how many hours can my boss make me work",
    "my boss keeps my passport, is that legal", "how to send money home from malaysia",
    "តើលិខិតឆ្លងដែនថ្លៃប៉ុន្មាន", "តើខ្ញុំវាយសំណួរជាភាសាខ្មែរបានទេ", "ទៅធ្វើការនៅថៃតាមផ្លូវច្បាប់ យ៉ាងម៉េច",
    "តើលេខសង្គ្រោះបន្ទាន់នៅថៃជាលេខអ្វី", "ខ្ញុំចង់ចុះឈ្មោះទៅធ្វើការនៅកូរ៉េ", "ប្រាក់ខែនៅម៉ាឡេស៊ីប៉ុន្មាន",
    "passport tlai ponman", "tov thver kar srok thai yang mech", "MOU tov thai yu ponman khae",
    "luy khae nov korea ponman", "ទាត់បាល់នៅថ្ងៃអាទិត្យ",
    # Look-alikes from the second reader: typing, fired, an ATM, a child travelling with a parent,
    # the rescue number, a compensation question, parents' permission, a butcher's job.
    "តើខ្ញុំវាយអក្សរខ្មែរក្នុងទូរស័ព្ទយ៉ាងម៉េច", "ថៅកែទាត់ខ្ញុំចេញពីការងារ តើខ្ញុំអាចទារប្រាក់ខែបានទេ",
    "ដកលុយពី ATM នៅថៃចេញមិនបាន ធ្វើម៉េច", "អាចយកកូនខ្ញុំទៅជាមួយពេលទៅធ្វើការកូរ៉េបានទេ",
    "តើលេខទូរស័ព្ទជួយសង្គ្រោះបន្ទាន់នៅម៉ាឡេស៊ីជាលេខអ្វី", "somnong robuos kar ngar nov korea ban ponman",
    "ម្ដាយមិនឱ្យខ្ញុំទៅធ្វើការកូរ៉េ", "ធ្វើការលក់សាច់ជ្រូកនៅថៃបានលុយប៉ុន្មាន",
    "chuoy prab knhom phong, tov korea trov ka ey klah", "ot bongrean ey sos", "passport locked in a cabinet?",
]


@pytest.mark.parametrize("text, signal, countries", URGENT)
def test_urgent_messages_are_recognised_with_their_place(text, signal, countries):
    danger = DETECTOR.check(text)
    assert danger is not None, text
    assert signal in danger.signals, (text, danger)
    assert danger.countries == countries, (text, danger)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_are_never_flagged(text):
    assert DETECTOR.check(text) is None, (text, DETECTOR.check(text))


def test_a_long_message_is_checked_whole_and_cut_first():
    text = "I want to ask about the contract. " * 40 + "they locked us in the factory"
    assert DETECTOR.check(text) is not None
    assert DETECTOR.check("a " * 50_000) is None  # cut to Telegram's limit, no error


def test_the_shipped_signals_pass_the_check():
    from bot.content.safety import check_safety

    report = CheckReport()
    check_safety(ROOT / "content", report)
    assert report.errors == [] and report.warnings == []


@pytest.mark.parametrize("edit, problem", [
    (("    km: [ចាក់សោខ្ញុំ,", "    km: [lock, ចាក់សោខ្ញុំ,"), "Latin letters in a Khmer-script form"),
    (("    km-latn: [chak so knhom,", "    km-latn: [ចាក់, chak so knhom,"), "Khmer script under km-latn"),
    (("    km: [ចាក់សោខ្ញុំ,", "    km: [ចាក់សោខ្ញុំ, វាយខ្ញុំ,"), "claimed by 'locked-in' and 'violence'"),
    (("    km: [ចាក់សោខ្ញុំ,", "    km: [ចាក់សោខ្ញុំ, ឱ្យចេញ, អោយចេញ,"), "not in standard typing order"),
    (("  - id: locked-in\n", "  - id: Locked In\n"), "schema"),
])
def test_the_check_reports_broken_signals_with_file_and_line(content_copy, edit, problem):
    from bot.content.safety import check_safety

    root = content_copy
    path = root / "safety" / "danger.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    report = CheckReport()
    check_safety(root, report)
    found = [p for p in report.errors + report.warnings if problem in p]
    assert found, report.errors + report.warnings
    assert all(p.startswith(f"{path}:") for p in found)


async def test_an_urgent_message_is_answered_first_with_the_numbers_of_the_country_it_names(settings, catalog_services):
    """End to end over the loopback Bot API: the first reply leads with emergency help, in the user's language."""
    from bot.tg.fakeapi import FakeBotAPI
    from tests.conftest import callback_data, running_bot

    async with running_bot(settings, catalog_services) as h:
        en = FakeBotAPI.user(5200000001, "A", "en")
        sent = await h.say("please help, the boss locked us in a house in Rayong, they say we must pay more or they sell us", user=en)
        first = sent[0]["plain"]
        assert first.startswith("You may be in danger")
        assert "191" in first and "1300" in first  # Thailand's police and 1300 hotline lead
        assert "check before relying" not in first  # never a reason to delay the call
        assert "f:emergency" in callback_data(sent[0])
        km = FakeBotAPI.user(5200000002, "B", "km")
        sent = await h.say("ជួយខ្ញុំផង ប៉ូលិសចាប់ប្ដីខ្ញុំនៅម៉ាឡេស៊ី", user=km)
        assert "999" in sent[0]["plain"] and "Malaysia" not in sent[0]["plain"].split("\n")[0]
        latn = FakeBotAPI.user(5200000003, "C", None)
        sent = await h.say("JUY PHONG!! thaokae veay knhom bek kbal", user=latn)
        first = sent[0]["plain"]
        assert "ឥឡូវនេះ" in first  # answered in Khmer: romanized Khmer is Khmer
        assert any(d.startswith("c:") for d in callback_data(sent[0]))  # no place named: choose the country
        ordinary = await h.say("how much is a passport", user=en)
        assert not ordinary[0]["plain"].startswith("You may be in danger")
        urgent = h.services.storage.events(kinds=["urgent"])
        assert len(urgent) == 3 and all(e["text"] is None for e in urgent)


def test_help_alone_shows_what_the_bot_does_and_the_hotlines(catalog_services):
    from bot.conversation.answers import answer_question

    for word in ("help", "Help?", "ជួយ"):
        result = answer_question(catalog_services, word, "en")
        assert not result.urgent
        reply = result.replies[0]
        assert "/hotlines" in reply.text
        assert reply.buttons[0][0].data == "t:hotlines"


def test_unsure_but_in_scope_asks_with_three_topics_and_off_topic_stays_honest(catalog_services):
    """Issue 13: a message about migration work the matcher is unsure of gets a question back, not a refusal."""
    from bot.conversation.answers import fallback
    from bot.conversation.view import view_for
    from bot.matching.matcher import Match

    v = view_for(catalog_services, "en", None)
    unsure = Match(None, 0.3, "wages-hours", (("complaints", 0.2), ("trafficking", 0.1)), off_topic=False)
    reply = fallback(v, unsure)
    assert reply.text.startswith("I am not sure I understood")
    offered = [row[0].data for row in reply.buttons if row[0].data and row[0].data.startswith("t:")]
    assert offered[:3] == ["t:wages-hours", "t:complaints", "t:trafficking"]
    off = Match(None, 0.03, "remittances", (("complaints", 0.01),), off_topic=True)
    assert fallback(v, off).text.startswith("Sorry, I don")
    km = fallback(view_for(catalog_services, "km", None), unsure)
    assert "ខ្ញុំមិនប្រាកដ" in km.text


def test_emergency_numbers_never_carry_the_check_first_caution(catalog_services):
    """A person in danger must never be told to check a number before calling it (issue 14's rule)."""
    from bot.conversation.answers import contact_line
    from bot.conversation.view import view_for

    for lang in ("en", "km"):
        v = view_for(catalog_services, lang, None)
        caution = v.translate("Not yet confirmed by our editors{year}: check before relying on it.").split("{year}")[0]
        contacts = catalog_services.content.contacts
        emergency = [c for c in contacts if c.kind == "emergency" and not c.verified]
        other = [c for c in contacts if c.kind == "hotline" and not c.verified]
        assert emergency and other
        assert all(caution not in contact_line(v, c) for c in emergency)
        assert all(caution in contact_line(v, c) for c in other)  # non-emergency entries keep it
