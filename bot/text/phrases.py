"""Keys for matching short phrases the way people type them: the danger signals and place names.

Latin words (English and romanized Khmer) are folded so spelling variants meet
("juy phong", "jouy pong", "chuy phong"); Khmer is compared without spaces and without
subscript marks, so a phrase still matches when a user drops a subscript (ខញុំ for
ខ្ញុំ) or splits a word with a space. All patterns here are linear (no backtracking).
"""
from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_KHMER_RUN = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]+")
_DOUBLE = re.compile(r"(.)\1+")
_COENG = "\u17d2"
# Spelling variants of one Khmer word that differ by more than a subscript. Applied before
# subscript marks are dropped: the subscripts of ដ and ត look the same and are typed either way.
_KHMER_PRE_FOLDS = (("\u17d2\u178f", "\u17d2\u178a"), ("ុំា", "៉ាំ"), ("ុាំ", "៉ាំ"))
_KHMER_FOLDS = (("អោយ", "ឱយ"), ("ឲយ", "ឱយ"), ("សំ", "សម"))
MIN_PREFIX = 4  # a phrase word this long also matches words that start with it


def clean(text: str) -> str:
    """NFC, lower case, zero-width characters removed, apostrophes dropped (can't -> cant)."""
    text = unicodedata.normalize("NFC", text).lower()
    return _ZERO_WIDTH.sub("", text).replace("'", "").replace("\u2019", "")


def fold_latin(word: str) -> str:
    """One Latin word, spelling-insensitive: doubled letters, chh/ch, ph/p, th/t, kh/k, j/ch, w/v, ou/o, ee/i, ay/ai."""
    w = _DOUBLE.sub(r"\1", word)
    w = w.replace("chh", "ch").replace("ph", "p").replace("th", "t").replace("kh", "k")
    if w.startswith("j"):
        w = "ch" + w[1:]
    return w.replace("w", "v").replace("ou", "o").replace("oe", "o").replace("ee", "i").replace("ay", "ai")


def latin_words(text: str) -> list[str]:
    """The folded Latin words of a text, in order (Khmer and punctuation dropped)."""
    return [fold_latin(w) for w in _LATIN_WORD.findall(clean(text))]


def khmer_key(text: str) -> str:
    """The Khmer of a text as one string: no spaces, no subscript marks, a few variants folded."""
    runs = "".join(_KHMER_RUN.findall(clean(text)))
    for variant, canonical in _KHMER_PRE_FOLDS:
        runs = runs.replace(variant, canonical)
    key = runs.replace(_COENG, "")
    for variant, canonical in _KHMER_FOLDS:
        key = key.replace(variant, canonical)
    return key


def has_khmer(text: str) -> bool:
    return _KHMER_RUN.search(text) is not None


def has_latin(text: str) -> bool:
    return re.search(r"[A-Za-z]", text) is not None


def word_matches(pattern: str, word: str) -> bool:
    """A phrase word matches a message word whole, or as its start when it is MIN_PREFIX letters or more."""
    return word == pattern or (len(pattern) >= MIN_PREFIX and word.startswith(pattern))


def find_phrase(words: list[str], phrase: list[str], max_gap: int = 2) -> int | None:
    """Index of the first word of ``phrase`` in ``words`` (in order, at most ``max_gap`` words between), or None."""
    if not phrase:
        return None
    for start, word in enumerate(words):
        if not word_matches(phrase[0], word):
            continue
        pos, ok = start, True
        for part in phrase[1:]:
            for nxt in range(pos + 1, min(pos + 2 + max_gap, len(words))):
                if word_matches(part, words[nxt]):
                    pos = nxt
                    break
            else:
                ok = False
                break
        if ok:
            return start
    return None
