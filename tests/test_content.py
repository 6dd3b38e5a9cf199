"""Content: the real catalog loads clean, and the editors' check catches what an editor can break."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content.model import ContentError
from bot.content.loader import load_content
from bot.content.check import SPEC_FLOWS, SPEC_TOPICS, check_content
from bot.text.i18n import khmer_ratio
from tests.conftest import ROOT, run_main

CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def real_report():
    return check_content(CONTENT)


def test_real_content_has_no_errors(real_report):
    assert real_report.errors == []


def test_every_spec_topic_present_in_both_languages():
    content = load_content(CONTENT)
    for tid in SPEC_TOPICS:
        topic = content.topic(tid)
        assert topic is not None, tid
        assert topic.answer["en"] and khmer_ratio(topic.answer["km"]) > 0.5, tid
        assert topic.title["en"] and khmer_ratio(topic.title["km"]) > 0.5, tid


def test_every_topic_has_enough_examples_and_sources():
    content = load_content(CONTENT)
    for topic in content.topics.values():
        if topic.small_talk:
            continue
        assert len(topic.questions["en"]) >= 8 and len(topic.questions["km"]) >= 8 and len(topic.questions["km-latn"]) >= 5, topic.id
        if topic.id != "about":
            assert topic.sources, topic.id


def test_unverified_facts_are_listed_as_warnings(real_report):
    assert real_report.unverified, "contacts from public sources must be listed until an editor confirms them"
    assert all(w in real_report.warnings for w in real_report.unverified)


def test_schemas_are_published_for_editors():
    for name in ("topic", "contacts", "glossary", "flow"):
        assert (CONTENT / "schema" / f"{name}.schema.json").is_file()
    first = (CONTENT / "topics" / "passport.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert "$schema=../schema/topic.schema.json" in first


def test_glossary_has_every_key_term_of_the_spec():
    terms = yaml.safe_load((CONTENT / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
    english = " ".join(t["en"].lower() for t in terms)
    for word in ("migrant worker", "recruitment agency", "broker", "passport", "contract", "trafficking", "complaint", "embassy", "debt", "hotline"):
        assert word in english, word


# --- the check catches planted problems ----------------------------------------------


@pytest.fixture
def content_copy(tmp_path) -> Path:
    dst = tmp_path / "content"
    shutil.copytree(CONTENT, dst)
    return dst


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _errors_for(report, path: Path) -> list[str]:
    return [e for e in report.errors if e.startswith(f"{path}:")]


def test_check_reports_missing_language_with_file_and_line(content_copy):
    path = content_copy / "topics" / "passport.yaml"
    data = path.read_text(encoding="utf-8")
    data = re.sub(r"\nanswer:\n  en: ", "\nanswer:\n  english: ", data, count=1)
    path.write_text(data, encoding="utf-8")
    errors = _errors_for(check_content(content_copy), path)
    assert any("'en' is a required property" in e or "english" in e for e in errors), errors
    assert all(re.match(rf"{re.escape(str(path))}:\d+: ", e) for e in errors)


def test_check_reports_unknown_related_topic(content_copy):
    path = content_copy / "topics" / "passport.yaml"
    _edit(path, "related: [", "related: [no-such-topic, ")
    errors = _errors_for(check_content(content_copy), path)
    line = _line_of(path, "related:")
    assert any(f":{line}: related topic 'no-such-topic' does not exist" in e for e in errors), errors


def test_check_reports_duplicate_example_question_across_topics(content_copy):
    korea_q = load_content(CONTENT).topics["korea"].questions["en"][0]
    path = content_copy / "topics" / "passport.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(questions:\n  en:\n)", lambda m: m.group(1) + f"    - {korea_q!r}\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    errors = _errors_for(check_content(content_copy), path)
    assert any("is also in topic korea" in e for e in errors), errors


def test_check_reports_quote_not_on_the_cited_line(content_copy):
    path = content_copy / "topics" / "passport.yaml"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(\n\s+line: )(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 3), text, count=1)
    assert new != text
    path.write_text(new, encoding="utf-8")
    errors = _errors_for(check_content(content_copy), path)
    assert any("quote not found on" in e for e in errors), errors


def test_check_reports_invented_number(content_copy):
    path = content_copy / "topics" / "passport.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(\nanswer:\n  en: [|>]-?\n)", lambda m: m.group(1) + "    The fee is US$97 today.\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    errors = _errors_for(check_content(content_copy), path)
    assert any("number 97 in answer.en is not in any source" in e for e in errors), errors


def test_check_reports_latin_in_khmer_field_and_too_long_answer(content_copy):
    path = content_copy / "topics" / "thanks.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["title"]["km"] = "Thank you"
    doc["answer"]["en"] = "word " * 300
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    errors = _errors_for(check_content(content_copy), path)
    assert any("title.km is not in Khmer script" in e for e in errors), errors
    assert any("answer.en is 1500 characters" in e for e in errors), errors


def test_check_reports_missing_sources_and_unverified(content_copy):
    path = content_copy / "topics" / "debt.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["sources"] = []
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_content(content_copy)
    assert any("has no sources" in e for e in _errors_for(report, path))


def test_check_warns_on_stale_review_date(content_copy):
    report = check_content(content_copy, today=dt.date(2028, 6, 1))
    assert any("over a year ago" in w for w in report.warnings)
    assert not any("over a year ago" in w for w in check_content(content_copy).warnings)


def test_check_reports_yaml_syntax_error_with_line(content_copy):
    path = content_copy / "topics" / "passport.yaml"
    _edit(path, "related: [", "related: [[")
    errors = _errors_for(check_content(content_copy), path)
    assert any("YAML syntax error" in e for e in errors), errors


def test_broken_content_refuses_to_load(content_copy):
    _edit(content_copy / "topics" / "passport.yaml", "related: [", "related: [ghost, ")
    with pytest.raises(ContentError) as exc:
        load_content(content_copy)
    assert any("ghost" in p for p in exc.value.problems)


def test_content_check_command_exit_codes(content_copy):
    env = {"BOT_CONTENT_DIR": str(CONTENT)}
    ok = run_main("content", "check", env=env)
    assert ok.returncode == 0, ok.stdout[-2000:]
    assert "0 error(s)" in ok.stdout and "[warning]" in ok.stdout
    _edit(content_copy / "topics" / "passport.yaml", "related: [", "related: [ghost, ")
    env["BOT_CONTENT_DIR"] = str(content_copy)
    bad = run_main("content", "check", env=env)
    assert bad.returncode == 1
    assert re.search(r"passport\.yaml:\d+: related topic 'ghost' does not exist \[error\]", bad.stdout)


def test_flows_of_the_spec_are_present():
    content = load_content(CONTENT)
    assert set(SPEC_FLOWS) <= set(content.flows), sorted(content.flows)


def test_check_refuses_an_out_of_scope_question_that_is_also_a_topic_example(content_copy):
    korea_q = load_content(CONTENT).topics["korea"].questions["en"][0]
    path = content_copy / "out_of_scope.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["questions"]["en"].append(korea_q)
    doc["questions"]["km"].append("weather")  # Latin letters in the Khmer list
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    errors = [e for e in check_content(content_copy).errors if "out_of_scope.yaml" in e]
    assert any("is an example of topic korea" in e for e in errors), errors
    assert any("km question has no Khmer script" in e for e in errors), errors


def test_out_of_scope_examples_are_a_class_that_is_never_answered(tmp_path):
    from bot.matching.matcher import Matcher

    content = load_content(CONTENT)
    assert sum(len(v) for v in content.out_of_scope.values()) >= 100
    with_negatives = Matcher(content)
    question = "thai football score today"
    assert question in content.out_of_scope["en"]
    m = with_negatives.match(question)
    assert m.topic is None and m.best != "__out_of_scope__"  # falls back, names a real nearest topic
    assert with_negatives.match("how do i go to work in thailand legally").topic == "thailand"


def test_content_segments_command_caches_new_khmer_examples(content_copy, tmp_path):
    """An editor adds a Khmer example; the command segments it into the cache the matcher reads."""
    from bot.matching.matcher import load_segment_cache

    out = tmp_path / "segments.json"
    env = {"BOT_CONTENT_DIR": str(content_copy)}
    cmd = ["content", "segments", "--out", str(out)]
    first = run_main(*cmd, env=env)
    assert first.returncode == 0, first.stderr
    before = load_segment_cache(out)
    _edit(content_copy / "topics" / "passport.yaml", "  km:\n", "  km:\n    - \"ធ្វើលិខិតឆ្លងដែននៅខេត្តព្រៃវែងបានទេ\"\n")
    second = run_main(*cmd, env=env)
    assert second.returncode == 0, second.stderr
    assert "(1 new)" in second.stdout, second.stdout
    after = load_segment_cache(out)
    assert set(after) - set(before) == {"ធ្វើលិខិតឆ្លងដែននៅខេត្តព្រៃវែងបានទេ"}
    _edit(content_copy / "topics" / "passport.yaml", "related: [", "related: [ghost, ")
    bad = run_main(*cmd, env=env)
    assert bad.returncode == 1 and "ghost" in bad.stderr and "content check" in bad.stderr
