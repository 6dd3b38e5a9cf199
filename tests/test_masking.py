"""Masking of personal data (bot/privacy.py) in every script users write, and its regexes' cost.

Each row of CASES is a message, what must be gone from the masked text and what must
remain (the cue words, and the facts editors need: amounts, dates, ages, places).
A row with nothing gone must come through unchanged.
"""
from __future__ import annotations

import random
import re
from typing import NamedTuple

import pytest

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

from bot.text import masking as privacy
from bot.text.masking import MAX_MASK_INPUT, PLACEHOLDERS, USER_TEXT_PATTERNS, mask_personal_data, normalize_digits


class Case(NamedTuple):
    text: str
    gone: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


def c(text: str, gone: str | tuple[str, ...] = (), kept: str | tuple[str, ...] = ()) -> Case:
    return Case(text, (gone,) if isinstance(gone, str) else gone, (kept,) if isinstance(kept, str) else kept)


NAMES = [
    c("my name is Sok Dara", ("Sok", "Dara"), "my name is [name]"),
    c("My name Sok Dara, I work in Rayong", ("Sok", "Dara"), ("My name [name]", "I work in Rayong")),
    c("her name is Srey Pov", ("Srey", "Pov"), "her name is [name]"),
    c("name: Chan Thy", ("Chan", "Thy"), "name: [name]"),
    c("Name: chan thy, from Prey Veng", ("chan", "thy"), ("Name: [name]", "from Prey Veng")),
    c("my name is sok dara and i lost my passport", ("sok", "dara"), "and i lost my passport"),
    c("my name is Mr. Sok Dara", ("Sok", "Dara"), "my name is [name]"),
    c("My wife's name is Chea Sophea, she is in Bangkok", ("Chea", "Sophea"), "she is in Bangkok"),
    c("MY NAME IS SOK DARA", ("SOK", "DARA"), "[name]"),
    c("my boss is named Somchai", "Somchai", "my boss is named [name]"),
    c("ខ្ញុំឈ្មោះ សុខ ដារ៉ា", ("សុខ", "ដារ៉ា"), "ខ្ញុំឈ្មោះ [name]"),
    c("ខ្ញុំឈ្មោះសុខដារ៉ា ធ្វើការនៅថៃ", "សុខដារ៉ា", ("ខ្ញុំឈ្មោះ[name]", "ធ្វើការនៅថៃ")),
    c("ខ្ញុំឈ្មោះសុខដារ៉ាធ្វើការនៅថៃ", "សុខដារ៉ា", ("ខ្ញុំឈ្មោះ[name]", "ធ្វើការនៅថៃ")),
    c("ខ្ញុំបាទឈ្មោះ ចាន់ ធី មកពីខេត្តព្រៃវែង", ("ចាន់", "ធី"), "មកពីខេត្តព្រៃវែង"),
    c("ឈ្មោះខ្ញុំគឺ ជា សុជាតា", ("ជា", "សុជាតា"), "ឈ្មោះខ្ញុំគឺ [name]"),
    c("ឈ្មោះ: សុខ ដារ៉ា", ("សុខ", "ដារ៉ា"), "[name]"),
    c("ខ្ញុំឈ្មោះ សុខ ទេវី", ("សុខ", "ទេវី"), "ខ្ញុំឈ្មោះ [name]"),
    c("នាងខ្ញុំឈ្មោះ ម៉ៅ មករា ពីខេត្តតាកែវ", ("ម៉ៅ", "មករា"), ("នាងខ្ញុំឈ្មោះ [name]", "ពីខេត្តតាកែវ")),
    c("ខ្ញុំឈ្មោះ សុខ ជាកម្មករសំណង់", "សុខ", "ជាកម្មករសំណង់"),
    c("ថៅកែឈ្មោះ សមចាយ បើកលុយយឺត", "សមចាយ", ("ថៅកែឈ្មោះ [name]", "បើកលុយយឺត")),
    c("ខ្ញុំឈ្មោះ Sok Dara", ("Sok", "Dara"), "ខ្ញុំឈ្មោះ [name]"),
    c("My name is សុខ ដារ៉ា", ("សុខ", "ដារ៉ា"), "My name is [name]"),
    c("knhom chhmous Sok Dara", ("Sok", "Dara"), "knhom chhmous [name]"),
    c("kh chmous dara", "dara", "kh chmous [name]"),
    c("knhom chmous sok dara tver ka nov thai", ("sok", "dara"), "tver ka nov thai"),
    c("chmous knhom ku chea sophea", ("chea", "sophea"), "chmous knhom ku [name]"),
]

