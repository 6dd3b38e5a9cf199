"""Danger signals as content (``content/safety/danger.yaml``): what editors maintain, loaded and checked.

A message matching a signal gets emergency help first (bot.matching.danger). Editors
keep the words in the three scripts; the check catches what would make a signal
silently fail: a form in the wrong script, a Khmer form typed in a non-standard order
(it would still match, but editors should see the standard one), a form claimed by two
signals or two places, and a signal with no form in one of the scripts.
"""
from __future__ import annotations

from pathlib import Path

from bot.content.model import ContentError, Documents, Located, Place, SafetySignals, Signal
from bot.content.validate import CheckReport, schema_errors, schema_validator
from bot.text.normalize import Lexicon
from bot.text.phrases import has_khmer, has_latin, khmer_key, latin_words

SAFETY_FILE = Path("safety") / "danger.yaml"
SCRIPTS = ("en", "km", "km-latn")


def _forms(raw: dict) -> dict[str, tuple[str, ...]]:
    return {s: tuple(str(f) for f in raw.get(s) or ()) for s in SCRIPTS}


def from_doc(doc: Located) -> SafetySignals:
    data = doc.data or {}
    return SafetySignals(
        signals=tuple(Signal(r["id"], r.get("about", ""), _forms(r), bool(r.get("plea"))) for r in data.get("signals") or ()),
        places=tuple(Place(r["id"], tuple(r["show"]), _forms(r)) for r in data.get("places") or ()),
        hypothetical=_forms(data.get("hypothetical") or {}),
    )


def load_safety(root: Path, parsed: Documents | None = None) -> SafetySignals:
    """The signals of a content folder; an empty set if the file does not exist (ContentError if broken).

    ``parsed``: the parsed files shared with the content check.
    """
    path = Path(root) / SAFETY_FILE
    if not path.exists():
        return SafetySignals()
    doc = (parsed if parsed is not None else Documents()).get(path)
    try:
        return from_doc(doc)
    except (KeyError, TypeError) as exc:
        raise ContentError([f"{path}:1: danger signals cannot be loaded: {exc}"]) from None


def form_key(script: str, form: str) -> str:
    return khmer_key(form) if script == "km" else " ".join(latin_words(form))


def check_safety(root: Path, report: CheckReport, parsed: Documents | None = None, lexicon: Lexicon | None = None) -> None:
    """Add the danger file's problems to the report, each as ``file:line: problem``.

    ``parsed``: the parsed files shared with the rest of the check and the loader.
    """
    parsed = parsed if parsed is not None else Documents()
    path = Path(root) / SAFETY_FILE
    if not path.exists():
        report.errors.append(f"{path}:1: missing: messages from people in danger would not be recognised")
        return
    try:
        doc = parsed.get(path)
    except ContentError as exc:
        report.errors.extend(exc.problems)
        return
    errors = schema_errors(schema_validator(Path(root), "safety"), doc)
    if errors:
        report.errors.extend(errors)
        return
    # The same spelling variants the matcher folds (content/vocabulary/khmer_variants.yaml):
    # the lexicon the vocabulary check already built, or, run alone, one built here.
    if lexicon is None:
        from bot.content.vocabulary import load_vocabulary

        try:
            lexicon = load_vocabulary(Path(root), parsed).lexicon
        except ContentError:  # reported by the vocabulary's own check
            lexicon = None
    if lexicon is not None:
        normalize_khmer = lexicon.normalize_khmer
    else:
        from bot.text.normalize import normalize_khmer
    owners: dict[tuple[str, str], str] = {}
    for group in ("signals", "places"):
        for i, entry in enumerate(doc.data.get(group) or ()):
            for script in SCRIPTS:
                for j, form in enumerate(entry.get(script) or ()):
                    where = doc.where(group, i, script, j)
                    form = str(form)
                    if script == "km" and has_latin(form):
                        report.errors.append(f"{where}: Latin letters in a Khmer-script form: {form!r} (put it under km-latn)")
                    elif script != "km" and has_khmer(form):
                        report.errors.append(f"{where}: Khmer script under {script}: {form!r} (put it under km)")
                    elif script == "km" and normalize_khmer(form) != form:
                        report.warnings.append(f"{where}: Khmer form not in standard typing order: {form!r}; write {normalize_khmer(form)!r}")
                    key = (group, form_key(script, form))
                    if not key[1]:
                        report.errors.append(f"{where}: form {form!r} has no letters to match")
                        continue
                    other = owners.get(key)
                    if other is not None and other != entry["id"]:
                        report.errors.append(f"{where}: form {form!r} is claimed by {other!r} and {entry['id']!r}")
                    owners.setdefault(key, entry["id"])
