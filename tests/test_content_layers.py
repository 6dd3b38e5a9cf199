"""Content as layers: every file parsed once per load, one module per content kind, each kind's check on its own.

model <- validate <- kinds (topics, contacts, glossary, out_of_scope, flows, vocabulary,
safety) <- check <- loader. The check and the loader share one parse (``Documents``).
"""
from __future__ import annotations

import ast
import collections
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bot.content import model
from bot.content.check import SPEC_FLOWS, SPEC_TOPICS, check_content
from bot.content.contacts import check_contacts
from bot.content.flows import check_flows
from bot.content.glossary import check_glossary
from bot.content.loader import load_content
from bot.content.model import ContentError, Documents
from bot.content.out_of_scope import check_out_of_scope
from bot.content.safety import SAFETY_FILE
from bot.content.topics import check_topics
from bot.content.validate import CheckReport, SeedLines
from bot.content.vocabulary import vocabulary_paths
from tests.conftest import ROOT

CONTENT = ROOT / "content"
TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def parses(monkeypatch) -> collections.Counter:
    """Count every YAML parse of content, by file; any other YAML parse entry point fails the test."""
    counts: collections.Counter = collections.Counter()
    real = model.parse_yaml

    def counting(text, path):
        counts[Path(path)] += 1
        return real(text, path)

    monkeypatch.setattr(model, "parse_yaml", counting)
    for name in ("safe_load", "load", "full_load", "compose", "safe_load_all", "load_all"):
        monkeypatch.setattr(yaml, name, lambda *a, _name=name, **k: pytest.fail(f"content parsed with yaml.{_name}"))
    return counts


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str, start: int = 1) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if i >= start and needle in line:
            return i
    raise AssertionError(needle)


# --- parsed once -----------------------------------------------------------------------------


def test_load_content_parses_every_file_once(parses):
    content = load_content(CONTENT)  # the check, then the model
    every_file = {p for p in CONTENT.rglob("*.yaml")}
    assert set(parses) == every_file, sorted(map(str, every_file ^ set(parses)))
    twice = {str(p): n for p, n in parses.items() if n != 1}
    assert not twice, twice
    assert content.topics and content.flows and content.contacts


def test_the_check_on_its_own_parses_every_file_once(parses):
    report = check_content(CONTENT)
    assert not report.errors
    assert parses and set(parses.values()) == {1}, {str(p): n for p, n in parses.items() if n != 1}


def test_each_load_reads_the_files_again(content_copy, parses):
    """The shared parse lives for one load: /reload after an edit serves the edit."""
    first = load_content(content_copy)
    path = content_copy / "topics" / "passport.yaml"
    title = first.topics["passport"].title["en"]
    _edit(path, title, title + " (edited)")
    second = load_content(content_copy)
    assert second.topics["passport"].title["en"] == title + " (edited)"
    assert parses[path] == 2 and set(parses.values()) == {2}


def test_a_broken_file_is_parsed_once_and_reported_the_same_to_every_kind(content_copy, parses):
    """glossary.yaml is read by its own check and by the vocabulary's glossary links: one parse, one error."""
    path = content_copy / "glossary.yaml"
    _edit(path, "terms:", "terms: [")
    report = check_content(content_copy, today=TODAY)
    assert parses[path] == 1
    broken = [e for e in report.errors if e.startswith(f"{path}:")]
    assert len(broken) == 1 and "YAML syntax error" in broken[0], broken
    parsed = Documents()
    with pytest.raises(ContentError) as first:
        parsed.get(path)
    with pytest.raises(ContentError) as again:
        parsed.get(path)
    assert first.value.problems == again.value.problems == broken
    with pytest.raises(ContentError) as refused:
        load_content(content_copy)
    assert broken[0] in refused.value.problems


# --- each kind's check, on its own, with file:line ----------------------------------------


def test_contacts_check_reports_a_duplicate_id_at_its_line(content_copy):
    path = content_copy / "contacts.yaml"
    _edit(path, "- id: cambodia-fire-118", "- id: cambodia-police-117")
    report = CheckReport()
    check_contacts(content_copy, report, Documents(), SeedLines(content_copy / "seeds"))
    second = _line_of(path, "- id: cambodia-police-117", start=_line_of(path, "- id: cambodia-police-117") + 1)
    assert report.errors == [f"{path}:{second}: duplicate contact id 'cambodia-police-117'"]


def test_out_of_scope_check_reports_a_question_in_the_wrong_script_at_its_line(content_copy):
    path = content_copy / "out_of_scope.yaml"
    km = _line_of(path, "  km:")
    _edit(path, "  km:\n", "  km:\n    - \"no khmer here\"\n")
    report = CheckReport()
    check_out_of_scope(content_copy, report, Documents(), topic_questions={})
    assert report.errors == [f"{path}:{km + 1}: km question has no Khmer script: 'no khmer here'"]


def test_glossary_check_reports_a_schema_error_at_the_term(content_copy):
    path = content_copy / "glossary.yaml"
    term = _line_of(path, "- en: migrant worker")
    _edit(path, "    km: ពលករចំណាកស្រុក\n", "")
    report = CheckReport()
    check_glossary(content_copy, report, Documents())
    assert report.errors == [f"{path}:{term}: schema: terms/0: 'km' is a required property"]


def test_topics_check_reports_a_future_review_date_at_its_line(content_copy):
    path = content_copy / "topics" / "passport.yaml"
    line = _line_of(path, "reviewed:")
    path.write_text(re.sub(r'^reviewed: .*$', 'reviewed: "2099-01-01"', path.read_text(encoding="utf-8"), count=1,
                           flags=re.MULTILINE), encoding="utf-8")
    report = CheckReport()
    checked = check_topics(content_copy, report, Documents(), SeedLines(content_copy / "seeds"), TODAY)
    assert report.errors == [f"{path}:{line}: reviewed date 2099-01-01 is in the future"]
    assert "passport" in checked.by_id and checked.questions