NUMBERS = [
    c("call me on 012 345 678", "012 345 678", "call me on [number]"),
    c("my number +855 12 345 678 please", "+855 12 345 678", ("my number [number] please",)),
    c("012/345/678", "012/345/678", "[number]"),
    c("012,345,678", "012,345,678", "[number]"),
    c("012.345.678", "012.345.678", "[number]"),
    c("012-345-678", "012-345-678", "[number]"),
    c("012 / 345 / 678", "345", "[number]"),
    c("(012) 345 678", "345 678", "[number]"),
    c("+855-12-345-678", "345-678", "[number]"),
    c("(+66) 81-234-5678", "234-5678", "[number]"),
    c("+66 (0) 81 234 5678", "234 5678", "[number]"),
    c("0961234567", "0961234567", "[number]"),
    c("12 345 678 is my phone", "345 678", "is my phone"),
    c("លេខខ្ញុំ ០១២ ៣៤៥ ៦៧៨", "០១២ ៣៤៥ ៦៧៨", "លេខខ្ញុំ [number]"),
    c("លេខ០១២៣៤៥៦៧៨", "០១២៣៤៥៦៧៨", "លេខ[number]"),
    c("โทร ๐๘๑-๒๓๔-๕๖๗๘", "๕๖๗๘", "[number]"),
    c("โทร๐๘๑๒๓๔๕๖๗๘", "๐๘๑๒๓๔๕๖๗๘", "โทร[number]"),
    c("０９６－１２３－４５６７", "４５６７", "[number]"),
    c("＋８５５ １２ ３４５ ６７８", "６７８", "[number]"),
    c("០១២ 345 ๖๗๘", ("០១២", "345", "๖๗๘"), "[number]"),
    c("+855 ១២ 345 ６７８", ("១២", "345", "６７８"), "[number]"),
    c("send to account 1234 5678 9012 3456", "9012", "send to account [number]"),
    c("whatsapp +66812345678", "66812345678", "[number]"),
]

FACTS = [
    c("pay 1,500 baht"),
    c("1,500,000 riel"),
    c("១,៥០០,០០០ រៀល"),
    c("I paid 2,000,000 riel and 300 dollars"),
    c("salary 15000000 riel a month"),
    c("passport fee US$20 in 2009"),
    c("I am 18 years old"),
    c("អាយុ ១៨ ឆ្នាំ"),
    c("ថ្លៃ ២០ ដុល្លារ"),
    c("ត្រូវបង់ ១,៥០០ បាត"),
    c("30/11/2025"),
    c("from 1/1/2024 to 30/11/2025"),
    c("contract 1/1/2024-30/11/2025"),
    c("visa expires 2025-11-30"),
    c("I worked there 2019 2020 2021"),
    c("born 30.11.1998"),
    c("៣០/១១/២០២៥"),
    c("1,500,000 riel on 30/11/2025"),
    c("work from 7:00 to 19:00, call 1294 hotline"),
    c("pay 1,500 baht, call 012 345 678", "012 345 678", ("pay 1,500 baht", "[number]")),
    c("30/11/2025 012345678", "012345678", ("30/11/2025", "[number]")),
]

