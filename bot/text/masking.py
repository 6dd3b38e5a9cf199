"""Masking of personal data in what users type, before it is stored or logged.

Users of this bot may be watched by the brokers and employers it warns about,
so nothing that identifies a person (name, phone number, ID or passport number,
e-mail, Telegram, Facebook or LINE handle) is ever written to disk. Users
themselves are keyed by a pseudonym (bot.storage.keys).
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Callable


# --- Masking of personal data ----------------------------------------------------
#
# Every regex below runs on text a user typed, so every one is linear: no unbounded
# repeat (each quantifier has a maximum), and patterns that scan a run of characters
# carry a lookbehind so that a match can only start at the beginning of that run
# (otherwise a 4,096-character run is rescanned from each of its positions: quadratic).
# tests/test_masking.py walks USER_TEXT_PATTERNS and fails on any unbounded repeat;
# bench/redos.py compares these patterns with the old ones on adversarial input.

MAX_MASK_INPUT = 4096  # Telegram's message limit: anything longer is cut before any regex runs

NAME = "[name]"
PROFILE = "[profile]"
PLACEHOLDERS = ("[number]", "[email]", "[id-number]", "[username]", "[link]", NAME, PROFILE)

# One word after a cue word ("my name is", "fb:", "ខ្ញុំឈ្មោះ"): up to 3 spaces (or zero-width
# spaces, used between Khmer words) and up to 40 characters that are not space or punctuation.
_TOKEN_RE = re.compile(
    "[ \\t\\u00a0\\u3000\\u200b\\u2060\\ufeff]{0,3}"
    "([^\\s\\u200b\\u2060\\ufeff,;:!?()\\[\\]{}<>\"“”«»។៕៖/\\\\|]{1,40})"
)

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# Profile links of the networks users share: Facebook, Messenger, LINE, WhatsApp, Instagram, TikTok, X.
_PROFILE_URL_RE = re.compile(
    r"(?<![\w.@-])(?:https?://)?(?:[a-z0-9-]{1,20}\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|fb\.watch|m\.me|messenger\.com|line\.me|lin\.ee|wa\.me|whatsapp\.com"
    r"|instagram\.com|instagr\.am|tiktok\.com|x\.com|twitter\.com|threads\.net|zalo\.me|viber\.me)"
    r"/[\w.~%/?#=&+@:!$,;-]{1,256}",
    re.IGNORECASE,
)
_URL_TG_RE = re.compile(r"(?<![\w.@-])(?:https?://)?(?:t|telegram)\.(?:me|dog)/[A-Za-z0-9_+/-]{1,64}", re.IGNORECASE)
# Telegram usernames (5+ characters) and LINE or Instagram IDs (4+, may hold dots and dashes).
_HANDLE_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?:[.-][A-Za-z0-9_]{1,31}){0,3}\b")

# "fb: Sok Dara", "line id: sokha123", "my facebook is Sok Dara", "LINE @sok", "ig sokha_99".
_SOCIAL_CUE_RE = re.compile(
    r"(?<![\w@./-])(?:(?P<poss>my|her|his|your|their|our)[ \t]{1,3})?"
    r"(?P<cue>facebook|face[ \t]?book|fb|messenger|instagram|insta|ig|tik[ \t]?tok|whats[ \t]?app|viber|wechat"
    r"|telegram|tg|imo|zalo|kakao(?:[ \t]?talk)?|line)(?![\w])"
    r"(?:[ \t]{0,3}(?P<idw>id|account|acc|acct|name|page|profile|username|user|handle)(?![\w]))?"
    r"(?:[ \t]{0,3}(?P<sep>is(?![\w])|[:：=]|-(?=[ \t])))?",
    re.IGNORECASE,
)
# The same networks in Khmer script; only a Latin word after them is taken (a handle or a
# name written in Latin letters), so Khmer text after "ហ្វេសប៊ុក" ("my facebook was hacked") stays.
_KM_SOCIAL_CUE_RE = re.compile(
    "(?:ហ្វេសប៊ុក|ហ្វេសបុក|ហ្វេស|ឡាញ(?!\u17cb)|តេឡេក្រាម|តេលេក្រាម|វ៉ាត់សាប|អ៊ីនស្តាក្រាម|ទិកតុក|ទីកតុក)"
    "(?:(?:របស់)?ខ្ញុំ)?(?:[ \\t]{0,3}(?:[:：=]|គឺ|ឈ្មោះ(?=[ \\t]{0,3}[A-Za-z@])))?"
)
# "my name is", "her name:", "Name -", "named"; a possessive or a colon makes the cue strong
# (a lower-case word after it is a name too), otherwise only a capitalized word is.
_NAME_CUE_RE = re.compile(
    r"(?<![\w])(?:(?P<poss>my|her|his|your|their|our|(?:wife|husband|mother|mom|father|dad|son|daughter|sister"
    r"|brother|friend|boss|employer|agent|broker)(?:'s|’s)?)[ \t]{1,3})?"
    r"(?:full[ \t]{1,3})?name(?:'s|’s)?(?![\w])"
    r"(?:[ \t]{0,3}(?P<sep>is(?![\w])|[:：=]|-(?=[ \t])))?"
    r"|(?<![\w])named(?![\w])",
    re.IGNORECASE,
)
# Romanized Khmer "chhmous" (ឈ្មោះ, name) in its spellings, not after "chos" (ចុះឈ្មោះ: to register).
_ROMAN_NAME_CUE_RE = re.compile(
    r"(?<![\w])(?<!chos )(?<!chuh )(?<!chus )(?<!choh )(?<!chos  )"
    r"chh?m(?:ous|uos|uoh|ouh|oh|os|oss|uh|us|ors|orh)(?![\w])"
    r"(?:[ \t]{1,3}(?:knhom|kyom|knom|khnhom)(?![\w]))?"
    r"(?:[ \t]{1,3}(?:ku|keu|kue|kuu)(?![\w])|[ \t]{0,3}[:：=])?",
    re.IGNORECASE,
)
# Khmer "ឈ្មោះ" (name) after a person: ខ្ញុំឈ្មោះ, គាត់ឈ្មោះ, ថៅកែឈ្មោះ; ឈ្មោះខ្ញុំ(គឺ); ឈ្មោះ: .
# Not ចុះឈ្មោះ (register) or ប្ដូរឈ្មោះ (change a name): no person before the word.
_KM_NAME_CUE_RE = re.compile(
    "(?:(?:ខ្ញុំបាទ|ខ្ញុំ|នាង|គាត់|បង|ប្អូន|គេ|ថៅកែ|ម្ចាស់|ប្ដី|ប្តី|ប្រពន្ធ|កូន|ម្ដាយ|ម្តាយ|ឪពុក|មិត្ត|ភ្នាក់ងារ"
    "|ហ្វេសប៊ុក|ហ្វេសបុក|ឡាញ|តេឡេក្រាម)[ \\t]{0,2}ឈ្មោះ(?:[ \\t]{0,2}គឺ)?"
    "|ឈ្មោះ(?:របស់)?ខ្ញុំ(?:[ \\t]{0,2}គឺ)?"
    "|ឈ្មោះ[ \\t]{0,2}[:：])"
)

# A passport or ID number: 1-3 letters and 6-12 digits (N0123456, AB1234567); 7+ digits alone are numbers below.
_DOC_RE = re.compile(r"(?<![\dA-Za-z_])[A-Za-z]{1,3}\d{6,12}(?![\dA-Za-z_])")
# Numbers: dates and amounts are kept, phone-like runs of 7-20 digits go. `\d` is every script's
# decimal digits (Khmer ០-៩, Thai ๐-๙, full-width ０-９, ...). Between two digits of a phone number:
# at most 3 spaces, dots, dashes, slashes, commas or brackets (also their full-width forms).
_ZEROS = "0០๐０٠۰०"
_SEP = "[\\s.\\-–—/,()（）－／，．]"
_NUMBER_RE = re.compile(
    r"(?P<date>(?<!\d)(?:\d{1,2}(?P<s1>[/.\-])\d{1,2}(?P=s1)\d{4}|\d{4}(?P<s2>[/.\-])\d{1,2}(?P=s2)\d{1,2})(?!\d))"
    rf"|(?P<amount>(?<![\d+])(?![{_ZEROS}])\d{{1,3}}(?:,\d{{3}}){{1,5}}(?:\.\d{{1,2}})?(?!\d|,\d|\.\d))"
    rf"|(?P<money>(?<![\dA-Za-z_+])(?![{_ZEROS}])\d{{1,12}}(?=[ \t]{{0,2}}(?i:riels?|baht|thb|usd|dollars?|won|krw|ringgit"
    r"|myr|yen|jpy|៛|រៀល|បាត|ដុល្លារ|វ៉ុន|บาท)))"
    rf"|(?P<phone>(?<![\dA-Za-z_+])(?:\+[ ]?|\(\+?)?\d(?:{_SEP}{{0,3}}\d){{6,19}})"
)

_ANY_DIGIT_RE = re.compile(r"\d")

USER_TEXT_PATTERNS: tuple[re.Pattern[str], ...] = (
    _ANY_DIGIT_RE,
    _TOKEN_RE,
    _EMAIL_RE,
    _PROFILE_URL_RE,
    _URL_TG_RE,
    _HANDLE_RE,
    _SOCIAL_CUE_RE,
    _KM_SOCIAL_CUE_RE,
    _NAME_CUE_RE,
    _ROMAN_NAME_CUE_RE,
    _KM_NAME_CUE_RE,
    _DOC_RE,
    _NUMBER_RE,
)

# Substrings without which _SOCIAL_CUE_RE / _KM_SOCIAL_CUE_RE cannot match (a cheap pre-check).
_SOCIAL_WORDS = ("face", "fb", "messenger", "insta", "ig", "tik", "whats", "viber", "wechat", "telegram", "tg", "imo",
                 "zalo", "kakao", "line")
_KM_SOCIAL_WORDS = ("ហ្វេស", "ឡាញ", "តេឡេក្រាម", "តេលេក្រាម", "វ៉ាត់សាប", "អ៊ីនស្តាក្រាម", "ទិកតុក", "ទីកតុក")

# Words after a cue that are never a name or handle ("my name is not on the list",
# "my facebook was hacked", "knhom chmous avey"), compared case-folded.
_NEVER_NAME = frozenset(
    """i i'm im me my mine you your he she it we they him her his hers its our their them is am are was were be
    been being and or but so the a an of in on at to from for with by about as into not no yes please pls plz help
    thanks thank thx hi hello dear sir madam ok okay also too very this that these those what who whom how why when
    where which can could would will do does did have has had get got here there now only just still then because
    if same than like wrong incorrect different changed change changing spelled spelt spelling misspelled missing
    hacked blocked locked banned closed disabled deleted lost gone stolen fake broken working down used using card
    list account page group channel bot app profile id name number phone messenger link chat message call
    thai thailand khmer cambodia cambodian korea korean malaysia japan embassy police ministry
    knhom khnhom knhum kgnom kyom knom kh avey avei ey ei tver thver twer tveu knong kong mok tov tou dov oy ot min
    te dae der hery haey hoy ning nig neng kom yang mech mdech sur suor sour chong jong kon""".split()
)
# Romanized words that are usually grammar but are also names or surnames (Chea, Som, Ban, Men, Nov):
# they end a name, but the first word after a cue is taken even if it is one of them.
_RARELY_NAME = frozenset("chea jea som ban men ke na mean nov nuv nau bong oun b pi ka kar tae ter".split())

_TITLES = frozenset("mr mrs ms miss mister dr".split())

_COENG = "\u17d2"
# Khmer words that end a name written without spaces ("ខ្ញុំឈ្មោះសុខដារ៉ាធ្វើការនៅថៃ": the name
# stops at ធ្វើ). Short words that also occur inside names (ជា in សុជាតា, ទេ in ទេវី, មាន in មានជ័យ) are left out.
_KM_NAME_ENDS = (
    "ធ្វើ", "នៅ", "មកពី", "អាយុ", "ហើយ", "ខ្ញុំ", "ចង់", "សុំ", "សូម", "កំពុង", "រស់នៅ", "ស្នាក់", "ត្រូវ",
    "ប្រទេស", "ខេត្ត", "ឆ្នាំ", "ដែល", "តើ", "មិន", "អត់", "ការងារ", "ជាមួយ", "អ្វី", "ប៉ុន្មាន",
    "ក្នុង", "សរសេរ", "ខុស", "ប្ដូរ", "ប្តូរ", "លិខិត", "ប៉ាស្ព័រ",
)
# A later space-separated Khmer word that starts with one of these is not part of the name
# (not ជា, មក, មាន, ទេ: ជាតា, មករា, មានជ័យ, ទេវី are names).
_KM_NOT_NAME_START = _KM_NAME_ENDS + ("គឺ", "ពី", "បាន", "និង", "នឹង", "ឬ", "ទៅ")


class _Cue:
    """How the words after one cue word are taken."""

    __slots__ = ("placeholder", "strong", "lower_next", "latin_only")

    def __init__(self, placeholder: str, strong: bool, lower_next: bool = False, latin_only: bool = False) -> None:
        self.placeholder = placeholder
        self.strong = strong  # a lower-case first word counts (after "my name is", "fb:", "chmous")
        self.lower_next = lower_next  # and lower-case later words (a name typed in lower case)
        self.latin_only = latin_only  # Khmer words after the cue are ordinary text, not a name


def _shape(word: str) -> str:
    """'cap' (Sok), 'low' (sok), 'caseless' (Khmer, Thai: សុខ), 'handle' (sokha_99, s.dara) or '' (other)."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return ""
    if all(c.isalpha() or c in "'’-" or unicodedata.category(c)[0] == "M" for c in word):
        first = letters[0]
        if first.isupper():
            return "cap"
        if first.islower():
            return "low"
        return "caseless"
    if (word[0].isalnum() or word[0] == "@") and all(c.isascii() and (c.isalnum() or c in "_.-@~") for c in word):
        return "handle"
    return ""