def test_flows_check_reports_an_unknown_step_at_its_line(content_copy):
    path = content_copy / "flows" / "complaint.yaml"
    line = _line_of(path, "next: where")
    _edit(path, "next: where", "next: nowhere")
    report = CheckReport()
    check_flows(content_copy, report, Documents(), topic_ids={p.stem for p in (content_copy / "topics").glob("*.yaml")})
    assert f"{path}:{line}: unknown step 'nowhere'" in report.errors, report.errors


# --- the same Content as before ------------------------------------------------------------


def _plain(path: Path):
    """A file as plain PyYAML reads it: an oracle independent of the content code."""
    import yaml as plain_yaml  # the real module; not patched in these tests

    return plain_yaml.safe_load(path.read_text(encoding="utf-8"))


def test_loaded_content_is_what_the_files_say():
    content = load_content(CONTENT)
    topics = {p: _plain(p) for p in sorted((CONTENT / "topics").glob("*.yaml"))}
    assert sorted(content.topics) == sorted(d["id"] for d in topics.values())
    assert set(SPEC_TOPICS) <= set(content.topics)
    for path, d in topics.items():
        topic = content.topics[d["id"]]
        assert topic.origin == str(path)
        assert topic.answer == {k: v.strip() for k, v in d["answer"].items()}
        assert topic.questions == {lang: tuple(d["questions"].get(lang) or ()) for lang in ("en", "km", "km-latn")}
        assert topic.related == tuple(d.get("related") or ())
    assert [c.id for c in content.contacts] == [c["id"] for c in _plain(CONTENT / "contacts.yaml")["contacts"]]
    flows = sorted(_plain(p)["id"] for p in (CONTENT / "flows").glob("*.yaml"))
    assert sorted(content.flows) == flows and set(SPEC_FLOWS) <= set(flows)
    assert content.glossary == _plain(CONTENT / "glossary.yaml")["terms"]
    oos = _plain(CONTENT / "out_of_scope.yaml")["questions"]
    assert {k: len(v) for k, v in content.out_of_scope.items()} == {k: len(oos.get(k) or ()) for k in ("en", "km", "km-latn")}
    vocab = {kind: _plain(path) for kind, path in vocabulary_paths(CONTENT).items()}
    lex = content.lexicon
    assert content.vocabulary.concept_ids == tuple(c["id"] for c in vocab["concepts"]["concepts"])
    assert set(lex.roman_words.values()) == {s["word"] for s in vocab["spellings"]["spellings"]}
    assert len(lex.khmer_variants) == sum(len(v["spellings"]) for v in vocab["khmer_variants"]["variants"])
    assert lex.english_stopwords == frozenset(vocab["stopwords"]["en"])
    assert lex.khmer_stopwords == frozenset(vocab["stopwords"]["km"])
    danger = _plain(CONTENT / SAFETY_FILE)
    assert [s.id for s in content.safety.signals] == [s["id"] for s in danger["signals"]]
    assert [p.id for p in content.safety.places] == [p["id"] for p in danger.get("places") or ()]


def test_checking_first_does_not_change_the_model():
    """The check and the model share parsed documents; the model is the same as a load without the check."""
    checked, unchecked = load_content(CONTENT), load_content(CONTENT, validate=False)
    for name in ("topics", "contacts", "glossary", "flows", "out_of_scope", "safety", "root"):
        assert getattr(checked, name) == getattr(unchecked, name), name
    a, b = checked.lexicon, unchecked.lexicon
    for name in ("khmer_variants", "roman_words", "english_stopwords", "khmer_stopwords", "roman_stopwords", "concept_forms"):
        assert getattr(a, name) == getattr(b, name), name
    assert checked.vocabulary.files == unchecked.vocabulary.files


# --- the layers --------------------------------------------------------------------------------

KINDS = {"topics", "contacts", "glossary", "out_of_scope", "flows", "vocabulary", "safety"}
# What each part of bot.content may import from bot.content (lazy imports included).
MAY_IMPORT = {
    "model": set(),
    "validate": {"model"},
    **{kind: {"model", "validate"} | (KINDS - {kind}) for kind in KINDS},
    "check": {"model", "validate"} | KINDS,
    "loader": {"model", "validate", "check"} | KINDS,
}


def _content_imports(path: Path) -> list[tuple[str, list[str], int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.content."):
            out.append((node.module.split(".")[2], [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name.split(".")[2], [], node.lineno) for a in node.names if a.name.startswith("bot.content.")]
    return out


def test_content_modules_import_only_down_the_layers():
    package = ROOT / "bot" / "content"
    modules = {p.stem for p in package.glob("*.py")} - {"__init__"}
    assert modules == set(MAY_IMPORT), "a new content module: add it to MAY_IMPORT (a kind goes in KINDS)"
    wrong = [f"bot/content/{m}.py:{line}: imports bot.content.{dst}"
             for m in sorted(modules) for dst, _names, line in _content_imports(package / f"{m}.py")
             if dst not in MAY_IMPORT[m]]
    assert not wrong, "\n".join(wrong)


def test_no_private_content_name_is_imported_from_another_module():
    wrong = []
    for top in ("bot", "handlers", "tests", "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            for dst, names, line in _content_imports(path):
                wrong += [f"{path.relative_to(ROOT)}:{line}: {name} from bot.content.{dst}" for name in names
                          if name.startswith("_")]
    assert not wrong, "\n".join(wrong)
