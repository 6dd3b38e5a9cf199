"""The glossary as content (``content/glossary.yaml``): terms in English and Khmer, checked and parsed.

The check here is the schema; that each term's concepts exist is checked with the
vocabulary (:func:`bot.content.vocabulary.check_vocabulary`), which defines them.
"""
from __future__ import annotations

from pathlib import Path

from bot.content.model import Documents
from bot.content.validate import CheckReport, load_valid

GLOSSARY_FILE = "glossary.yaml"


def check_glossary(root: Path, report: CheckReport, parsed: Documents) -> None:
    load_valid(parsed, root, GLOSSARY_FILE, "glossary", report, "no glossary")


def load_glossary(root: Path, parsed: Documents | None = None) -> list[dict]:
    """The glossary terms, in file order; none if there is no file (ContentError if it cannot be parsed)."""
    path = root / GLOSSARY_FILE
    if not path.exists():
        return []
    parsed = parsed if parsed is not None else Documents()
    return list((parsed.get(path).data or {}).get("terms") or [])
