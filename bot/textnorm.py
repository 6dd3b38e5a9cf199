"""Text normalization for matching: Khmer script, romanized Khmer and English.

Khmer is typed many ways for the same word: invisible zero-width spaces, the
look-alike subscripts of ដ and ត (្ដ / ្ត), old and new spellings (អោយ / ឱ្យ,
សំរាក / សម្រាក), vowels typed before subscripts. Romanized Khmer has no standard
at all ("tov / tou / dov", "thver / tver / twer"). Everything here maps such
variants onto one form so the matcher compares words, not keystrokes.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

# --- Khmer script ---------------------------------------------------------------

KHMER_RUN_RE = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_COENG = "\u17d2"
# Dependent vowels and signs that must follow a subscript (coeng + consonant).
_KHMER_VOWELS = "".join(chr(c) for c in range(0x17B6, 0x17C6)) + "\u17c6\u17c7\u17c8\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0\u17d1\u17d3\u17dd"
_VOWEL_BEFORE_COENG_RE = re.compile(f"([{_KHMER_VOWELS}]+)({_COENG}[\u1780-\u17a2])")
_KM_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")

# Spelling variants that mean the same word: (variant, canonical).
KHMER_VARIANTS: tuple[tuple[str, str], ...] = (
    ("\u17d2\u178a", "\u17d2\u178f"),  # subscript DA looks like subscript TA: ្ដ -> ្ត
    ("អោយ", "ឱ្យ"),
    ("អោ្យ", "ឱ្យ"),
    ("ឲ្យ", "ឱ្យ"),
    ("ឲយ", "ឱ្យ"),
    ("សំរ", "សម្រ"),  # សំរាក -> សម្រាក, សំរាប់ -> សម្រាប់
    ("ដំរ", "តម្រ"),
    ("តំរ", "តម្រ"),
    ("កំរ", "កម្រ"),
    ("ចំរ", "ចម្រ"),
    ("ប៉ាស្ព័រ", "លិខិតឆ្លងដែន"),
    ("ប៉ាស្ពរ", "លិខិតឆ្លងដែន"),
    ("ប៉ាសស្ព័រ", "លិខិតឆ្លងដែន"),
    ("ប៉ាស្ប័រ", "លិខិតឆ្លងដែន"),
    ("ពត៌មាន", "ព័ត៌មាន"),
    ("ពត៍មាន", "ព័ត៌មាន"),
    ("ព៌ត៌មាន", "ព័ត៌មាន"),
    ("កូរ៉េខាងត្បូង", "កូរ៉េ"),
    ("ម៉ាឡេសុី", "ម៉ាឡេស៊ី"),
    ("សុី", "ស៊ី"),
)

KHMER_STOPWORDS = frozenset(
    "តើ ខ្ញុំ ខ្ញុំបាទ បាទ ចាស ចា៎ស ដែរ ទេ ឬ ឬទេ អត់ នឹង និង ជា បាន គឺ ថា ហើយ ណា នេះ នោះ "
    "ផង សូម អ្នក លោក បង ប្អូន គាត់ យើង គេ វា ខ្លះ ដល់ នូវ ក៏ ដោយ ឲ្យ ឱ្យ ពេល ក្នុង របស់ "
    "ម្ដង ម្តង ទៀត ណាស់ សួរ ជួយ ប្រាប់ ចង់ដឹង ដឹង ចង់ យ៉ាងម៉េច ម៉េច ដូចម្តេច ដូចម្ដេច ?".split()
)

_log = logging.getLogger(__name__)


def normalize_khmer(text: str) -> str:
    """NFC, zero-width characters removed, vowel/subscript order fixed, variants folded."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    # A vowel typed before the subscript it belongs under: move the subscript first.
    text = _VOWEL_BEFORE_COENG_RE.sub(r"\2\1", text)
    for variant, canonical in KHMER_VARIANTS:
        if variant in text:
            text = text.replace(variant, canonical)
    return text.translate(_KM_DIGITS)


class _Segmenter:
    """khmer-nltk's word segmenter, loaded once (its CRF model takes about a second)."""

    def __init__(self) -> None:
        self._tokenize = None

    def load(self) -> None:
        if self._tokenize is None:
            from khmernltk import word_tokenize

            # khmer-nltk installs its own DEBUG console handler; keep our logs ours.
            knl = logging.getLogger("khmer-nltk")
            knl.handlers.clear()
            knl.setLevel(logging.WARNING)
            knl.propagate = False
            self._tokenize = word_tokenize
            self._tokenize("ខ្ញុំ")  # load the model now, not on a user's first question

    def __call__(self, run: str) -> list[str]:
        self.load()
        assert self._tokenize is not None
        return [w for w in self._tokenize(run) if w.strip()]


