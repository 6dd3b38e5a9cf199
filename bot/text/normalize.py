"""Text normalization for matching: Khmer script, romanized Khmer and English.

Khmer is typed many ways for the same word: invisible zero-width spaces, the
look-alike subscripts of ដ and ត (្ដ / ្ត), old and new spellings (អោយ / ឱ្យ,
សំរាក / សម្រាក), vowels or signs typed before subscripts, split vowels (េ + ា for ោ).
Romanized Khmer has no standard at all ("tov / tou / dov", "thver / tver / twer").
Everything here maps such variants onto one form so the matcher compares words,
not keystrokes; :data:`CONCEPTS` then maps words of all three scripts that mean
the same thing ("passport", "លិខិតឆ្លងដែន", "ប៉ាស្ព័រ", "lekhet chlong den") onto
one shared term, so an example question written in one script teaches the
matcher about questions typed in the others.

Word segmentation of Khmer uses khmer-nltk (its CRF model; the segmenter of
record). :class:`KhmerDictSegmenter` is a fast dictionary segmenter whose words
come from khmer-nltk's segmentation of the example questions, so queries are
cut the same way as the examples without running the CRF on every question.
"""
from __future__ import annotations

import logging
import pickle
import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterable

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
    ("ប៉ាសព័រ", "លិខិតឆ្លងដែន"),
    ("ពត៌មាន", "ព័ត៌មាន"),
    ("ពត៍មាន", "ព័ត៌មាន"),
    ("ព៌ត៌មាន", "ព័ត៌មាន"),
    ("ព័ត៍មាន", "ព័ត៌មាន"),
    ("កូរ៉េខាងត្បូង", "កូរ៉េ"),
    ("ម៉ាឡេសុី", "ម៉ាឡេស៊ី"),
    ("សុី", "ស៊ី"),
    ("ទូរសព្ទ", "ទូរស័ព្ទ"),
    ("ទូរស្ព័ទ", "ទូរស័ព្ទ"),
    ("ប្តី", "ប្ដី"),
    ("ស្ថានទូទ", "ស្ថានទូត"),
    ("ហ្នឹង", "នឹង"),
)

KHMER_STOPWORDS = frozenset(
    "តើ ខ្ញុំ ខ្ញុំបាទ បាទ ចាស ចា៎ស ចា ដែរ ទេ ឬ ឬទេ អត់ នឹង និង ជា បាន គឺ ថា ហើយ ណា នេះ នោះ "
    "ផង សូម អ្នក លោក បង ប្អូន គាត់ យើង គេ វា ខ្លះ ដល់ នូវ ក៏ ដោយ ឲ្យ ឱ្យ ពេល ក្នុង របស់ "
    "ម្ដង ម្តង ទៀត ណាស់ សួរ ប្រាប់ ចង់ដឹង ដឹង ចង់ យ៉ាងម៉េច ម៉េច ដូចម្តេច ដូចម្ដេច អ្វី អី "
    "មែន មែនទេ ឬអត់ ទេឬ ហ្នឹង នៅ ពី មក ដែល ខាង ទើប ឬក៏ ដើម្បី សម្រាប់ នៃ គឺជា រួច ទាំងអស់ គ្នា ទាំងអស់គ្នា ត្រូវ ត្រូវការ ចង់បាន គួរ "
    "? ៗ ។ ៕".split()
)

_log = logging.getLogger(__name__)


def normalize_khmer(text: str) -> str:
    """NFC, zero-width characters removed, mark order fixed, variants folded, Khmer digits to ASCII."""
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
    for variant, canonical in KHMER_VARIANTS:
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


# --- Romanized Khmer and English -----------------------------------------------