DOCUMENTS = [
    c("passport N0123456 was taken", "N0123456", "passport [id-number] was taken"),
    c("my passport AB1234567", "AB1234567", "[id-number]"),
    c("លិខិតឆ្លងដែនN0123456", "N0123456", "លិខិតឆ្លងដែន[id-number]"),
    c("id card 110234567", "110234567", "id card [number]"),
    c("ID N0123456789", "N0123456789", "ID [id-number]"),
    c("write to sokha.k@gmail.com", "sokha.k@gmail.com", "write to [email]"),
    c("ផ្ញើមក sokha@yahoo.com", "sokha@yahoo.com", "ផ្ញើមក [email]"),
    c("I am @sokha_kh on telegram", "@sokha_kh", "I am [username] on telegram"),
    c("see t.me/sokha_private", "t.me/sokha_private", "see [link]"),
    c("https://t.me/+AbCdEf123 join", "AbCdEf123", "[link] join"),
]

PROFILES = [
    c("facebook.com/sokha.dara", "sokha.dara", "[profile]"),
    c("https://www.facebook.com/sokha.dara?mibextid=abc my page", "sokha.dara", ("[profile]", "my page")),
    c("fb.com/sokha99", "sokha99", "[profile]"),
    c("m.facebook.com/profile.php?id=100012345678", "100012345678", "[profile]"),
    c("fb.me/sokha", "sokha", "[profile]"),
    c("m.me/sokha.dara", "sokha.dara", "[profile]"),
    c("line.me/ti/p/~sokha", "~sokha", "[profile]"),
    c("wa.me/66812345678", "66812345678", "[profile]"),
    c("instagram.com/sokha.dara", "sokha.dara", "[profile]"),
    c("tiktok.com/@sokha", "@sokha", "[profile]"),
    c("fb: Sok Dara", ("Sok", "Dara"), "fb: [profile]"),
    c("fb: sok dara", ("sok", "dara"), "fb: [profile]"),
    c("facebook Sok Dara", ("Sok", "Dara"), "facebook [profile]"),
    c("my facebook is Sok Dara please help", ("Sok", "Dara"), ("my facebook is [profile]", "please help")),
    c("my facebook name is Sok Dara", ("Sok", "Dara"), "[profile]"),
    c("add me on Facebook sokha.dara99", "sokha.dara99", "Facebook [profile]"),
    c("line id: sokha123", "sokha123", "line id: [profile]"),
    c("my line id is sokha.99", "sokha.99", "my line id is [profile]"),
    c("LINE: @sokha", "@sokha", "LINE: [username]"),
    c("line @sok", "@sok", "line [profile]"),
    c("ig: sokha_dara", "sokha_dara", "ig: [profile]"),
    c("telegram: sokha_kh", "sokha_kh", "telegram: [profile]"),
    c("ហ្វេសប៊ុកខ្ញុំ Sok Dara", ("Sok", "Dara"), "ហ្វេសប៊ុកខ្ញុំ [profile]"),
    c("ហ្វេសប៊ុក: sokha.dara", "sokha.dara", "[profile]"),
    c("ឡាញ sokha123", "sokha123", "ឡាញ [profile]"),
    c("ហ្វេសប៊ុកឈ្មោះ សុខ ដារ៉ា", ("សុខ", "ដារ៉ា"), "ហ្វេសប៊ុកឈ្មោះ [name]"),
]

ORDINARY = [
    c("how much is a passport"),
    c("តើលិខិតឆ្លងដែនថ្លៃប៉ុន្មាន"),
    c("line manager took my passport"),
    c("I waited in line for 3 hours at the embassy"),
    c("online application for visa"),
    c("my facebook was hacked"),
    c("facebook account hacked, what can I do"),
    c("the facebook page of the embassy"),
    c("Is this Telegram bot official?"),
    c("ហ្វេសប៊ុកខ្ញុំត្រូវគេលួច"),
    c("ខ្ញុំស្រឡាញ់ប្រទេសខ្មែរ"),
    c("how do I register my name for work in Korea"),
    c("my name is spelled wrong on my passport"),
    c("my name on the contract is different"),
    c("the name is wrong on my visa"),
    c("what is the name of the agency"),
    c("What is your name?"),
    c("ខ្ញុំចង់ចុះឈ្មោះធ្វើការនៅកូរ៉េ"),
    c("ចុះឈ្មោះនៅឯណា"),
    c("chos chmos tver ka nov korea"),
    c("knhom chong tov thai tver ka"),
    c("chmous avey"),
    c("e-mail the embassy about my visa"),
    c("I am from Prey Veng, I work in Rayong"),
    c("ខ្ញុំធ្វើការនៅថៃ ៣ ឆ្នាំហើយ"),
]

