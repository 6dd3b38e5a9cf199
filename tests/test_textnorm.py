"""Normalization, segmentation and folding of Khmer script, romanized Khmer and English."""
from __future__ import annotations

import pytest

from bot.content.vocabulary import load_vocabulary
from bot.text.normalize import SEGMENTER, KhmerDictSegmenter, english_stem, segment_khmer
from tests.conftest import ROOT

# The word lists are content (content/vocabulary/*.yaml): the functions that need them are the lexicon's.
LEXICON = load_vocabulary(ROOT / "content").lexicon
CONCEPT_TABLE = LEXICON.concepts
normalize_khmer, normalize_latin_word, fold_roman = LEXICON.normalize_khmer, LEXICON.normalize_latin_word, LEXICON.fold_roman
raw_words, terms, tokens = LEXICON.raw_words, LEXICON.terms, LEXICON.tokens

ZWSP, ZWNJ, ZWJ = "\u200b", "\u200c", "\u200d"


# --- Khmer normalization ----------------------------------------------------------


def test_zero_width_characters_removed():
    assert normalize_khmer(f"លិខិត{ZWSP}ឆ្លង{ZWNJ}ដែន{ZWJ}") == "លិខិតឆ្លងដែន"


def test_nfc_applied():
    assert normalize_khmer("cafe\u0301") == "café"


def test_subscript_da_folded_to_subscript_ta():
    assert normalize_khmer("ស្ដ្រី") == normalize_khmer("ស្ត្រី")


def test_vowel_typed_before_subscript_is_reordered():
    # ស + ី + ្ត + ្រ (vowel first) is the same word as ស្ត្រី
    assert normalize_khmer("ស\u17b8\u17d2\u178f\u17d2\u179a") == normalize_khmer("ស្ត្រី")


def test_subscript_ro_written_first_is_reordered():
    # ស + ្រ + ្ត + ី  ->  ស + ្ត + ្រ + ី
    assert normalize_khmer("ស\u17d2\u179a\u17d2\u178f\u17b8") == normalize_khmer("ស្ត្រី")


def test_register_shifter_after_vowel_is_reordered():
    # ប + ុ + ៉ (shifter typed after the vowel) -> ប + ៉ + ុ
    assert normalize_khmer("ប\u17bb\u17c9ន្មាន") == "ប៉ុន្មាន"


def test_nikahit_before_vowel_is_reordered():
    assert normalize_khmer("ក\u17c6\u17bbង") == "ក\u17bb\u17c6ង"


def test_split_vowel_is_joined():
    # េ + ា typed for ោ; េ + ី typed for ើ
    assert normalize_khmer("ប\u17c1\u17b6ក") == "បោក"
    assert normalize_khmer("ធ្វ\u17c1\u17b8") == "ធ្វើ"


def test_old_and_new_spellings_fold():
    assert normalize_khmer("អោយ") == normalize_khmer("ឱ្យ") == normalize_khmer("ឲ្យ")
    assert normalize_khmer("សំរាក") == "សម្រាក"
    assert normalize_khmer("ប៉ាស្ព័រ") == normalize_khmer("លិខិតឆ្លងដែន")


def test_khmer_digits_become_ascii():
    assert normalize_khmer("២០២៤") == "2024"


def test_latin_text_is_left_alone():
    assert normalize_khmer("Passport cost") == "Passport cost"


# --- Segmentation -----------------------------------------------------------------


def test_fast_segmenter_matches_khmer_nltk():
    from khmernltk import word_tokenize

    SEGMENTER.load()
    for text in ("ធ្វើប៉ាស្ព័រថ្មីត្រូវទៅណា", "កូនប្រុសខ្ញុំទៅនេសាទនៅសមុទ្រច្រើនខែហើយគ្មានដំណឹង", "ថៅកែមិនបើកលុយខែពីរខែហើយ"):
        assert SEGMENTER(text) == [w for w in word_tokenize(text) if w.strip()]