# Whole-word spellings of common romanized Khmer words -> one canonical spelling.
# Words that carry meaning are also listed in CONCEPTS below; this table is for the
# spelling of frequent words, so that folding treats them alike before any lookup.
ROMAN_WORDS: dict[str, str] = {}
for canonical, variants in {
    "tov": "tov tou dov dow tow tau tov2 teu",  # not "tv": that is television in English
    "thver": "thver tver twer thvoeu thveu tveu thvea thvar tvar tve thve thvae thvoe tvoe tver2 tvae",
    "kar": "ka kaa kar kar2 karr kaar",
    "ngar": "ngar ngea ngear nga ngea2 ngie",
    "srok": "srok sruk srock srk srouk",
    "thai": "thai tai tay thay",
    "luy": "luy lui loy luiy louy lue luoy",
    "bong": "bong bang pong",
    "tlai": "tlai thlai thlay tlay tlei thley",
    "ponman": "ponman ponmann bonman ponmaan pnman ponma pon2 ponmam pnm ponmanh",
    "yang": "yang yong yeang jeang jiang",
    "mech": "mech mch mej mij mec mdech",
    "ban": "ban baan",
    "ot": "ot od aot awt at ort",
    "te": "te tey tei",
    "mean": "mean mien mian mein",
    "knhom": "knhom knyom khnhom khnom knom kyom knhum kjom khjom",
    "chong": "chong jong chhong",
    "chbab": "chbab chbap chhbab jbab chbob",
    "korea": "korea kore korei kaore koree korean",
    "japan": "japan jopun chopon japon jbon jopon chbon",
    "malaysia": "malaysia malaysi malesi malay maley malesia male",
    "krom": "krom krum krom2",
    "hun": "hun hunn hoon",
    "kechsonya": "kechsonya kechsanya kichsonya kechsona kechsanyar",
    "passport": "passport pasport passpot paspot passpor pasppor paspor passprt pasprt",
    "polakor": "polakor polakar pulkor polokor pollakor polkor palakor",
    "ktomtot": "ktomtot",
    "trov": "trov trouv trow trou tro",
    "nov": "nov nou now nau nv nuv",
    "oy": "oy ouy aoy oi aoi",
    "krau": "krau krao kraw krav krov",
    "prates": "prates pratesh protes prateh protesh pratet",
    "chuoy": "chuoy chuay jouy chhuoy juoy chouy chuy choy jui juy",
    "setthi": "setthi sethi setti sith sitthi setthe",
    "sahachip": "sahachip sahakchip sahachep",
    "phteah": "phteah pteah phtea ptea phdeah",
    "vinh": "vinh vinj vin",
    "mok": "mok mork",
    "pdeng": "pdeng pdoeng pdung bdeng pdeung",
    "thngai": "thngai tngai thngay tngay tgnai thgnai",
    "khe": "khe kae",
    "prak": "prak brak",
    "mun": "mun mon moun",
    "rean": "rean rien rian",
    "pheasa": "pheasa phiasa peasa phasa",
    "rok": "rok rork",
    "yok": "yok yuk",
}.items():
    for v in variants.split():
        ROMAN_WORDS[v] = canonical

ENGLISH_STOPWORDS = frozenset(
    """a an the is are am was were be been being do does did i me my we our you your he she it they
    them their this that these those of in on at to for from by with about as and or if then so can
    could would should will shall may might must please tell know want wanna need there what
    which who whom whose when where why how get got have has had any some just also im i'm it's its
    u r pls plz us him her his hers mine yours ok okay now still very really much many more yet
    into out up than too dont don't cant can't isnt doesnt didnt hasnt wont not no here anybody anyone
    someone somebody something everyone everybody thing things way lot lots say says said told ask asked
    give gave given make made let put one two three four five anything else other such only even well""".split()
)
ROMAN_STOPWORDS = frozenset(
    "tae ter terk knhom kyom knom b bat chas cha te dae derr na ke ey jea chea ban nov neak ni nis nih "
    "oy ah euy ei hai tam pi mok kor ko ke kom mneak nig chong yang mech mdech men klah avey avei ey "
    "tha pel ot trov deng doeng som jes chea".split()
)

_LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DOUBLE_RE = re.compile(r"(.)\1+")


def fold_roman(word: str) -> str:
    """A spelling-insensitive key for one Latin-letter word (romanized Khmer or English)."""
    if word in ROMAN_WORDS:
        return ROMAN_WORDS[word]
    w = _DOUBLE_RE.sub(r"\1", word)  # doubled letters
    w = w.replace("chh", "ch").replace("ph", "p").replace("th", "t").replace("kh", "k")
    if w.startswith("j"):
        w = "ch" + w[1:]
    w = w.replace("w", "v").replace("ou", "o").replace("oe", "o").replace("ee", "i").replace("ay", "ai")
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]  # plural
    return ROMAN_WORDS.get(w, w)


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


def normalize_latin_word(word: str) -> str:
    """One Latin word to its matching key: known romanized spellings, else stemmed and folded."""
    if word in ROMAN_WORDS:
        return ROMAN_WORDS[word]
    return fold_roman(english_stem(word))


_STOP_KEYS = frozenset(normalize_latin_word(w) for w in ENGLISH_STOPWORDS | ROMAN_STOPWORDS)


def _latin_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'", "").replace("\u2019", "")
    return _LATIN_TOKEN_RE.findall(text)


