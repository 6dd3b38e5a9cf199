"""Text normalization for matching: Khmer script, romanized Khmer and English.

Khmer is typed many ways for the same word: invisible zero-width spaces, the
look-alike subscripts of ដ and ត (្ដ / ្ត), old and new spellings (អោយ / ឱ្យ,
សំរាក / សម្រាក), vowels or signs typed before subscripts, split vowels (េ + ា for ោ).
Romanized Khmer has no standard at all ("tov / tou / dov", "thver / tver / twer").
Everything here maps such variants onto one form so the matcher compares words,
not keystrokes; concepts then map words of all three scripts that mean the same
thing ("passport", "លិខិតឆ្លងដែន", "ប៉ាស្ព័រ", "lekhet chlong den") onto one shared
term, so an example question written in one script teaches the matcher about
questions typed in the others.

The *rules* (typing order of Khmer marks, folding of romanized spellings, a light
English stemmer) are code, here. The *word lists* are content, edited without a
deploy: Khmer spelling variants, romanized spellings, stop words and concepts live
in ``content/vocabulary/*.yaml``. :mod:`bot.content.vocabulary` loads and checks
them and fills a :class:`Lexicon`, which every function below that needs words
receives; a ``/reload`` builds a new one with the new content.

Word segmentation of Khmer uses khmer-nltk (its CRF model; the segmenter of
record). :class:`KhmerDictSegmenter` is a fast dictionary segmenter whose words
come from khmer-nltk's segmentation of the example questions, so queries are
cut the same way as the examples without running the CRF on every question.
"""
from __future__ import annotations

import logging
import os
import pickle
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from bot.config import DEFAULT_CONTENT_DIR

# --- Khmer script ---------------------------------------------------------------

KHMER_RUN_RE = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
_COENG = "\u17d2"
_RO = "\u179a"
_CONS = "\u1780-\u17a2"
# Dependent vowels and signs that must follow a subscript (coeng + consonant).
_KHMER_VOWELS = "".join(chr(c) for c in range(0x17B6, 0x17C6)) + "\u17c6\u17c7\u17c8\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0\u17d1\u17d3\u17dd"
_DEP_VOWELS = "".join(chr(c) for c in range(0x17B6, 0x17C6))
# The lookbehind starts a match only at the first vowel of a run: without it a long run of
# vowels with no subscript after it is rescanned from each of its positions (quadratic in
# user text). The result is the same: a run matches from its first vowel or not at all.
_VOWEL_BEFORE_COENG_RE = re.compile(f"(?<![{_KHMER_VOWELS}])([{_KHMER_VOWELS}]+)({_COENG}[{_CONS}])")
# Subscript RO is written last among subscripts: ស្រ្ត -> ស្ត្រ.
_RO_FIRST_RE = re.compile(f"({_COENG}{_RO})({_COENG}[{_CONS}])")
# Register shifters (៉ ៊) come before the vowel: ប ុ ៉ -> ប ៉ ុ.
_SHIFTER_AFTER_VOWEL_RE = re.compile(f"([{_DEP_VOWELS}])([\u17c9\u17ca])")
# Nikahit and reahmuk come after the vowel: ំ ុ -> ុ ំ.
_SIGN_BEFORE_VOWEL_RE = re.compile(f"([\u17c6\u17c7])([{_DEP_VOWELS}])")
_DOUBLED_MARK_RE = re.compile(f"([{_KHMER_VOWELS}{_COENG}])\\1+")
# Vowels typed in two parts instead of the one code point.
_SPLIT_VOWELS = (("\u17c1\u17b6", "\u17c4"), ("\u17c1\u17b8", "\u17be"), ("\u17c1\u17b7", "\u17be"))
_KM_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")

_log = logging.getLogger(__name__)


def normalize_khmer(text: str, variants: Iterable[tuple[str, str]] = ()) -> str:
    """NFC, zero-width characters removed, mark order fixed, Khmer digits to ASCII.

    ``variants`` are (spelling, word) pairs folded after the rules, in order: the
    content's Khmer spelling variants (:attr:`Lexicon.khmer_variants`).
    """
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    if not KHMER_RUN_RE.search(text):
        return text
    for split, whole in _SPLIT_VOWELS:
        if split in text:
            text = text.replace(split, whole)
    # A vowel typed before the subscript it belongs under: move the subscript first.
    for _ in range(3):  # a vowel may sit before two subscripts
        fixed = _VOWEL_BEFORE_COENG_RE.sub(r"\2\1", text)
        if fixed == text:
            break
        text = fixed
    text = _RO_FIRST_RE.sub(r"\2\1", text)
    text = _SHIFTER_AFTER_VOWEL_RE.sub(r"\2\1", text)
    text = _SIGN_BEFORE_VOWEL_RE.sub(r"\2\1", text)
    text = _DOUBLED_MARK_RE.sub(r"\1", text)
    for variant, canonical in variants:
        if variant in text:
            text = text.replace(variant, canonical)
    return text.translate(_KM_DIGITS)