def _khmer_name_length(word: str, first: bool) -> int:
    """How much of a Khmer word is the name: up to a word that starts the rest of the sentence.

    A later space-separated word is part of the name only if it is short (a given name has
    at most four syllables): "ថៅកែឈ្មោះ សមចាយ បើកលុយយឺត" keeps "បើកលុយយឺត" (pays late).
    """
    if word.startswith(_KM_NAME_ENDS if first else _KM_NOT_NAME_START):
        return 0
    if not first and sum(1 for i, c in enumerate(word) if "\u1780" <= c <= "\u17b3" and word[i - 1 : i] != _COENG) > 4:
        return 0
    cut = len(word)
    for end in _KM_NAME_ENDS:
        i = word.find(end, 1)
        while i > 0 and word[i - 1] == _COENG:  # a subscript, not the start of a word
            i = word.find(end, i + 1)
        if 0 < i < cut:
            cut = i
    return cut


def _mask_after(text: str, cue_re: re.Pattern[str], cue_for: Callable[[re.Match[str], str], _Cue | None]) -> str:
    """Replace the name or handle after each cue word by the cue's placeholder (the cue itself stays)."""
    out: list[str] = []
    last = pos = 0
    while True:
        m = cue_re.search(text, pos)
        if m is None:
            break
        pos = m.end()  # cue words are never empty
        cue = cue_for(m, text)
        if cue is None:
            continue
        p, start, end, lower, n = m.end(), -1, -1, 0, 0
        while n < 3:
            t = _TOKEN_RE.match(text, p)
            if t is None:
                break
            word = t.group(1)
            stripped = word.rstrip(".'’-")
            folded = stripped.casefold()
            if folded in _TITLES and start < 0:  # "my name is Mr. Sok Dara": the title goes with the name
                start, end, p = t.start(1), t.end(), t.end()
                continue
            shape = _shape(stripped)
            if not shape or folded in _NEVER_NAME or (n and folded in _RARELY_NAME):
                break
            length = len(stripped)
            if shape == "caseless":
                if cue.latin_only:
                    break
                length = _khmer_name_length(stripped, first=not n) if "\u1780" <= stripped[0] <= "\u17ff" else length
                if not length:
                    break
            elif shape == "low":
                if not (cue.strong if n == 0 else cue.lower_next and lower < 2):
                    break
                lower += 1
            elif shape == "handle":
                if n:  # a handle is one word: the first after the cue
                    break
                if not cue.strong and not any(c.isdigit() or c in "_.@" for c in stripped):
                    break
            if start < 0:
                start = t.start(1)
            end = t.start(1) + length
            p = t.end()
            n += 1
            if length < len(word) or len(word) == 40 or shape == "handle":
                break  # the name ends inside this word (a full stop, a Khmer word after it, a cut)
        if start >= 0:
            out += (text[last:start], cue.placeholder)
            last = pos = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _social_cue(m: re.Match[str], text: str) -> _Cue | None:
    cue = m.group("cue").casefold().replace(" ", "").replace("\t", "")
    sep = (m.group("sep") or "").casefold()
    explicit = sep in (":", "：", "=") or (m.group("idw") or "").casefold() == "id"
    if cue == "line" and not (explicit or sep == "is"):
        nxt = _TOKEN_RE.match(text, m.end())
        if nxt is None or not nxt.group(1).startswith("@"):
            return None  # "line manager", "in line": not a LINE ID
        explicit = True
    strong = explicit or bool(m.group("poss") and sep == "is")
    return _Cue(PROFILE, strong, lower_next=strong and cue in ("facebook", "fb", "messenger"), latin_only=not strong)