# --- Concepts shared by the three scripts --------------------------------------

# concept -> forms separated by commas; a form is one word or a phrase, in any script.
# Latin forms are folded like user input (so "pasport" and "passports" need no entry);
# Khmer forms become dictionary words of the segmenter, so they are cut as one word.
CONCEPTS: dict[str, str] = {
    "go": "go, going, went, travel, ទៅ, tov",
    "work": "work, working, job, jobs, employment, labour, labor, ធ្វើការ, ការងារ, ការធ្វើការ, thver kar, kar ngar, karngar, kangar, "
    "thverkar, thveukar, karngea, kangea",
    "abroad": "abroad, overseas, foreign, another country, other country, outside cambodia, ក្រៅប្រទេស, បរទេស, ប្រទេសក្រៅ, "
    "krau prates, bor tes, bortes, borotes, krau srok, prates krau, "
    "bortesh, bor tesh",
    "legal": "legal, legally, lawful, lawfully, legitimate, regular, proper, official, ស្របច្បាប់, ត្រឹមត្រូវ, តាមច្បាប់, ផ្លូវការ, តាមផ្លូវច្បាប់, "
    "srob chbab, srab chbab, trem trov, tam chbab, phlov kar, srobchbab, "
    "trom trov, treum trov, srabchbab",
    "law": "law, laws, ច្បាប់, chbab",
    "illegal": "illegal, illegally, irregular, undocumented, unregistered, smuggle, smuggled, sneak, ខុសច្បាប់, គ្មានច្បាប់, អត់ច្បាប់, "
    "មិនស្របច្បាប់, លួច, លួចឆ្លង, khos chbab, ot chbab, louch, luoch, kmean chbab, "
    "khus chbab, ngorngit, ngongit, ngor ngit, luch",
    "border": "border, ព្រំដែន, prum den, prom den, prumden, promden, "
    "prom daen, prum dein, prom dein, promdaen, prumdaen",
    "cross": "cross, crossing, ឆ្លង, chhlong, chlong",
    "thailand": "thailand, thai, siam, bangkok, ថៃ, សៀម, បាងកក, ប្រទេសថៃ, srok thai, thai land, "
    "srok siem, siem, thailan, tai lan, prates thai",
    "korea": "korea, korean, south korea, កូរ៉េ, ប្រទេសកូរ៉េ, kaoly, "
    "kaoli, kouli, kouri, koria, korie, kaori, kore tbong",
    "eps": "eps, topik, eps topik, eps-topik",
    "malaysia": "malaysia, malaysian, kuala lumpur, ម៉ាឡេស៊ី, ប្រទេសម៉ាឡេស៊ី, ម៉ាឡេ, "
    "malai, malaysa, maleysia, malaisia, malaisie, malesie",
    "japan": "japan, japanese, ជប៉ុន, ប្រទេសជប៉ុន, "
    "japun, cheapon, chiapon, japoun, jabon",
    "othercountry": "saudi, saudi arabia, arabia, qatar, dubai, uae, emirates, kuwait, oman, hong kong, hongkong, singapore, taiwan, "
    "middle east, gulf, អារ៉ាប៊ីសាអូឌីត, សាអូឌីត, អារ៉ាប៊ី, កាតា, ឌូបៃ, គុយវ៉ែត, ហុងកុង, សិង្ហបុរី, តៃវ៉ាន់, singapo, singapor, arab, "
    "saodi, saudy, arabi, kata, katar, qata, brunei, prunei, ប្រ៊ុយណេ",
    "cambodia": "cambodia, cambodian, cambodians, khmer, កម្ពុជា, ខ្មែរ, ប្រទេសកម្ពុជា, kampuchea, kampuchia",
    "passport": "passport, លិខិតឆ្លងដែន, lekhet chlong den, likhet chlong den, lekhet chhlong den, lik het chlong den, "
    "paspo, lekhet chlongden, likhet chlongden, lekhit chlong den, lekhit chlongden",
    "visa": "visa, វីសា, ទិដ្ឋាការ",
    "permit": "work permit, permit, permits, work card, ប័ណ្ណការងារ, ប័ណ្ណ, បណ្ណការងារ, bannh kar ngar, bannh, "
    "bannh karngar, bann kar ngar",
    "document": "document, documents, papers, paper, paperwork, ឯកសារ, ក្រដាស, eksa, ekasar, eksar, aeksar, krodas, kradas, "
    "ekasa, aekasa, aeksa, aekasar, ek sa, ek sar, eaksa, kordas, krdas",
    "copy": "copy, copies, photocopy, ច្បាប់ចម្លង, ថតចម្លង, ចម្លង, chbab chamlong, chamlong, chomlong, "
    "thot chamlong, thot chomlong",
    "cost": "cost, costs, price, fee, fees, charge, charges, expensive, cheap, pay for, ថ្លៃ, តម្លៃ, ចំណាយ, ថ្លៃសេវា, ថោក, "
    "tlai, tamlai, chamnay, chomnay, tomlai, "
    "domlai, tlai seva, tlai sevak",
    "howmuch": "how much, how many, ប៉ុន្មាន, ponman, "
    "pon man, bon man",
    "money": "money, cash, dollar, dollars, usd, baht, riel, ringgit, លុយ, ប្រាក់, ដុល្លារ, luy, prak, dolla",
    "pay": "pay, paid, payment, bong luy, បង់, បង់លុយ, បង់ប្រាក់",
    "salary": "salary, salaries, wage, wages, income, earn, earnings, ប្រាក់ខែ, លុយខែ, ប្រាក់ឈ្នួល, ឈ្នួល, prak khe, luy khe, chnuol, prak chnuol, "
    "chnoul, prak chnoul, salari",
    "overtime": "overtime, extra hours, ថែមម៉ោង, លើសម៉ោង, ម៉ោងបន្ថែម, thaem maong, leus maong, lues maong, "
    "thaem mong, them mong, them maong",
    "hours": "hours, hour, working hours, ម៉ោង, maong, mong",
    "dayoff": "day off, days off, rest day, rest, holiday, holidays, ថ្ងៃសម្រាក, សម្រាក, samrak, somrak, thngai samrak, "
    "thngai chhob, thngai chhop, chhob samrak, chhop samrak, sam rak, som rak",
    "day": "day, days, ថ្ងៃ, thngai",
    "month": "month, months, ខែ, khe",
    "company": "company, companies, agency, agencies, agent, firm, ក្រុមហ៊ុន, ភ្នាក់ងារ, krom hun, kromhun, phneak ngar, agensy, "
    "krumhun, krom houn, kromhoun, krumhoun, kompany",
    "recruitment": "recruitment, recruiting, recruit, ជ្រើសរើស, បញ្ជូនពលករ, ក្រុមហ៊ុនបញ្ជូនពលករ, chreus reus",
    "broker": "broker, brokers, middleman, recruiter, recruiters, មេខ្យល់, me kjol, mekhyal, mekhyol, me khyal, mekjol, me kyol, me khjol, "
    "mekhjal, me kjal",
    "employer": "employer, employers, boss, owner, ថៅកែ, និយោជក, thaokae, thaokea, taokae, taoke, thau kae, thao kae, niyocheak, "
    "thaokay, thao kay, taukae",
    "contract": "contract, contracts, agreement, កិច្ចសន្យា, កុងត្រា, កិច្ចសន្យាការងារ, kechsonya, kech sanya, kech sonya, kech sonnya, kong tra, "
    "kontra, kongtra, "
    "kech snya, ketch sanya, kech sanhnha, kontrak",
    "promise": "promise, promised, promises, សន្យា, sanya, sonya",
    "sign": "sign, signed, signing, ចុះហត្ថលេខា, ចុះកិច្ចសន្យា, chos hatthalekha",
    "debt": "debt, debts, owe, owed, loan, loans, borrow, borrowed, lend, lender, loan shark, microfinance, mfi, "
    "បំណុល, ជំពាក់, ខ្ចី, កម្ចី, ខ្ចីលុយ, ជំពាក់លុយ, bomnol, bamnol, chompeak, chompeak luy, kchey, kchei, kamchey, kchey luy, "
    "bomnul, bamnul, kji, kchi, kjey, kji luy",
    "health": "health, medical, medical check, checkup, check up, health check, សុខភាព, ពិនិត្យសុខភាព, sokhapheap, sokhaphap, pinit sokhapheap, "
    "sukhapheap, sokhapheab, sokhaphiep, sukhaphap",
    "sick": "sick, ill, illness, disease, sickness, ឈឺ, ជំងឺ, chheu, chhue, chhoeu, chomngeu, chumngeu, "
    "chheou, chumgneu",
    "doctor": "doctor, hospital, clinic, nurse, medicine, ពេទ្យ, មន្ទីរពេទ្យ, គ្រូពេទ្យ, ថ្នាំ, pet, mon ti pet, montir pet, tnam, "
    "montipet, mondir pet, mundi pet, munti pet, mondipet, kru pet, krou pet, krupet",
    "blood": "blood, ឈាម, chheam, chhiam",
    "check": "check, checking, test, examine, examination, verify, ពិនិត្យ, pinit, pinet, chek",
    "insurance": "insurance, insured, insurence, ធានារ៉ាប់រង, theanea rabrong, thanea rab rong, theanea rab rong, "
    "thanea rabrong, theana rabrong, assurance",
    "compensation": "compensation, compensate, សំណង, ប្រាក់សំណង, somnong, samnong, sam nong, "
    "somnang, samnang, som nong",
    "accident": "accident, accidents, injury, injured, injure, hurt, broke, broken, wound, គ្រោះថ្នាក់ការងារ, របួស, បាក់, robuos, robous, bak, "
    "rbuos, robuh",
    "danger": "danger, dangerous, risk, risks, risky, unsafe, harm, problem, problems, wrong, គ្រោះថ្នាក់, ហានិភ័យ, បញ្ហា, "
    "kroh thnak, krous thnak, kruos thnak, hanipey, banhha",
    "socialsecurity": "social security, nssf, sso, sick pay, សន្តិសុខសង្គម, ប្រាក់ឧបត្ថម្ភ, santesok sangkum, sontesok sangkum, "
    "santisok sangkum, sontisok songkum, santisok sangkom, sontesok songkum, santesok songkom, bo so so, bososo",
    "rights": "right, rights, សិទ្ធិ, setthi, "
    "sithi",
    "worker": "worker, workers, labourer, labourers, laborer, employee, employees, staff, ពលករ, កម្មករ, និយោជិត, polakor, kammakor, kamakor, kamma kor, "
    "kamkor",
    "migrant": "migrant, migrants, migration, migrate, migrating, emigrate, ចំណាកស្រុក, ពលករចំណាកស្រុក, chomnak srok, chamnak srok, chomnakrok",
    "union": "union, unions, trade union, labour union, labor union, សហជីព, sahachip",
    "association": "association, associations, សមាគម, samakum, samakom",
    "organisation": "organisation, organisations, organization, organizations, ngo, ngos, charity, អង្គការ, angkar, angka, ongkar, "
    "ongka",
    "government": "government, ministry, ministries, state, authorities, authority, ក្រសួង, រដ្ឋាភិបាល, រដ្ឋ, ស្ថាប័នរដ្ឋ, krasuong, krosuong, "
    "rodthaphibal, rot, "
    "rodth, rotthaphibal, krasuang, krasoung, ksuong",
    "labouroffice": "molvt, labour ministry, labor ministry, ministry of labour, ministry of labor, labour department, labor department, "
    "labour office, labor office, "
    "មន្ទីរការងារ, ក្រសួងការងារ, montir kar ngar, mon ti kar ngar, krasuong kar ngar, "
    "krasuong karngar, krosuong karngar, krosuong kar ngar, montir karngar, mon ti karngar",
    "embassy": "embassy, embassies, consulate, attache, ស្ថានទូត, ស្ថានកុងស៊ុល, ស្ថានទូតខ្មែរ, sthan tut, sthantut, sthantout, stan tut, sthan tout, "
    "konsul, konsulat, consul",
    "hotline": "hotline, hotlines, helpline, helplines, hot line, help line, emergency number, ខ្សែទូរស័ព្ទជំនួយ, hotlne",
    "phone": "phone, telephone, mobile, ទូរស័ព្ទ, tursap, toursap, turasap, "
    "dursap, tursab, dursab, toursab, telefon",
    "number": "number, numbers, លេខ, លេខទូរស័ព្ទ, lek",
    "call": "call, calling, ហៅ, hav, hao",
    "police": "police, policeman, ប៉ូលិស, polis, police",
    "help": "help, assist, assistance, support, aid, ជួយ, ជំនួយ, chuoy, chomnuoy, chumnuoy",
    "emergency": "emergency, urgent, បន្ទាន់, bontoan, bon toan, bontean, "
    "bontorn, bantoan, bon tean",
    "complain": "complain, complaint, complaints, report, sue, lawsuit, claim, ប្ដឹង, ប្តឹង, ពាក្យបណ្ដឹង, បណ្ដឹង, រាយការណ៍, ដាក់ពាក្យប្ដឹង, "
    "pdeng, bandeng, bondoeng, bandoeng, reay kar, dak bandeng, "
    "bdoeng, bdoeung, ptoeng, bondeng, peak bondoeng, pakbondoeng",
    "cheat": "cheat, cheated, cheating, scam, scams, scammer, fraud, lie, lied, lying, trick, tricked, deceive, deceived, "
    "បោក, បោកប្រាស់, កុហក, ឆបោក, bok, bok pras, kohok, chhbok, "
    "bok prash, bokpras, bokprash, kohak",
    "fake": "fake, false, forged, forgery, counterfeit, ក្លែងក្លាយ, ក្លែង, klaeng, klaeng klay, kleng, "
    "kleng klay",
    "receipt": "receipt, receipts, invoice, បង្កាន់ដៃ, bangkandai, bongkandai, bangkan dai, "
    "bongkan dai, vikayabat, vikaiyabat, វិក្កយបត្រ",
    "license": "license, licence, licensed, licenced, registered, approved, accredited, អាជ្ញាប័ណ្ណ, ach nha ban, achnhaban, "
    "lisang, lisan, asnhaban",
    "training": "training, train, trained, course, courses, orientation, pre departure, predeparture, class, classes, វគ្គ, "
    "វគ្គបណ្ដុះបណ្ដាល, បណ្ដុះបណ្ដាល, វគ្គតម្រង់ទិស, តម្រង់ទិស, vek, bondos bondal, bandos bandal, "
    "vok, bondoh bondal, bandoh bandal, bondos bandal, bondosbondal, tomrong tis, tamrong tis, hvek hat, hvoek hat",
    "learn": "learn, learning, study, studying, school, teach, taught, lesson, lessons, រៀន, សិក្សា, បង្រៀន, សាលា, rean, sek sa, bongrean, sala",
    "language": "language, languages, speak, ភាសា, pheasa, english, អង់គ្លេស, "
    "phiesa, pheasar",
    "exam": "exam, exams, examination test, ប្រឡង, ការប្រឡង, prolong, pralong, prorlong, "
    "prolorng, prorlorng, pralorng, porlong",
    "women": "woman, women, girl, girls, female, lady, ladies, ស្ត្រី, នារី, ស្រី, ស្រីៗ, srey, neary, strey, satrey, "
    "srei, satrei, neari",
    "sexual": "sexual, sexually, harassment, harass, harassed, rape, raped, touch, touched, ផ្លូវភេទ, បៀតបៀន, រំលោភ, ប៉ះពាល់, pheit, biet bien, "
    "romlous, pas pal, "
    "phlov phet, plov pheit, bet bien, bet bein, biet bein, romlob, romlop, romlorp",
    "domestic": "maid, maids, housemaid, housemaids, domestic, domestic worker, domestic helper, helper, nanny, babysitter, housekeeper, cleaner, cleaning, "
    "អ្នកបម្រើផ្ទះ, បម្រើផ្ទះ, អ្នកបម្រើ, ការងារផ្ទះ, ធ្វើការផ្ទះ, មើលក្មេង, bomrae, bamrer, bomrae phteah, bamrae, bomrer, mel kmeng, "
    "bomreu, bamreu, bomre, bamre, bomrea, neak bomrae",
    "home": "house, home, household, ផ្ទះ, phteah",
    "family": "family, parents, mother, father, mom, wife, husband, គ្រួសារ, ម្ដាយ, ឪពុក, ប្ដី, ប្រពន្ធ, kruosar, krousa, kruosa, mdai, mday, pdey, propon",
    "child": "child, children, kid, kids, baby, ក្មេង, កុមារ, kmeng, komar",
    "fish": "fish, fishing, fisherman, fishermen, fishery, fisheries, trawler, trawlers, នេសាទ, ត្រី, ចាប់ត្រី, ទូកអួន, nesat, trey, chab trey, "
    "neasat, trei, tuk trey, touk trey, tuk trei, touk trei, tuk nesat, touk nesat",
    "boat": "boat, boats, vessel, ship, ទូក, នាវា, កប៉ាល់, kopal, "
    "nea va, neavea, neava, kampal, kompal, kapal",
    "sea": "sea, ocean, offshore, សមុទ្រ, samot, samut, samout",
    "trafficking": "trafficking, trafficked, trafficker, traffickers, traffic, human trafficking, forced labour, forced labor, slave, slavery, "
    "ជួញដូរមនុស្ស, ជួញដូរ, ការជួញដូរមនុស្ស, chuonh dou monuh, chuonh dour, chuonh dou, chounh dou, "
    "chounh dor, chunh dou",
    "sell": "sell, sold, selling, លក់, luk",
    "victim": "victim, victims, ជនរងគ្រោះ, chun rong kroh",
    "arrest": "arrest, arrested, detain, detained, detention, caught, catch, jail, prison, prisoner, ចាប់ខ្លួន, ឃុំខ្លួន, ឃុំ, គុក, ជាប់គុក, kuk, chab kluon, khum kluon",
    "deport": "deport, deported, deportation, deportd, send back, sent back, និរទេស, បណ្ដេញចេញ, nirotes, nirutes, nirotis, "
    "nirotesh, niroteh",
    "immigration": "immigration, អន្តោប្រវេសន៍, antoprovesan, "
    "antopraves, anto praves, antaprovesan, anto pro ves",
    "expired": "expire, expired, expiry, overstay, overstayed, ផុតកំណត់, ហួសកំណត់, fot kamnot, hos kamnot, phut komnot, hous kamnot",
    "return": "return, returned, returning, returnee, returnees, come back, came back, coming back, go home, going home, back home, reintegration, "
    "ត្រឡប់, ត្រឡប់មកវិញ, មកវិញ, មកស្រុកវិញ, វិលត្រឡប់, trolob, trolop, mok vinh, trolob mok vinh, retun, "
    "troleub, trolab, tralob, trolap, trolub, trolorb, vil trolob",
    "send": "send, sending, sent, transfer, transfers, remit, remittance, remittances, ផ្ញើ, ផ្ទេរ, វេរ, ផ្ញើលុយ, ផ្ទេរលុយ, ផ្ញើប្រាក់, "
    "phnheu, pnheu, phnhaeu, pnhaer, phnhaer, pnhoe, ver, ver luy, phnheu luy, "
    "pnhae, phjer, pnhor",
    "bank": "bank, banks, atm, wing, acleda, aba, ធនាគារ, thoneakear",
    "app": "app, apps, application, online, internet, កម្មវិធី, កម្មវិធីទូរស័ព្ទ, kammavithi",
    "skill": "skill, skills, vocational, vocation, mechanic, trade, ជំនាញ, វិជ្ជាជីវៈ, chumneanh, chomneanh, vichea chivak, "
    "chomnanh, chumnanh",
    "cambodiaplace": "siem reap, battambang, phnom penh, kampong cham, kompong cham, prey veng, banteay meanchey, kampot, takeo, svay rieng, "
    "poipet, kandal, pursat, kampong thom, sihanoukville, សៀមរាប, បាត់ដំបង, ភ្នំពេញ, កំពង់ចាម, ព្រៃវែង, បន្ទាយមានជ័យ, កំពត, តាកែវ, ស្វាយរៀង, "
    "ប៉ោយប៉ែត, កណ្ដាល, ពោធិ៍សាត់, កំពង់ធំ, ព្រះសីហនុ, "
    "phnompenh, siemreap, siem riep, siem reab, poi pet, poy pet, kampongcham, battambong",
    "village": "village, province, provincial, hometown, local, near, nearby, ភូមិ, ខេត្ត, ស្រុកកំណើត, ជិត, phum, khet, chit",
    "centre": "centre, center, centres, centers, មជ្ឈមណ្ឌល, mochhem mondol, machhim mondol, mochhim mondol, mrc, migrant worker resource centre, "
    "mochhemondol, machhemondol, machhimmondol, mochhimondol",
    "office": "office, offices, ការិយាល័យ, kariyaleay, kariyalay",
    "bot": "bot, chatbot, this bot, telegram, បូត, តេឡេក្រាម",
    "privacy": "private, privacy, personal, personal info, data, ផ្ទាល់ខ្លួន, ឯកជន, ឯកជនភាព, phtal kluon",
    "info": "information, info, advice, ព័ត៌មាន, ការណែនាំ, pordamean, porda mean, pot mean, "
    "porthmean",
    "free": "free, free of charge, no charge, ឥតគិតថ្លៃ, ដោយឥតគិតថ្លៃ, មិនគិតថ្លៃ, ot kit luy, et kit tlai, ot kit tlai, min kit luy, "
    "ot gid luy",
    "greeting": "hello, hi, hey, hiya, good morning, good afternoon, good evening, good day, greetings, "
    "សួស្តី, ជម្រាបសួរ, សួស្ដី, sousdei, suosdei, sousdey, suosdey, sur sdey, sousday, chumreap suor, chum reap sour, chumreap sour, chom reap suor, "
    "sua sdey, sua sdei, susdei, susdey, suasdey, sursdey, sur sdei, chum reab suor, chumreab suor, chom reab sour",
    "thanks": "thank, thanks, thankyou, thank you, thx, tks, cheers, appreciate, grateful, អរគុណ, orkun, arkun, akun, orkoun, arkoun, okun, orkon, "
    "or kun, aw kun, akoun, okoun",
    "safe": "safe, safely, safety, secure, សុវត្ថិភាព, sovatthepheap, sovathepheap, "
    "sovathephap, suvatthephap, suvatepheap",
    "hold": "hold, holding, held, keep, keeping, kept, confiscate, confiscated, retain, retained, withhold, kept my, "
    "កាន់, រក្សា, រឹបអូស, ទុក, យកទុក, kan, reaksa, reak sa, rib os",
    "apply": "apply, applying, application, register, registration, sign up, enrol, enroll, ដាក់ពាក្យ, ចុះឈ្មោះ, dak peak, chos chmos, chuh chhmuos, "
    "chos chmoh, chos chmuos, chuh chmoh",
    "alone": "alone, by myself, on my own, ម្នាក់ឯង, mneak eng, "
    "mnak eng, mneak aeng, mnak aeng",
    "intern": "intern, interns, internship, trainee, technical intern, tits, ហាត់ការ, hat kar, "
    "hatkar",
    "steps": "steps, step, process, procedure, procedures, requirement, requirements, how to start, នីតិវិធី, ដំណើរការ, លក្ខខណ្ឌ",
    "factory": "factory, factories, construction, site, farm, plantation, រោងចក្រ, ការដ្ឋាន, សំណង់, rong chakr, kar dthan, "
    "rong chak, rongchak, kardthan, karodthan, sangsang, songsang",
    "certificate": "certificate, certification, certification letter, លិខិតបញ្ជាក់, likhet banhchak, likhet banhjak, lekhet banhchak, likhit banhjak, "
    "likhet banhchheak, lekhet bonhchak, likhet bonhchak",
    "evidence": "evidence, proof, ភស្តុតាង, phosdotang, phos dotang, phostotang, phosdo tang, phos tu tang, pustutang",
}