class _Segmenter:
    """khmer-nltk's word segmenter (its CRF model and features), loaded once.

    ``khmernltk.word_tokenize`` unpickles a scikit-learn wrapper, which imports
    scikit-learn and SciPy: about two seconds of start-up for nothing. The model
    inside is a plain CRFsuite model, so it is opened directly with
    python-crfsuite and driven with khmer-nltk's own feature functions: the same
    words as ``word_tokenize``, loaded in milliseconds. If that ever fails (a new
    khmer-nltk release), the official ``word_tokenize`` is used instead.
    """

    def __init__(self) -> None:
        self._tokenize: Callable[[str], list[str]] | None = None
        self.fast = False

    def load(self) -> None:
        if self._tokenize is not None:
            return
        # khmer-nltk installs its own DEBUG console handler; keep our logs ours.
        knl = logging.getLogger("khmer-nltk")
        knl.handlers.clear()
        knl.setLevel(logging.WARNING)
        knl.propagate = False
        try:
            self._tokenize = self._load_fast()
            self.fast = True
        except Exception:  # pragma: no cover - depends on the installed khmer-nltk
            _log.warning("fast khmer-nltk loading failed; using khmernltk.word_tokenize", exc_info=True)
            from khmernltk import word_tokenize

            self._tokenize = word_tokenize
        self._tokenize("ខ្ញុំ")  # load the model now, not on a user's first question

    @staticmethod
    def _load_fast() -> Callable[[str], list[str]]:
        import pycrfsuite
        from khmernltk.utils.data import cleanup_str, seg_kcc
        from khmernltk.word_tokenize import model_path
        from khmernltk.word_tokenize.features import create_kcc_features

        class _State:
            def __setstate__(self, state: object) -> None:
                if isinstance(state, dict):
                    self.__dict__.update(state)

        class _Unpickler(pickle.Unpickler):
            def find_class(self, module: str, name: str) -> type:
                # Only the model's own container classes: nothing is imported or executed.
                if module.startswith(("sklearn_crfsuite", "pycrfsuite")):
                    return _State
                raise pickle.UnpicklingError(f"unexpected class in khmer-nltk model: {module}.{name}")

        with open(model_path, "rb") as f:
            crf = _Unpickler(f).load()
        model = crf.modelfile.__dict__["__FILE_RESOURCE_DATA__"]
        tagger = pycrfsuite.Tagger()
        # CRFsuite reads the model from this buffer for as long as the tagger lives:
        # the closure below keeps it referenced (freeing it would crash the process).
        tagger.open_inmemory(model)

        def word_tokenize(text: str) -> list[str]:
            # Mirrors khmernltk.word_tokenize.word_tokenize.
            assert model is not None
            kccs = seg_kcc(cleanup_str(text))
            if not kccs:
                return []
            labels = tagger.tag(create_kcc_features(kccs))
            words: list[str] = []
            for i, label in enumerate(labels):
                if label == "1" or i == 0:
                    words.append(kccs[i])
                else:
                    words[-1] += kccs[i]
            return words

        return word_tokenize

    def __call__(self, run: str) -> list[str]:
        self.load()
        assert self._tokenize is not None
        return [w for w in self._tokenize(run) if w.strip()]


SEGMENTER = _Segmenter()


@lru_cache(maxsize=50_000)
def segment_khmer(run: str) -> tuple[str, ...]:
    """Words of one run of Khmer script by khmer-nltk (cached: users ask the same things)."""
    if len(run) <= 2:
        return (run,)
    try:
        return tuple(SEGMENTER(run))
    except Exception:  # a segmenter failure must not stop an answer
        _log.exception("Khmer segmentation failed; falling back to the whole run")
        return (run,)


# A Khmer character cluster: a base letter with its subscripts, vowels and signs.
_KCC_RE = re.compile(f"[\u1780-\u17b3](?:{_COENG}[{_CONS}]|[\u17b4-\u17d1\u17d3\u17dd])*|.", re.S)