def _km_social_cue(m: re.Match[str], text: str) -> _Cue | None:
    return _Cue(PROFILE, strong=True, latin_only=True)


def _name_cue(m: re.Match[str], text: str) -> _Cue | None:
    sep = (m.group("sep") or "").casefold()
    strong = bool(m.group("poss")) or sep in (":", "：", "=")
    return _Cue(NAME, strong, lower_next=strong)


def _local_name_cue(m: re.Match[str], text: str) -> _Cue | None:
    return _Cue(NAME, strong=True, lower_next=True)


def _is_zero(ch: str) -> bool:
    return unicodedata.decimal(ch, None) == 0


def _number(m: re.Match[str]) -> str:
    s = m.group(0)
    if m.group("date"):
        parts = s.split(m.group("s1") or m.group("s2"))
        a, b, year = (int(parts[1]), int(parts[2]), int(parts[0])) if len(parts[0]) == 4 else map(int, parts)
        if 1900 <= year <= 2099 and 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12:
            return s  # a date: kept
    elif m.group("amount") or m.group("money"):
        if not _is_zero(s[0]):
            return s  # 1,500,000 riel; 1500000 baht: kept
    groups = ["".join(g) for digit, g in itertools.groupby(s, str.isdecimal) if digit]
    if len(groups) > 1 and all(len(g) == 4 and 1900 <= int(g) <= 2099 for g in groups):
        return s  # years: "2019 2020 2021"
    if sum(map(len, groups)) >= 7:
        return "[number]"
    return s