_HOW_PHRASES = {"how much", "how many"}


class ConceptTable:
    """Token sequences (normalized) that stand for a shared concept ``#name``."""

    MAX_PHRASE = 5

    def __init__(self, concepts: dict[str, str] | None = None) -> None:
        self.phrases: dict[tuple[str, ...], str] = {}
        self.khmer_words: set[str] = set()
        for concept, forms in (concepts or CONCEPTS).items():
            term = "#" + concept
            for form in forms.split(","):
                form = form.strip().lower()
                if not form:
                    continue
                if KHMER_RUN_RE.search(form):
                    form = normalize_khmer(form)
                    self.khmer_words.add(form)
                    self.phrases.setdefault((form,), term)
                else:
                    key = tuple(normalize_latin_word(w) for w in _latin_words(form))
                    if key and not (len(key) == 1 and key[0] in _STOP_KEYS):
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


CONCEPT_TABLE = ConceptTable()


def raw_words(text: str, segment: Callable[[str], tuple[str, ...]] = segment_khmer) -> list[tuple[str, str]]:
    """Normalized words of a text in order, each with its script: ("km" | "latn", word)."""
    text = normalize_khmer(text.lower())
    out: list[tuple[str, str]] = []
    pos = 0
    for m in KHMER_RUN_RE.finditer(text):
        out.extend(("latn", normalize_latin_word(w)) for w in _latin_words(text[pos : m.start()]))
        out.extend(("km", w) for w in segment(m.group(0)))
        pos = m.end()
    out.extend(("latn", normalize_latin_word(w)) for w in _latin_words(text[pos:]))
    return out


def is_stopword(word: str) -> bool:
    return word in KHMER_STOPWORDS or word in _STOP_KEYS or word.isdigit()


def tokens(text: str, segment: Callable[[str], tuple[str, ...]] = segment_khmer) -> list[str]:
    """Normalized content words of a question, in order, for any of the three scripts."""
    return [w for _script, w in raw_words(text, segment) if not is_stopword(w)]


def terms(words: list[str], concepts: ConceptTable = CONCEPT_TABLE) -> list[str]:
    """Content words with shared concepts (``#passport``) in place of their phrases; stop words dropped."""
    return [t for t, is_concept in concepts.map(words) if is_concept or not is_stopword(t)]


def normalize_for_match(text: str) -> str:
    """The string a fuzzy matcher compares: normalized content words joined by spaces."""
    return " ".join(terms([w for _s, w in raw_words(text)]))
