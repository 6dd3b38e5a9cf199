"""Topics as content (``content/topics/*.yaml``): the editors' check of each topic and across topics, and the parser.

The check reports everything that would make an answer wrong or unfindable, as
``file:line: problem``: schema errors, the wrong script, an answer too long for a
phone, too few example questions, a fact without a source, a number no source
gives, an unknown related topic, an example question in two topics, a stale review.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.model import (
    ANSWER_LANGS,
    QUESTION_LANGS,
    ContentError,
    Documents,
    Located,
    Source,
    Topic,
    topic_files,
)
from bot.content.validate import (
    NUMBER_RE,
    CheckReport,
    SeedLines,
    check_source,
    normalize_question,
    numbers_in,
    schema_errors,
    schema_validator,
)
from bot.text.i18n import has_khmer, khmer_ratio
from bot.text.masking import normalize_digits

MAX_ANSWER_CHARS = 1200
MIN_QUESTIONS = {"en": 8, "km": 8, "km-latn": 5}
STALE_AFTER_DAYS = 365

# Topic IDs fixed by content-spec.md: tests, reports and deep links refer to them.
SPEC_TOPICS = (
    "about greeting thanks regular-channels irregular-risks thailand korea malaysia japan "
    "other-countries recruitment-agencies broker-warning-signs contract pre-departure-training "
    "costs-fees debt passport documents health worker-rights wages-hours passport-kept "
    "women-workers domestic-workers unions social-security complaints trafficking fishing "
    "arrest-deportation embassy hotlines mrc organisations remittances return-reintegration "
    "jobs-in-cambodia"
).split()


# --- the editors' check ----------------------------------------------------------------


@dataclass
class CheckedTopics:
    """What the other checks need from the topics: the topics by id, and every example question."""

    by_id: dict[str, Located] = field(default_factory=dict)
    # normalize_question(question) -> (topic id, file:line of its first use)
    questions: dict[str, tuple[str, str]] = field(default_factory=dict)


def check_topic(doc: Located, validator, seeds: SeedLines, report: CheckReport, today: dt.date) -> None:
    """One topic file on its own: schema, scripts, lengths, example questions, sources, numbers, review date."""
    errors = schema_errors(validator, doc)
    report.errors.extend(errors)
    d = doc.data
    if not isinstance(d, dict) or errors:
        return
    tid = d["id"]
    if doc.path.stem != tid:
        report.errors.append(f"{doc.where('id')}: id {tid!r} does not match the file name {doc.path.name!r}")
    for part in ("title", "answer"):
        for lang in ANSWER_LANGS:
            text = d[part].get(lang, "")
            if lang == "km" and khmer_ratio(text) < 0.5:
                report.errors.append(f"{doc.where(part, 'km')}: {part}.km is not in Khmer script")
            if lang == "en" and khmer_ratio(text) > 0.2:
                report.errors.append(f"{doc.where(part, 'en')}: {part}.en is mostly Khmer script")
    for lang in ANSWER_LANGS:
        answer = d["answer"][lang]
        if len(answer) > MAX_ANSWER_CHARS:
            report.errors.append(
                f"{doc.where('answer', lang)}: answer.{lang} is {len(answer)} characters; "
                f"keep it under {MAX_ANSWER_CHARS} for a phone screen"
            )
    small_talk = bool(d.get("small_talk"))
    for lang in QUESTION_LANGS:
        qs = d["questions"].get(lang) or []
        need = 3 if small_talk else MIN_QUESTIONS[lang]
        if len(qs) < need:
            report.errors.append(
                f"{doc.where('questions', lang)}: questions.{lang} has {len(qs)} example questions; at least {need} needed"
            )
        for i, q in enumerate(qs):
            if lang == "km" and not has_khmer(q):
                report.errors.append(f"{doc.where('questions', lang, i)}: Khmer question has no Khmer script: {q!r}")
            if lang != "km" and has_khmer(q):
                report.errors.append(f"{doc.where('questions', lang, i)}: {lang} question contains Khmer script: {q!r}")
    sources = d.get("sources") or []
    if not sources and not small_talk and tid != "about":
        report.errors.append(f"{doc.where('sources')}: topic has no sources; every fact needs one")
    for i, src in enumerate(sources):
        check_source(src, doc.where("sources", i), seeds, report, f"topic {tid}")
    source_text = " ".join(
        " ".join(str(s.get(k, "")) for k in ("quote", "supports", "name", "year")) for s in sources
    )
    source_numbers = {re.sub(r"[,.]", "", n) for n in NUMBER_RE.findall(normalize_digits(source_text))}
    for lang in ANSWER_LANGS:
        for number in sorted(numbers_in(d["answer"][lang]) - source_numbers):
            report.errors.append(
                f"{doc.where('answer', lang)}: number {number} in answer.{lang} is not in any source's quote or supports"
            )
    try:
        reviewed = dt.date.fromisoformat(str(d["reviewed"]))
    except ValueError:
        report.errors.append(f"{doc.where('reviewed')}: reviewed must be a date YYYY-MM-DD")
    else:
        if reviewed > today:
            report.errors.append(f"{doc.where('reviewed')}: reviewed date {reviewed} is in the future")
        elif (today - reviewed).days > STALE_AFTER_DAYS:
            report.warnings.append(f"{doc.where('reviewed')}: {tid} was last reviewed on {reviewed}, over a year ago")


def check_topics(root: Path, report: CheckReport, parsed: Documents, seeds: SeedLines, today: dt.date) -> CheckedTopics:
    """Every topic file, then what only shows across topics (ids, related topics, repeated example questions)."""
    validator = schema_validator(root, "topic")
    located: list[Located] = []
    for path in topic_files(root):
        try:
            located.append(parsed.get(path))
        except ContentError as exc:
            report.errors.extend(exc.problems)
    checked = CheckedTopics()
    ids = checked.by_id
    for doc in located:
        check_topic(doc, validator, seeds, report, today)
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            tid = doc.data["id"]
            if tid in ids:
                report.errors.append(f"{doc.where('id')}: duplicate topic id {tid!r} (also in {ids[tid].path})")
            ids[tid] = doc
    seen_questions = checked.questions
    for tid, doc in ids.items():
        for j, rel in enumerate(doc.data.get("related") or []):
            if rel not in ids:
                report.errors.append(f"{doc.where('related', j)}: related topic {rel!r} does not exist")
            elif rel == tid:
                report.errors.append(f"{doc.where('related', j)}: a topic cannot be related to itself")
        for lang in QUESTION_LANGS:
            for i, q in enumerate((doc.data.get("questions") or {}).get(lang) or []):
                key = normalize_question(q)
                if key in seen_questions and seen_questions[key][0] != tid:
                    other, other_where = seen_questions[key]
                    report.errors.append(
                        f"{doc.where('questions', lang, i)}: example question {q!r} is also in topic {other} "
                        f"({other_where}); it would confuse the matcher"
                    )
                elif key in seen_questions:
                    report.warnings.append(f"{doc.where('questions', lang, i)}: example question {q!r} repeated")
                else:
                    seen_questions[key] = (tid, doc.where("questions", lang, i))
    return checked


def check_spec_topics(root: Path, topic_ids: Collection[str], report: CheckReport) -> None:
    """A warning naming the topics content-spec.md asks for that are not written yet."""
    missing = [t for t in SPEC_TOPICS if t not in topic_ids]
    if missing:
        report.warnings.append(f"{root}/topics:1: spec topics not written yet: {', '.join(missing)}")


# --- the parser ------------------------------------------------------------------------


def menu_position(raw: object) -> int:
    """``menu: 2`` is the second button; ``menu: true`` comes after the numbered ones."""
    if raw is True:
        return 1000
    if isinstance(raw, int) and raw > 0:
        return raw
    return 0


def topic_from_doc(doc: Located) -> Topic:
    d = doc.data
    questions = {lang: tuple(d.get("questions", {}).get(lang) or ()) for lang in QUESTION_LANGS}
    return Topic(
        id=d["id"],
        title=dict(d["title"]),
        answer={k: v.strip() for k, v in d["answer"].items()},
        questions=questions,
        sources=tuple(Source.from_dict(s) for s in d.get("sources") or ()),
        related=tuple(d.get("related") or ()),
        reviewed=str(d.get("reviewed", "")),
        menu=menu_position(d.get("menu")),
        small_talk=bool(d.get("small_talk", False)),
        origin=str(doc.path),
    )


def load_topics(root: Path, parsed: Documents | None = None, problems: list[str] | None = None) -> dict[str, Topic]:
    """The topics of a content folder, by id (run :func:`check_topics` first: this only parses).

    A topic that cannot be built adds a problem to ``problems`` (without it: ContentError);
    a file that cannot be parsed raises ContentError.
    """
    parsed = parsed if parsed is not None else Documents()
    collect: list[str] = [] if problems is None else problems
    topics: dict[str, Topic] = {}
    for path in topic_files(root):
        doc = parsed.get(path)
        try:
            topic = topic_from_doc(doc)
        except (KeyError, TypeError, AttributeError) as exc:
            collect.append(f"{path}:1: topic is missing a required field: {exc}")
            continue
        topics[topic.id] = topic
    if problems is None and collect:
        raise ContentError(collect)
    return topics
