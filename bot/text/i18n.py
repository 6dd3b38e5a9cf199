"""UI strings through gettext, with catalogs compiled by babel at start.

Source strings are English and marked with ``_()`` (extracted by ``pybabel extract``
into ``locales/messages.pot``). The Khmer catalog ``locales/km/LC_MESSAGES/messages.po``
is compiled in memory every start, so a missing or stale ``.mo`` file can never
leave a user with untranslated menus.
"""
from __future__ import annotations

import gettext
import io
import re
from pathlib import Path
from typing import Callable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("en", "km")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

# Khmer script block (U+1780-U+17FF) and Khmer symbols (U+19E0-U+19FF).
_KHMER_RE = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")


def _(message: str) -> str:
    """Mark a string for extraction; translation happens later with a language."""
    return message


class I18nError(RuntimeError):
    """A catalog cannot be read; the bot must not start with broken translations."""


class Translator:
    """Holds one compiled catalog per language."""

    def __init__(self, locales_dir: Path) -> None:
        self._catalogs: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
        for lang in LANGUAGES:
            po_path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            if lang == "en" or not po_path.exists():
                continue
            self._catalogs[lang] = self._compile(po_path)

    @staticmethod
    def _compile(po_path: Path) -> gettext.GNUTranslations:
        try:
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=po_path.parent.parent.name)
        except Exception as exc:  # babel raises several kinds on a broken file
            raise I18nError(f"{po_path}: cannot read catalog: {exc}") from exc
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return gettext.GNUTranslations(buf)

    def gettext(self, lang: str, message: str) -> str:
        """Translate one UI string into ``lang`` (English if no translation)."""
        return self._catalogs.get(lang, self._catalogs["en"]).gettext(message)

    def for_lang(self, lang: str) -> Callable[[str], str]:
        """A ``_`` function bound to one language."""
        catalog = self._catalogs.get(lang, self._catalogs["en"])
        return catalog.gettext

    def has(self, lang: str) -> bool:
        return lang in self._catalogs


def has_khmer(text: str) -> bool:
    """True if the text contains Khmer script."""
    return bool(_KHMER_RE.search(text))


def khmer_ratio(text: str) -> float:
    """Share of letters that are Khmer script (to tell a Khmer field from an English one)."""
    letters = [c for c in text if c.isalpha() or _KHMER_RE.match(c)]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _KHMER_RE.match(c)) / len(letters)


def pick_language(stored: str | None, text: str | None, language_code: str | None) -> str:
    """Choose the reply language: the user's choice, then Khmer script, then Telegram's code."""
    if stored in LANGUAGES:
        return stored
    if text and has_khmer(text):
        return "km"
    if language_code and language_code.lower().split("-")[0] in LANGUAGES:
        return language_code.lower().split("-")[0]
    return DEFAULT_LANGUAGE