def mask_personal_data(text: str) -> str:
    """Replace names, phone, ID and passport numbers, e-mails, handles and profile links by placeholders.

    Facts editors need to understand a question are kept: amounts ("1,500,000 riel",
    "US$20"), dates ("30/11/2025"), ages and years. Only the first MAX_MASK_INPUT
    characters are looked at (and returned): nothing longer comes from Telegram.
    """
    text = text[:MAX_MASK_INPUT]
    # Each pattern only runs when the text holds the characters it needs: most messages
    # have no "@", "/" or cue word, and a scan by `in` costs a fraction of a regex pass.
    if "@" in text:
        text = _EMAIL_RE.sub("[email]", text)
    if "/" in text:
        text = _PROFILE_URL_RE.sub(PROFILE, text)
        text = _URL_TG_RE.sub("[link]", text)
    if "@" in text:
        text = _HANDLE_RE.sub("[username]", text)
    folded = text.casefold()
    if any(w in folded for w in _SOCIAL_WORDS):
        text = _mask_after(text, _SOCIAL_CUE_RE, _social_cue)
    if any(w in text for w in _KM_SOCIAL_WORDS):
        text = _mask_after(text, _KM_SOCIAL_CUE_RE, _km_social_cue)
    if "name" in folded:
        text = _mask_after(text, _NAME_CUE_RE, _name_cue)
    if "hm" in folded:
        text = _mask_after(text, _ROMAN_NAME_CUE_RE, _local_name_cue)
    if "ឈ្មោះ" in text:
        text = _mask_after(text, _KM_NAME_CUE_RE, _local_name_cue)
    if _ANY_DIGIT_RE.search(text):
        text = _DOC_RE.sub("[id-number]", text)
        text = _NUMBER_RE.sub(_number, text)
    return text


class _DigitMap(dict[int, int]):
    """str.translate table: every script's decimal digit (០-៩, ๐-๙, ０-９, ...) to 0-9, filled on demand."""

    def __missing__(self, cp: int) -> int:
        d = unicodedata.decimal(chr(cp), None)
        self[cp] = value = cp if d is None else ord("0") + d
        return value


_DIGIT_MAP = _DigitMap()


def normalize_digits(text: str) -> str:
    """Decimal digits of any script (Khmer, Thai, full-width, ...) to Latin digits (used by the content check)."""
    return text.translate(_DIGIT_MAP)