SEGMENTER = _Segmenter()


@lru_cache(maxsize=50_000)
def segment_khmer(run: str) -> tuple[str, ...]:
    """Words of one run of Khmer script (cached: users ask the same things)."""
    if len(run) <= 2:
        return (run,)
    try:
        return tuple(SEGMENTER(run))
    except Exception:  # a segmenter failure must not stop an answer
        _log.exception("Khmer segmentation failed; falling back to the whole run")
        return (run,)


# --- Romanized Khmer and English -----------------------------------------------

# Whole-word spellings of common romanized Khmer words -> one canonical spelling.
ROMAN_WORDS: dict[str, str] = {}
for canonical, variants in {
    "tov": "tov tou dov dow tow tov tau tv tov2 tvo",
    "tver": "thver tver twer thvoeu thveu tveu thvea thvar tvar tve thve tvo3",
    "kar": "ka kaa kar kar2 karr",
    "srok": "srok sruk srock srk",
    "thai": "thai tai tay thay",
    "luy": "luy lui loy luiy louy lue",
    "bong": "bong bang pong",
    "tlai": "tlai thlai thlay tlay tlei",
    "ponman": "ponman ponmann pon man bonman ponmaan pnman",
    "yang": "yang yong",
    "mech": "mech mch mej mij",
    "ban": "ban baan",
    "ot": "ot od aot awt",
    "te": "te tey tei",
    "mean": "mean mien mian",
    "knhom": "knhom knyom khnhom khnom knom kyom",
    "chong": "chong jong chhong",
    "chbab": "chbab chbap chhbab jbab",
    "korea": "korea kore korei kaore koree",
    "japan": "japan jopun chopon japon jbon",
    "malaysia": "malaysia malaysi malesi malay maley malesia",
    "krumhun": "krumhun krom hun kromhun krumhunn",
    "kechsonya": "kechsonya kechsanya kichsonya kech sonya kechsona",
    "passport": "passport pasport passpot paspot passpor pasppor",
    "chomnakrok": "chomnakrok chamnakrok chomnak srok",
    "polkor": "polkor polakor polakar pulkor",
    "ktomtot": "ktomtot",
}.items():
    for v in variants.split():
        ROMAN_WORDS[v] = canonical

ENGLISH_STOPWORDS = frozenset(
    """a an the is are am was were be been being do does did i me my we our you your he she it they
    them their this that these those of in on at to for from by with about as and or if then so can
    could would should will shall may might must please tell know want wanna need hi there what
    which who whom whose when where why how get got have has had any some just also im i'm it's its
    u r pls plz""".split()
)
ROMAN_STOPWORDS = frozenset("tae ter terk knhom kyom knom b bat chas cha te dae derr na ke ey jea chea ban nov".split())

_LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")


def fold_roman(word: str) -> str:
    """A spelling-insensitive key for one Latin-letter word (romanized Khmer or English)."""
    if word in ROMAN_WORDS:
        return ROMAN_WORDS[word]
    w = word
    w = re.sub(r"(.)\1+", r"\1", w)  # doubled letters
    w = w.replace("ph", "p").replace("th", "t").replace("kh", "k").replace("chh", "ch")
    w = w.replace("w", "v").replace("ou", "o").replace("oe", "o").replace("ee", "i").replace("ay", "ai")
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]  # plural
    return ROMAN_WORDS.get(w, w)


def english_stem(word: str) -> str:
    """A very light stemmer: enough for 'fees/fee', 'working/work', 'agencies/agency'."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def tokens(text: str) -> list[str]:
    """Normalized content words of a question, in order, for any of the three scripts."""
    text = normalize_khmer(text.lower())
    out: list[str] = []
    pos = 0
    for m in KHMER_RUN_RE.finditer(text):
        out.extend(_latin_tokens(text[pos : m.start()]))
        for word in segment_khmer(m.group(0)):
            if word not in KHMER_STOPWORDS:
                out.append(word)
        pos = m.end()
    out.extend(_latin_tokens(text[pos:]))
    return out


def _latin_tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = _LATIN_TOKEN_RE.findall(text)
    out = []
    for w in words:
        if w in ENGLISH_STOPWORDS or w in ROMAN_STOPWORDS:
            continue
        out.append(fold_roman(english_stem(w)) if w not in ROMAN_WORDS else ROMAN_WORDS[w])
    return out


def normalize_for_match(text: str) -> str:
    """The string the fuzzy matcher compares: normalized tokens joined by spaces."""
    return " ".join(tokens(text))
