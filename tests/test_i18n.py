"""UI strings: every one extracted, every one translated into Khmer, catalogs compiled at start."""
from __future__ import annotations

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from bot.text.i18n import Translator, khmer_ratio, pick_language
from tests.conftest import ROOT


def _ids(path):
    with open(path, "rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.process  # pybabel's extract, as the README runs it
def test_template_is_up_to_date_with_the_source(tmp_path):
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "locales/babel.cfg", "-k", "_", "-k", "N_",
         "--no-location", "-o", str(out), "bot", "handlers"],
        cwd=ROOT, check=True, capture_output=True,
    )
    assert _ids(out) == _ids(ROOT / "locales/messages.pot"), "run the extract command in the README (Translations)"


def test_every_ui_string_has_a_khmer_translation():
    with open(ROOT / "locales/km/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    template = _ids(ROOT / "locales/messages.pot")
    translated = {m.id: m.string for m in catalog if m.id}
    missing = [i for i in template if not translated.get(i)]
    assert missing == []
    for msgid, text in translated.items():
        if msgid in template and khmer_ratio(msgid) < 0.5:
            assert khmer_ratio(text) > 0.3, f"not Khmer: {text!r}"
        for placeholder in ("{date}", "{days}", "{title}", "{year}"):
            assert (placeholder in msgid) == (placeholder in text), msgid


def test_catalog_compiled_in_memory_without_mo_files():
    assert not list((ROOT / "locales").rglob("*.mo")), "compiled catalogs are built at start, not committed"
    t = Translator(ROOT / "locales")
    assert t.gettext("km", "Choose your language:") == "សូមជ្រើសរើសភាសា៖"
    assert t.gettext("en", "Choose your language:") == "Choose your language:"
    assert t.gettext("fr", "Choose your language:") == "Choose your language:"


def test_language_choice_order():
    assert pick_language("en", "សួស្ដី", "km") == "en"  # the user's explicit choice wins
    assert pick_language(None, "សួស្ដី", "en") == "km"  # Khmer script gets Khmer
    assert pick_language(None, "hello", "km-KH") == "km"  # then Telegram's language_code
    assert pick_language(None, "hello", "fr") == "en"  # then English
    assert pick_language(None, None, None) == "en"