CASES = NAMES + NUMBERS + FACTS + DOCUMENTS + PROFILES + ORDINARY


@pytest.mark.parametrize("case", CASES, ids=[x.text for x in CASES])
def test_masking_table(case: Case) -> None:
    masked = mask_personal_data(case.text)
    if not case.gone:
        assert masked == case.text
        return
    for secret in case.gone:
        assert secret not in masked, masked
    for fact in case.kept:
        assert fact in masked, masked
    assert any(p in masked for p in PLACEHOLDERS), masked


@pytest.mark.parametrize("case", CASES, ids=[x.text for x in CASES])
def test_masking_is_idempotent(case: Case) -> None:
    # The stats pages mask stored (already masked) text once more on the way out.
    once = mask_personal_data(case.text)
    assert mask_personal_data(once) == once


def test_stats_recognises_every_placeholder() -> None:
    from bot.reporting.stats import _MASKED_RE

    assert all(_MASKED_RE.fullmatch(p) for p in PLACEHOLDERS)


def test_normalize_digits_handles_every_script() -> None:
    assert normalize_digits("០១២ ๐๘๑ ０９６ 123 abc ខ") == "012 081 096 123 abc ខ"


# --- Cost: every regex on user text must be linear (F8) ---------------------------------------


def _unbounded_repeats(pattern: re.Pattern[str]) -> list[str]:
    """Repeats in the parsed pattern whose maximum is unbounded (``*``, ``+``, ``{n,}``)."""
    repeats = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
    possessive = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
    if possessive is not None:
        repeats.add(possessive)
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, sre_parse.SubPattern):
            for op, av in node.data:
                if op in repeats and av[1] == sre_constants.MAXREPEAT:
                    found.append(f"{op} {av[0]},MAX")
                walk(av)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return found


def test_walker_finds_the_old_quadratic_email_regex() -> None:
    old = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    assert len(_unbounded_repeats(old)) == 4  # three "+" on classes, one on the group


def test_masking_patterns_cover_the_module() -> None:
    compiled = {v for v in vars(privacy).values() if isinstance(v, re.Pattern)}
    assert compiled <= set(USER_TEXT_PATTERNS)


@pytest.mark.parametrize("pattern", USER_TEXT_PATTERNS, ids=lambda p: p.pattern[:40])
def test_every_masking_regex_is_bounded(pattern: re.Pattern[str]) -> None:
    assert _unbounded_repeats(pattern) == []


def test_input_is_cut_to_the_telegram_limit() -> None:
    assert MAX_MASK_INPUT == 4096
    assert len(mask_personal_data("a" * 100_000)) <= MAX_MASK_INPUT
    # Text past the limit is dropped, not masked and kept.
    assert "Sok" not in mask_personal_data("a " * 3000 + "my name is Sok Dara")


def test_long_runs_are_masked_whole_or_left_alone() -> None:
    assert mask_personal_data("1 " * 2048).replace("[number]", "").strip() == ""
    assert mask_personal_data("a." * 2048) == "a." * 2048
    assert mask_personal_data("ា" * 4096) == "ា" * 4096


def test_khmer_vowel_regex_lookbehind_changes_nothing() -> None:
    """bot/textnorm.py: the lookbehind that makes the vowel/subscript fix linear gives the same text."""
    from bot.text import normalize as textnorm

    old = re.compile(f"([{textnorm._KHMER_VOWELS}]+)({textnorm._COENG}[{textnorm._CONS}])")
    alphabet = ["\u17b6", "\u17bb", "\u17c6", "\u17c9", "\u17d2", "ក", "ម", "រ", " ", "a"]
    rnd = random.Random(20240611)
    for _ in range(3000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14)))
        assert textnorm._VOWEL_BEFORE_COENG_RE.sub(r"\2\1", s) == old.sub(r"\2\1", s), repr(s)
