"""ReDoS benchmark: the masking of personal data before and after F8, on adversarial input.

    .venv/bin/python bench/redos.py            # 1,024 / 2,048 / 4,096 characters
    .venv/bin/python bench/redos.py --repeat 9

The baseline is a copy of the regexes ``bot/privacy.py`` used before the audit: an unbounded
``[\\w.+-]+@`` retried at every start position of a long run is quadratic, so one 4,096-character
message (Telegram's limit) cost tens of milliseconds, and a few users at the flood limit kept the
bot busy. The new ``mask_personal_data`` does more (names, profiles, Thai and full-width digits)
with bounded quantifiers and run-start lookbehinds: linear. The last rows time
``bot.text.normalize.normalize_khmer`` with its old and new vowel/subscript regex.

Timings are the best of ``--repeat`` runs (milliseconds); this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.text import normalize as textnorm  # noqa: E402
from bot.text.masking import mask_personal_data  # noqa: E402

# --- Baseline: bot/privacy.py before F5/F8, copied verbatim -----------------------------------
_DIGIT = r"[0-9០-៩]"
_OLD_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_OLD_DOC_RE = re.compile(rf"\b[A-Za-z]{{1,3}}{_DIGIT}{{6,9}}\b")
_OLD_PHONE_RE = re.compile(rf"(?<![\w]){'(?:[+]?)'}{_DIGIT}(?:[\s.\-()]*{_DIGIT}){{6,}}")
_OLD_HANDLE_RE = re.compile(r"(?<![\w])@[A-Za-z][A-Za-z0-9_]{4,31}\b")
_OLD_URL_TG_RE = re.compile(r"(?:https?://)?t\.me/[A-Za-z0-9_+/]+", re.IGNORECASE)


def old_mask_personal_data(text: str) -> str:
    text = _OLD_EMAIL_RE.sub("[email]", text)
    text = _OLD_URL_TG_RE.sub("[link]", text)
    text = _OLD_HANDLE_RE.sub("[username]", text)
    text = _OLD_DOC_RE.sub("[id-number]", text)
    text = _OLD_PHONE_RE.sub("[number]", text)
    return text


_OLD_VOWEL_BEFORE_COENG_RE = re.compile(f"([{textnorm._KHMER_VOWELS}]+)({textnorm._COENG}[{textnorm._CONS}])")


def _normalize_khmer_with(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def run(text: str) -> str:
        saved = textnorm._VOWEL_BEFORE_COENG_RE
        textnorm._VOWEL_BEFORE_COENG_RE = pattern
        try:
            return textnorm.normalize_khmer(text)
        finally:
            textnorm._VOWEL_BEFORE_COENG_RE = saved

    return run


def _fit(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


# (label, input of n characters)
MASK_INPUTS: list[tuple[str, Callable[[int], str]]] = [
    ('"a" * n (e-mail, no @)', lambda n: "a" * n),
    ('"a." * n', lambda n: _fit("a.", n)),
    ("long word, no @", lambda n: _fit("sokha_dara-99.", n)),
    ('"1 " * n (phone)', lambda n: _fit("1 ", n)),
    ('"1 1 1 1 1 1    " (6-digit groups)', lambda n: _fit("1 1 1 1 1 1    ", n)),
    ('"a@" * n', lambda n: _fit("a@", n)),
    ('"my name is " * n', lambda n: _fit("my name is ", n)),
    ('"fb: " * n', lambda n: _fit("fb: ", n)),
    ("Khmer text", lambda n: _fit("ខ្ញុំឈ្មោះសុខដារ៉ា ធ្វើការនៅថៃ លេខ០១២៣៤៥៦៧៨ ", n)),
    ('Khmer vowels "ា" * n', lambda n: "ា" * n),
]
NORMALIZE_INPUTS: list[tuple[str, Callable[[int], str]]] = [
    ('normalize_khmer: "ក" + "ា" * n', lambda n: "ក" + "ា" * (n - 1)),
    ('normalize_khmer: "ា" * n + "្ក"', lambda n: "ា" * (n - 2) + "្ក"),
]


def best_ms(fn: Callable[[str], str], text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per cell; the best is shown")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048, 4096])
    args = ap.parse_args(argv)

    rows = [(label, make, old_mask_personal_data, mask_personal_data) for label, make in MASK_INPUTS]
    new_norm = textnorm.normalize_khmer
    old_norm = _normalize_khmer_with(_OLD_VOWEL_BEFORE_COENG_RE)
    rows += [(label, make, old_norm, new_norm) for label, make in NORMALIZE_INPUTS]

    width = max(len(r[0]) for r in rows)
    print(f"{'input':<{width}}  {'chars':>5}  {'old ms':>8}  {'new ms':>8}  {'old/new':>7}")
    for label, make, old, new in rows:
        for n in args.sizes:
            text = make(n)
            o, w = best_ms(old, text, args.repeat), best_ms(new, text, args.repeat)
            print(f"{label:<{width}}  {n:>5}  {o:>8.2f}  {w:>8.2f}  {o / w if w else float('inf'):>6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