class KhmerDictSegmenter:
    """Fast dictionary segmentation with khmer-nltk's words; khmer-nltk for the rest.

    A run is cut into character clusters and split into the fewest known words
    (dynamic programming). Stretches the dictionary does not cover are given to
    khmer-nltk, so unknown words are still cut the way the segmenter of record
    cuts them.
    """

    MAX_WORD_CLUSTERS = 10
    UNKNOWN_COST = 1.6  # an unknown cluster costs more than a known word

    def __init__(self, words: Iterable[str], fallback: Callable[[str], tuple[str, ...]] = segment_khmer) -> None:
        self.words = frozenset(w for w in words if w and KHMER_RUN_RE.fullmatch(w))
        self._fallback = fallback
        self.segment = lru_cache(maxsize=20_000)(self._segment)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    @staticmethod
    def splits_into_known(word: str, words: frozenset[str] | set[str]) -> bool:
        """Whether ``word`` is a run of two or more other known words (a segmentation slip)."""
        kccs = _KCC_RE.findall(word)
        n = len(kccs)
        if n < 2:
            return False
        ok = [True] + [False] * n
        for i in range(n):
            if not ok[i]:
                continue
            piece = ""
            for j in range(i, n):
                piece += kccs[j]
                if (i, j) != (0, n - 1) and piece in words:
                    ok[j + 1] = True
        return ok[n]

    def _segment(self, run: str) -> tuple[str, ...]:
        kccs = _KCC_RE.findall(run)
        n = len(kccs)
        words = self.words
        inf = float("inf")
        cost = [0.0] + [inf] * n
        back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
        for i in range(n):
            if cost[i] == inf:
                continue
            # Unknown single cluster.
            c = cost[i] + self.UNKNOWN_COST
            if c < cost[i + 1]:
                cost[i + 1], back[i + 1] = c, (i, False)
            piece = ""
            for j in range(i, min(n, i + self.MAX_WORD_CLUSTERS)):
                piece += kccs[j]
                if piece in words:
                    c = cost[i] + 1.0
                    if c < cost[j + 1] or (c == cost[j + 1] and not back[j + 1][1]):
                        cost[j + 1], back[j + 1] = c, (i, True)
        out: list[str] = []
        j = n
        pieces: list[tuple[str, bool]] = []
        while j > 0:
            i, known = back[j]
            pieces.append(("".join(kccs[i:j]), known))
            j = i
        pieces.reverse()
        unknown = ""
        for piece, known in pieces:
            if known:
                if unknown:
                    out.extend(self._unknown(unknown))
                    unknown = ""
                out.append(piece)
            else:
                unknown += piece
        if unknown:
            out.extend(self._unknown(unknown))
        return tuple(out)

    def _unknown(self, span: str) -> tuple[str, ...]:
        if len(_KCC_RE.findall(span)) <= 1:
            return (span,)
        return self._fallback(span)

    def __call__(self, run: str) -> tuple[str, ...]:
        return self.segment(run)


# --- Romanized Khmer and English: the rules ------------------------------------------

_LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DOUBLE_RE = re.compile(r"(.)\1+")


def fold_spelling(word: str) -> str:
    """The spelling rules alone: doubled letters, ph/p, th/t, kh/k, j/ch, w/v, ou/o, oe/o, ee/i, ay/ai, plural s."""
    w = _DOUBLE_RE.sub(r"\1", word)  # doubled letters
    w = w.replace("chh", "ch").replace("ph", "p").replace("th", "t").replace("kh", "k")
    if w.startswith("j"):
        w = "ch" + w[1:]
    w = w.replace("w", "v").replace("ou", "o").replace("oe", "o").replace("ee", "i").replace("ay", "ai")
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]  # plural
    return w


def english_stem(word: str) -> str:
    """A very light stemmer: enough for 'fees/fee', 'working/work', 'agencies/agency', 'wages/wage'."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("ing") and len(word) - 3 >= 3:
        return word[:-3]
    if word.endswith("ed") and len(word) - 2 >= 3:
        return word[:-2] if not word.endswith("eed") else word[:-1]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) - 1 >= 3:
        return word[:-1]
    return word


def latin_words(text: str) -> list[str]:
    """The Latin-letter words of a text: accents and apostrophes dropped, split on anything else."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'", "").replace("\u2019", "")
    return _LATIN_TOKEN_RE.findall(text)


# --- The word lists: content/vocabulary ---------------------------------------------

SCRIPTS = ("en", "km", "km-latn")
VOCABULARY_DIR = "vocabulary"  # under the content folder
# What each file of content/vocabulary holds (see Lexicon.from_documents).
VOCABULARY_FILES = {
    "concepts": "concepts.yaml",
    "spellings": "spellings.yaml",
    "stopwords": "stopwords.yaml",
    "khmer_variants": "khmer_variants.yaml",
}


