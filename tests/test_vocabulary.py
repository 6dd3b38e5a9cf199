"""The matcher's vocabulary is content (content/vocabulary/*.yaml): checked with file:line, live after /reload."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content.check import check_content
from bot.content.loader import load_content
from bot.content.model import ContentError
from bot.content.vocabulary import load_vocabulary
from bot.text.normalize import Lexicon, default_lexicon
from bot.tg.fakeapi import FakeBotAPI
from tests.conftest import ROOT

CONTENT = ROOT / "content"
ADMIN = FakeBotAPI.user(42, "Editor", "en")  # the settings fixture's admin_ids is {42}
EN = FakeBotAPI.user(2002, "John", "en", "john_uk")


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Overrides conftest's: the bot serves a copy of the content that the test edits."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    return Settings(data_dir=tmp_path / "data", content_dir=content, secret_key="test-secret-key-0123456789",
                    admin_ids=frozenset({42}), rate_limit=False, flood_limit=10_000)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def _errors_at(root: Path, path: Path, line: int) -> list[str]:
    return [e for e in check_content(root).errors if e.startswith(f"{path}:{line}: ")]


# --- the real content ---------------------------------------------------------------------


def test_real_vocabulary_has_no_problems():
    report = check_content(CONTENT)
    vocabulary = str(CONTENT / "vocabulary")
    assert [e for e in report.errors if vocabulary in e or "glossary" in e] == []
    assert [w for w in report.warnings if vocabulary in w] == []


def test_the_loaded_content_carries_the_vocabulary_the_matcher_uses(catalog_services):
    content = catalog_services.content
    lex = content.lexicon
    assert lex.concepts.phrases[lex.form_key("lekhet chlong den")] == "#passport"
    assert lex.roman_words["tou"] == "tov" and "knhom" in lex.roman_stopwords and "តើ" in lex.khmer_stopwords
    assert ("អោយ", "ឱ្យ") in lex.khmer_variants
    assert catalog_services.matcher._lexicon is lex  # no module-level tables: the content's own
    assert set(content.vocabulary.files) == {"concepts", "spellings", "stopwords", "khmer_variants"}


def test_every_glossary_term_names_existing_concepts():
    content = load_content(CONTENT)
    ids = set(content.vocabulary.concept_ids)
    for term in content.glossary:
        assert term["concepts"] and set(term["concepts"]) <= ids, term["en"]
        assert "km_variants" not in term and "km_latn" not in term  # spellings live in concepts.yaml, once


def test_glossary_spellings_are_understood_as_their_concepts():
    """Spellings moved from the glossary into concepts.yaml are used for matching."""
    lex = load_vocabulary(CONTENT).lexicon
    for text, concept in [("brokar", "#broker"), ("niyorjek", "#employer"), ("mlvt", "#labouroffice"),
                          ("ប្រាក់ឈ្នូល", "#salary"), ("ថៅកៃ", "#employer")]:
        assert concept in lex.terms([w for _s, w in lex.raw_words(text)]), text


def test_default_lexicon_is_the_content_vocabulary():
    """Helpers without loaded content (report grouping) read the same files."""
    assert default_lexicon().concepts.phrases == load_vocabulary(CONTENT).lexicon.concepts.phrases


def test_a_lexicon_without_word_lists_still_applies_the_rules():
    lex = Lexicon()
    assert lex.normalize_khmer("ប\u17c1\u17b6ក") == "បោក"  # typing order is code, not content
    assert lex.normalize_khmer("អោយ") == "អោយ"  # spelling variants are content
    assert lex.terms(["passport"]) == ["passport"]


# --- the check: three new problems, each with file:line ---------------------------------------


def test_check_reports_a_form_claimed_by_two_concepts(content_copy):
    path = content_copy / "vocabulary" / "concepts.yaml"
    _edit(path, "  - id: visa\n    en: [visa]", "  - id: visa\n    en: [visa, passports]")
    line, passport_line = _line_of(path, "en: [visa, passports]"), _line_of(path, "  - id: passport")
    errors = _errors_at(content_copy, path, line)
    assert any(f"form 'passports' of concept 'visa' is also claimed by concept 'passport' ({path}:{passport_line + 1})" in e
               and "both read as 'passport'" in e for e in errors), errors


def test_check_reports_a_spelling_claimed_by_two_words(content_copy):
    path = content_copy / "vocabulary" / "spellings.yaml"
    _edit(path, "spellings: [lui, loy,", "spellings: [lui, tou, loy,")
    errors = _errors_at(content_copy, path, _line_of(path, "[lui, tou, loy,"))
    assert any("spelling 'tou' of 'luy' is also listed under 'tov'" in e for e in errors), errors


@pytest.mark.parametrize(
    "file, old, new, expect",
    [
        ("concepts.yaml", "km-latn: [lekhet chlong den,", "km-latn: [លិខិតឆ្លង, lekhet chlong den,",
         "km-latn form 'លិខិតឆ្លង' of concept 'passport' is in Khmer script; Khmer script goes under km"),
        ("concepts.yaml", "en: [passport, pass port]", "en: [passport, pass port, ប៉ាស្ព]",
         "en form 'ប៉ាស្ព' of concept 'passport' is in Khmer script"),
        ("concepts.yaml", "km: [លិខិតឆ្លងដែន,", "km: [pasport, លិខិតឆ្លងដែន,",
         "km form 'pasport' of concept 'passport' has Latin letters; Latin-letter forms go under en or km-latn"),
        ("stopwords.yaml", "km: [តើ,", "km: [knhom, តើ,", "km stop word 'knhom' has Latin letters"),
        ("spellings.yaml", "spellings: [tou, dov,", "spellings: [tou, ទៅ, dov,", "spelling 'ទៅ' is in Khmer script"),
    ],
    ids=["khmer-under-km-latn", "khmer-under-en", "latin-under-km", "latin-stop-word-under-km", "khmer-spelling"],
)
def test_check_reports_a_form_in_the_wrong_script(content_copy, file, old, new, expect):
    path = content_copy / "vocabulary" / file
    _edit(path, old, new)
    errors = _errors_at(content_copy, path, _line_of(path, new))
    assert any(expect in e for e in errors), errors


@pytest.mark.parametrize(
    "old, new, expect",
    [
        # A spelling variant (khmer_variants.yaml folds ប៉ាស្ព័រ into លិខិតឆ្លងដែន).
        ("km: [លិខិតឆ្លងដែន,", "km: [ប៉ាស្ព័រ, លិខិតឆ្លងដែន,",
         ("km form 'ប៉ាស្ព័រ' of concept 'passport' is not written normalized, so it never matches: the matcher reads "
          "it as 'លិខិតឆ្លងដែន' (spelling variant, {variants}:")),
        # Typing order: េ + ី typed for ើ.
        ("km: [ធ្វើការ,", "km: [ធ្វ\u17c1\u17b8ការ2, ធ្វើការ,",
         ("km form 'ធ្វ\u17c1\u17b8ការ2' of concept 'work' is not written normalized, so it never matches: the matcher "
          "reads it as 'ធ្វើការ2' (Khmer typing order); write 'ធ្វើការ2'")),
    ],
    ids=["spelling-variant", "typing-order"],
)
def test_check_reports_a_khmer_form_that_normalization_would_change(content_copy, old, new, expect):
    path = content_copy / "vocabulary" / "concepts.yaml"
    _edit(path, old, new)
    errors = _errors_at(content_copy, path, _line_of(path, new))
    expect = expect.format(variants=content_copy / "vocabulary" / "khmer_variants.yaml")
    assert any(expect in e for e in errors), errors


def test_check_reports_an_unnormalized_khmer_stop_word(content_copy):
    path = content_copy / "vocabulary" / "stopwords.yaml"
    _edit(path, "km: [តើ,", "km: [ឲ្យ, តើ,")
    errors = _errors_at(content_copy, path, _line_of(path, "km: [ឲ្យ, តើ,"))
    assert any("km stop word 'ឲ្យ' is not written normalized" in e and "write 'ឱ្យ'" in e for e in errors), errors


def test_check_reports_schema_errors_in_the_vocabulary_with_file_and_line(content_copy):
    path = content_copy / "vocabulary" / "concepts.yaml"
    _edit(path, "  - id: visa\n    en: [visa]", "  - id: visa\n    english: [visa]")
    errors = _errors_at(content_copy, path, _line_of(path, "english: [visa]") - 1)
    assert any("schema: concepts/" in e and "english" in e for e in errors), errors


def test_check_reports_a_glossary_term_naming_a_missing_concept(content_copy):
    path = content_copy / "glossary.yaml"
    _edit(path, "concepts: [broker]", "concepts: [broker, middlemen]")
    errors = _errors_at(content_copy, path, _line_of(path, "concepts: [broker, middlemen]"))
    assert any("glossary term 'broker' names concept 'middlemen', which is not in vocabulary/concepts.yaml" in e
               for e in errors), errors


def test_broken_vocabulary_refuses_the_load(content_copy):
    path = content_copy / "vocabulary" / "concepts.yaml"
    _edit(path, "  - id: visa\n    en: [visa]", "  - id: visa\n    en: [visa, passports]")
    with pytest.raises(ContentError) as exc:
        load_content(content_copy)
    assert any(re.match(rf"{re.escape(str(path))}:\d+: form 'passports'", p) for p in exc.value.problems)


# --- an editor's flow, end to end ----------------------------------------------------------

QUESTION = "tver pasupoto yang mech"  # "how do I make a passport", with a spelling nobody listed


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("concepts.yaml", "km-latn: [lekhet chlong den,", "km-latn: [pasupoto, lekhet chlong den,"),
        ("spellings.yaml", "spellings: [pasport, passpot,", "spellings: [pasupoto, pasport, passpot,"),
    ],
    ids=["concept-form", "romanized-spelling"],
)
async def test_a_spelling_added_to_the_yaml_is_understood_after_reload(harness, settings, file, old, new):
    sent = await harness.say(QUESTION, user=EN)
    assert "not sure I understood" in sent[0]["plain"] or "don't know" in sent[0]["plain"], sent[0]["plain"]  # not understood yet: a question back or the honest fallback
    assert harness.services.matcher.match(QUESTION).topic is None

    _edit(settings.content_dir / "vocabulary" / file, old, new)
    sent = await harness.say("/reload", user=ADMIN)
    assert sent[0]["plain"].startswith("Content reloaded:"), sent[0]["plain"]

    sent = await harness.say(QUESTION, user=EN)
    titles = tuple(harness.services.content.topics["passport"].title.values())  # romanized Khmer is answered in Khmer
    assert sent[0]["plain"].startswith(titles), sent[0]["plain"]
    assert harness.services.matcher.match(QUESTION).topic == "passport"
    assert "#passport" in harness.services.matcher.match(QUESTION).tokens
