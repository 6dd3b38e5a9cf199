"""The matcher's vocabulary as content: concepts, romanized spellings, Khmer spelling variants, stop words.

``content/vocabulary/*.yaml`` hold the word lists; the rules that use them (Khmer typing
order, spelling folding) are code in :mod:`bot.text.normalize`. Loading fills a
:class:`~bot.text.normalize.Lexicon`, which the matcher and the text functions receive,
so a spelling an editor adds is used after ``/reload``, with no deploy.

:func:`check_vocabulary` is the editors' check of these files (called by
:func:`bot.content.check.check_content`), every problem as ``file:line: problem``:
schema errors, a form claimed by two concepts (or a spelling by two words), a form in
the wrong script, a Khmer form not written normalized (the matcher compares normalized
text, so it would never match), and glossary terms naming concepts that do not exist.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.content.model import ContentError, Documents, Located, Vocabulary
from bot.content.validate import CheckReport, load_valid
from bot.text.normalize import (
    KHMER_RUN_RE,
    SCRIPTS,
    VOCABULARY_DIR,
    VOCABULARY_FILES,
    Lexicon,
)

_LATIN_RE = re.compile(r"[A-Za-z]")
_SPELLING_RE = re.compile(r"^[a-z0-9]+$")


def vocabulary_paths(root: Path) -> dict[str, Path]:
    """Every vocabulary file of a content folder, by kind (present or not)."""
    return {kind: Path(root) / VOCABULARY_DIR / name for kind, name in VOCABULARY_FILES.items()}


def load_vocabulary(root: Path, parsed: Documents | None = None) -> Vocabulary:
    """Load content/vocabulary (run :func:`check_vocabulary` first: this only parses; ``parsed``: the shared parse)."""
    parsed = parsed if parsed is not None else Documents()
    docs: dict[str, Any] = {}
    files: dict[str, Path] = {}
    for kind, path in vocabulary_paths(root).items():
        if path.exists():
            docs[kind] = parsed.get(path).data
            files[kind] = path
    try:
        return Vocabulary(Lexicon.from_documents(docs), files)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ContentError([f"{Path(root) / VOCABULARY_DIR}:1: vocabulary cannot be loaded: {exc!r}"]) from exc


# --- the editors' check ----------------------------------------------------------------


def _script_problem(script: str, text: str) -> str | None:
    """Why ``text`` cannot be a word of ``script`` (None if it can)."""
    if script == "km":
        if _LATIN_RE.search(text):
            return "has Latin letters; Latin-letter forms go under en or km-latn"
        if KHMER_RUN_RE.search(text) and " " in text.strip():
            return "has a space; Khmer is matched word by word, so write it without spaces"
    elif KHMER_RUN_RE.search(text):
        return "is in Khmer script; Khmer script goes under km"
    return None


def _check_khmer_form(doc: Located, keys: tuple, text: str, label: str, lex: Lexicon, variants: Located | None,
                      report: CheckReport) -> None:
    """A Khmer form must be written as the matcher normalizes text: it is compared as written."""
    if not KHMER_RUN_RE.search(text):
        return
    normalized = lex.normalize_khmer(text)
    if normalized == text:
        return
    why = "Khmer typing order"
    if variants is not None:
        for i, entry in enumerate(variants.data.get("variants") or ()):
            if any(v in text for v in entry.get("spellings") or ()):
                why = f"spelling variant, {variants.where('variants', i)}"
                break
    report.errors.append(f"{doc.where(*keys)}: {label} is not written normalized, so it never matches: the matcher "
                         f"reads it as {normalized!r} ({why}); write {normalized!r}")


def check_vocabulary(root: Path, report: CheckReport, parsed: Documents | None = None) -> Lexicon | None:
    """Check content/vocabulary/*.yaml (and the glossary's links to concepts); the lexicon if the files load.

    ``parsed``: the parsed files shared with the rest of the check and the loader.
    """
    root = Path(root)
    parsed = parsed if parsed is not None else Documents()
    paths = vocabulary_paths(root)
    docs = {
        kind: load_valid(parsed, root, str(path.relative_to(root)), kind, report,
                         f"no {path.name}; the matcher has no {kind.replace('_', ' ')}")
        for kind, path in paths.items()
    }
    if any(doc is None and paths[kind].exists() for kind, doc in docs.items()):
        return None  # the files depend on each other (spellings fold concept forms): fix what is reported first
    try:
        lex = Lexicon.from_documents({k: d.data for k, d in docs.items() if d is not None})
    except (KeyError, TypeError, AttributeError) as exc:  # schema-valid files always build; defensive
        report.errors.append(f"{root / VOCABULARY_DIR}:1: vocabulary cannot be built: {exc!r}")
        return None
    variants = docs["khmer_variants"]
    if variants is not None:
        _check_variants(variants, report)
    if docs["stopwords"] is not None:
        _check_stopwords(docs["stopwords"], lex, variants, report)
    if docs["spellings"] is not None:
        _check_spellings(docs["spellings"], report)
    concept_ids: set[str] | None = None
    if docs["concepts"] is not None:
        concept_ids = _check_concepts(docs["concepts"], lex, variants, report)
    _check_glossary_links(root, concept_ids, report, parsed)
    return lex


def _check_variants(doc: Located, report: CheckReport) -> None:
    seen: dict[str, str] = {}
    for i, entry in enumerate(doc.data["variants"]):
        word = entry["word"]
        if not KHMER_RUN_RE.search(word) or _LATIN_RE.search(word):
            report.errors.append(f"{doc.where('variants', i, 'word')}: word {word!r} is not in Khmer script")
        for j, spelling in enumerate(entry["spellings"]):
            where = doc.where("variants", i, "spellings", j)
            if not KHMER_RUN_RE.search(spelling) or _LATIN_RE.search(spelling):
                report.errors.append(f"{where}: spelling {spelling!r} of {word!r} is not in Khmer script")
            if spelling == word:
                report.errors.append(f"{where}: spelling {spelling!r} is the word itself")
            elif spelling in seen:
                report.errors.append(f"{where}: spelling {spelling!r} of {word!r} is also listed at {seen[spelling]}")
            else:
                seen[spelling] = where


def _check_stopwords(doc: Located, lex: Lexicon, variants: Located | None, report: CheckReport) -> None:
    for script in SCRIPTS:
        for i, word in enumerate(doc.data.get(script) or ()):
            problem = _script_problem(script, word)
            if problem:
                report.errors.append(f"{doc.where(script, i)}: {script} stop word {word!r} {problem}")
            elif script == "km":
                _check_khmer_form(doc, (script, i), word, f"km stop word {word!r}", lex, variants, report)


def _check_spellings(doc: Located, report: CheckReport) -> None:
    """A spelling is one lowercase Latin word and belongs to one word only."""
    claimed: dict[str, tuple[str, str]] = {}  # spelling -> (word, where)
    for i, entry in enumerate(doc.data["spellings"]):
        word = entry["word"]
        items = [(word, doc.where("spellings", i, "word"))]
        items += [(s, doc.where("spellings", i, "spellings", j)) for j, s in enumerate(entry.get("spellings") or ())]
        for text, where in items:
            if KHMER_RUN_RE.search(text):
                report.errors.append(f"{where}: spelling {text!r} is in Khmer script; spellings.yaml is for romanized "
                                     "Khmer (Khmer spellings go in khmer_variants.yaml)")
                continue
            if not _SPELLING_RE.match(text):
                report.errors.append(f"{where}: spelling {text!r} is not one lowercase word (letters a-z and digits); "
                                     "the matcher compares whole lowercase words, so it would never match")
                continue
            if text in claimed and claimed[text][0] != word:
                other, other_where = claimed[text]
                what = f"word {text!r}" if text == word else f"spelling {text!r} of {word!r}"
                report.errors.append(f"{where}: {what} is also listed under {other!r} ({other_where}); "
                                     "a spelling can stand for one word only")
            claimed.setdefault(text, (word, where))


def _check_concepts(doc: Located, lex: Lexicon, variants: Located | None, report: CheckReport) -> set[str]:
    """Forms in the right script, Khmer written normalized, and no form claimed by two concepts."""
    claimed: dict[tuple[str, ...], tuple[str, str, str]] = {}  # matching key -> (concept, form, where)
    ids: dict[str, str] = {}
    for i, concept in enumerate(doc.data["concepts"]):
        cid = concept["id"]
        if cid in ids:
            report.errors.append(f"{doc.where('concepts', i, 'id')}: concept {cid!r} is defined twice (also at {ids[cid]})")
        ids.setdefault(cid, doc.where("concepts", i, "id"))
        for script in SCRIPTS:
            for j, form in enumerate(concept.get(script) or ()):
                keys = ("concepts", i, script, j)
                where = doc.where(*keys)
                problem = _script_problem(script, form)
                if problem:
                    report.errors.append(f"{where}: {script} form {form!r} of concept {cid!r} {problem}")
                    continue
                _check_khmer_form(doc, keys, form, f"km form {form!r} of concept {cid!r}", lex, variants, report)
                key = lex.form_key(form)
                if not key:
                    report.errors.append(f"{where}: form {form!r} of concept {cid!r} has no letters to match")
                    continue
                if len(key) == 1 and key[0] in lex.stop_keys:
                    report.warnings.append(f"{where}: form {form!r} of concept {cid!r} reads as the stop word {key[0]!r} "
                                           "and is ignored; remove it or spell it differently")
                    continue
                if key in claimed and claimed[key][0] != cid:
                    other, other_form, other_where = claimed[key]
                    same = "" if other_form.strip().lower() == form.strip().lower() else \
                        f" ({form!r} and {other_form!r} both read as {' '.join(key)!r})"
                    report.errors.append(f"{where}: form {form!r} of concept {cid!r} is also claimed by concept {other!r} "
                                         f"({other_where}){same}; a form can belong to one concept only")
                    continue
                claimed.setdefault(key, (cid, form, where))
    return set(ids)


def _check_glossary_links(root: Path, concept_ids: set[str] | None, report: CheckReport, parsed: Documents) -> None:
    """Each glossary term names the concepts the matcher understands it by; they must exist."""
    path = root / "glossary.yaml"
    if concept_ids is None or not path.exists():
        return
    try:
        doc = parsed.get(path)
    except ContentError:
        return  # reported by the glossary's own check
    if not isinstance(doc.data, dict):
        return
    concepts_file = Path(VOCABULARY_DIR) / VOCABULARY_FILES["concepts"]
    for i, term in enumerate(doc.data.get("terms") or ()):
        if not isinstance(term, dict):
            continue
        for j, cid in enumerate(term.get("concepts") or ()):
            if isinstance(cid, str) and cid not in concept_ids:
                report.errors.append(f"{doc.where('terms', i, 'concepts', j)}: glossary term {term.get('en')!r} names "
                                     f"concept {cid!r}, which is not in {concepts_file}")