class Lexicon:
    """The matcher's word lists, and the text functions that need them.

    Built by :mod:`bot.content.vocabulary` from ``content/vocabulary/*.yaml`` (checked,
    with file:line errors); immutable once built, so a reload makes a new one.

    * ``khmer_variants``: (spelling, word) pairs, folded in order after the typing-order rules;
    * ``spellings``: romanized word -> its spellings ("tov": "tou", "dov"...);
    * ``stopwords``: script (en | km | km-latn) -> words that say nothing about a topic;
    * ``concepts``: (concept id, forms) in order; a form is a word or phrase in any script.
    """

    def __init__(
        self,
        concepts: Iterable[tuple[str, Iterable[str]]] = (),
        spellings: Mapping[str, Iterable[str]] | None = None,
        stopwords: Mapping[str, Iterable[str]] | None = None,
        khmer_variants: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.khmer_variants: tuple[tuple[str, str], ...] = tuple((v, w) for v, w in khmer_variants)
        roman: dict[str, str] = {}
        for word, variants in (spellings or {}).items():
            roman[word] = word
            for v in variants:
                roman[v] = word
        self.roman_words: dict[str, str] = roman
        stop = stopwords or {}
        self.english_stopwords = frozenset(stop.get("en", ()))
        self.khmer_stopwords = frozenset(stop.get("km", ()))
        self.roman_stopwords = frozenset(stop.get("km-latn", ()))
        self.stop_keys = frozenset(self.normalize_latin_word(w) for w in self.english_stopwords | self.roman_stopwords)
        self.concept_forms: tuple[tuple[str, tuple[str, ...]], ...] = tuple((cid, tuple(forms)) for cid, forms in concepts)
        self.concepts = ConceptTable(self.concept_forms, self)

    @classmethod
    def from_documents(cls, docs: Mapping[str, Any]) -> "Lexicon":
        """A lexicon from the parsed files of content/vocabulary (keys of VOCABULARY_FILES; any may be missing)."""
        concepts = [
            (c["id"], [f for script in SCRIPTS for f in c.get(script) or ()])
            for c in (docs.get("concepts") or {}).get("concepts") or ()
        ]
        spellings = {s["word"]: list(s.get("spellings") or ()) for s in (docs.get("spellings") or {}).get("spellings") or ()}
        stopwords = {script: list((docs.get("stopwords") or {}).get(script) or ()) for script in SCRIPTS}
        variants = [(v, e["word"]) for e in (docs.get("khmer_variants") or {}).get("variants") or () for v in e.get("spellings") or ()]
        return cls(concepts, spellings, stopwords, variants)

    @classmethod
    def read(cls, content_dir: Path) -> "Lexicon":
        """The lexicon of a content folder, read without the content check (see :func:`default_lexicon`)."""
        import yaml

        docs = {}
        for kind, name in VOCABULARY_FILES.items():
            path = Path(content_dir) / VOCABULARY_DIR / name
            if path.is_file():
                docs[kind] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls.from_documents(docs)

    # --- Khmer

    def normalize_khmer(self, text: str) -> str:
        """:func:`normalize_khmer` with this lexicon's spelling variants."""
        return normalize_khmer(text, self.khmer_variants)

    # --- Latin letters

    def fold_roman(self, word: str) -> str:
        """A spelling-insensitive key for one Latin-letter word (romanized Khmer or English)."""
        roman = self.roman_words
        if word in roman:
            return roman[word]
        w = fold_spelling(word)
        return roman.get(w, w)

    def normalize_latin_word(self, word: str) -> str:
        """One Latin word to its matching key: known romanized spellings, else stemmed and folded."""
        if word in self.roman_words:
            return self.roman_words[word]
        return self.fold_roman(english_stem(word))

    # --- Words of a text

    def is_stopword(self, word: str) -> bool:
        return word in self.khmer_stopwords or word in self.stop_keys or word.isdigit()

    def raw_words(self, text: str, segment: Callable[[str], tuple[str, ...]] = segment_khmer) -> list[tuple[str, str]]:
        """Normalized words of a text in order, each with its script: ("km" | "latn", word)."""
        text = self.normalize_khmer(text.lower())
        norm = self.normalize_latin_word
        out: list[tuple[str, str]] = []
        pos = 0
        for m in KHMER_RUN_RE.finditer(text):
            out.extend(("latn", norm(w)) for w in latin_words(text[pos : m.start()]))
            out.extend(("km", w) for w in segment(m.group(0)))
            pos = m.end()
        out.extend(("latn", norm(w)) for w in latin_words(text[pos:]))
        return out

    def tokens(self, text: str, segment: Callable[[str], tuple[str, ...]] = segment_khmer) -> list[str]:
        """Normalized content words of a question, in order, for any of the three scripts."""
        return [w for _script, w in self.raw_words(text, segment) if not self.is_stopword(w)]

    def terms(self, words: list[str]) -> list[str]:
        """Content words with shared concepts (``#passport``) in place of their phrases; stop words dropped."""
        return [t for t, is_concept in self.concepts.map(words) if is_concept or not self.is_stopword(t)]

    def normalize_for_match(self, text: str) -> str:
        """The string a fuzzy matcher compares: normalized content words joined by spaces."""
        return " ".join(self.terms([w for _s, w in self.raw_words(text)]))

    def form_key(self, form: str) -> tuple[str, ...]:
        """What a concept form is matched as: its folded Latin words, or one Khmer word as written.

        Khmer forms are not normalized here: the content check requires them written
        normalized (what :meth:`normalize_khmer` makes of user text), so editors see the
        very word the matcher compares.
        """
        form = form.strip().lower()
        if KHMER_RUN_RE.search(form):
            return (form,)
        return tuple(self.normalize_latin_word(w) for w in latin_words(form))


class ConceptTable:
    """Token sequences (normalized) that stand for a shared concept ``#name``.

    Latin forms are folded like user input (so "pasport" and "passports" need no entry);
    Khmer forms, written normalized, become dictionary words of the segmenter, so they are
    cut as one word.
    When two concepts claim the same sequence the first one keeps it (the content check
    reports such a clash), and a one-word form that folds to a stop word is ignored.
    """

    MAX_PHRASE = 5

    def __init__(self, concepts: Iterable[tuple[str, Iterable[str]]], lexicon: Lexicon) -> None:
        self.phrases: dict[tuple[str, ...], str] = {}
        self.khmer_words: set[str] = set()
        for concept, forms in concepts:
            term = "#" + concept
            for form in forms:
                if not form.strip():
                    continue
                key = lexicon.form_key(form)
                if len(key) == 1 and KHMER_RUN_RE.search(key[0]):
                    self.khmer_words.add(key[0])
                    self.phrases.setdefault(key, term)
                elif key and not (len(key) == 1 and key[0] in lexicon.stop_keys):
                    self.phrases.setdefault(key, term)
        self.latin_words = {w for key in self.phrases for w in key if not KHMER_RUN_RE.search(w)}

    def map(self, words: list[str]) -> list[tuple[str, bool]]:
        """Longest phrases first: (term, is_concept) for each phrase or word."""
        out: list[tuple[str, bool]] = []
        i, n = 0, len(words)
        while i < n:
            for size in range(min(self.MAX_PHRASE, n - i), 0, -1):
                piece = words[i : i + size]
                term = self.phrases.get(tuple(piece))
                if term is None and size > 1 and all(KHMER_RUN_RE.fullmatch(w) for w in piece):
                    # A Khmer concept word the segmenter cut in pieces (ប្រាក់ + ខែ).
                    term = self.phrases.get(("".join(piece),))
                if term:
                    out.append((term, True))
                    i += size
                    break
            else:
                out.append((words[i], False))
                i += 1
        return out


@lru_cache(maxsize=1)
def _default_lexicon(content_dir: Path, _stamp: tuple) -> Lexicon:
    try:
        return Lexicon.read(content_dir)
    except Exception:  # a broken file must not stop a report; the content check names it
        _log.warning("cannot read the vocabulary under %s; using none", content_dir, exc_info=True)
        return Lexicon()


def default_lexicon() -> Lexicon:
    """The vocabulary of the configured content folder, for code that has no loaded content at hand.

    The bot and the matcher use the lexicon of their loaded ``Content`` (reloaded with it);
    this is for helpers such as the grouping of unanswered questions in reports. It is read
    again when a file changes; it is not checked (``python -m bot content check`` is).
    """
    root = Path(os.environ.get("BOT_CONTENT_DIR", "").strip() or DEFAULT_CONTENT_DIR)
    stamp = []
    for name in VOCABULARY_FILES.values():  # read again when an editor changes a file
        try:
            stamp.append((name, (root / VOCABULARY_DIR / name).stat().st_mtime_ns))
        except OSError:
            stamp.append((name, None))
    return _default_lexicon(root, tuple(stamp))


def normalize_for_match(text: str, lexicon: Lexicon | None = None) -> str:
    """The string a fuzzy matcher compares: normalized content words joined by spaces."""
    return (lexicon or default_lexicon()).normalize_for_match(text)