def test_segment_khmer_splits_words():
    assert segment_khmer("ធ្វើប៉ាស្ព័រថ្មី") == ("ធ្វើ", "ប៉ាស្ព័រ", "ថ្មី")


def test_dictionary_segmenter_uses_fewest_known_words():
    seg = KhmerDictSegmenter({"ធ្វើការ", "ធ្វើ", "ការ", "ថៃ", "នៅ"}, fallback=lambda s: (s,))
    assert seg("ធ្វើការនៅថៃ") == ("ធ្វើការ", "នៅ", "ថៃ")


def test_dictionary_segmenter_hands_unknown_spans_to_fallback():
    seen = []

    def fallback(span):
        seen.append(span)
        return (span,)

    seg = KhmerDictSegmenter({"ធ្វើការ"}, fallback=fallback)
    assert seg("ធ្វើការបាល់ទាត់") == ("ធ្វើការ", "បាល់ទាត់")
    assert seen == ["បាល់ទាត់"]


def test_glued_words_are_detected():
    assert KhmerDictSegmenter.splits_into_known("ធ្វើការថៃ", {"ធ្វើការ", "ថៃ"})
    assert not KhmerDictSegmenter.splits_into_known("ធ្វើការ", {"ធ្វើការ", "ថៃ"})


def test_tokens_drop_khmer_stop_words():
    toks = tokens("តើខ្ញុំចង់ធ្វើលិខិតឆ្លងដែន")
    assert "តើ" not in toks and "ខ្ញុំ" not in toks
    assert any("លិខិត" in t for t in toks)


# --- Romanized Khmer and English ---------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("tov", "tou", "dov", "tow"),
        ("thver", "tver", "twer", "thveu"),
        ("luy", "lui", "loy"),
        ("tlai", "thlai", "thlay"),
        ("ponman", "ponmann", "bonman"),
        ("knhom", "knyom", "khnhom"),
        ("chbab", "chbap", "jbab"),
    ],
)
def test_romanized_spellings_fold_together(variants):
    keys = {normalize_latin_word(v) for v in variants}
    assert len(keys) == 1, keys


def test_fold_roman_rules():
    assert fold_roman("passsport") == fold_roman("pasport")
    assert fold_roman("phteah") == fold_roman("pteah")
    assert fold_roman("jea") == fold_roman("chea")


def test_english_stem():
    assert english_stem("fees") == "fee"
    assert english_stem("wages") == english_stem("wage")
    assert english_stem("agencies") == "agency"
    assert english_stem("working") == "work"
    assert english_stem("bus") == "bus"


def test_case_and_punctuation_ignored():
    assert tokens("PASSPORT, cost?!") == tokens("passport cost")


# --- Concepts across scripts -----------------------------------------------------


def _terms(text):
    return terms([w for _s, w in raw_words(text)])


@pytest.mark.parametrize("text", ["passport", "Passports", "pasport", "លិខិតឆ្លងដែន", "ប៉ាស្ព័រ", "lekhet chlong den"])
def test_passport_concept_in_every_script(text):
    assert "#passport" in _terms(text)


@pytest.mark.parametrize("text", ["salary", "wages", "ប្រាក់ខែ", "លុយខែ", "prak khe", "luy khe"])
def test_salary_concept_in_every_script(text):
    assert "#salary" in _terms(text)


def test_longest_phrase_wins():
    # "luy khe" is salary, not money + month
    assert _terms("luy khe") == ["#salary"]
    assert _terms("krom hun") == ["#company"]


def test_concept_forms_that_fold_to_stop_words_are_ignored():
    # "sso" folds to "so": it must not turn every "so" into social security
    assert "#socialsecurity" not in _terms("so i do not have to migrate")


def test_concept_table_has_khmer_words_for_the_segmenter():
    assert "លិខិតឆ្លងដែន" in CONCEPT_TABLE.khmer_words
