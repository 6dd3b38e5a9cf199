"""The editors' check: everything an editor can break, reported as ``file:line: problem``.

Errors stop the bot from loading the content (and fail CI); warnings are things an
editor should look at (unverified facts, stale review dates) but that do not make
an answer wrong on their own.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bot.content.model import (
    ANSWER_LANGS,
    QUESTION_LANGS,
    ContentError,
    Located,
    load_located,
    topic_files,
)
from bot.text.i18n import has_khmer, khmer_ratio
from bot.text.masking import normalize_digits
from bot.content.flows import check_flow_doc
from bot.content.validate import NUMBER_RE, CheckReport, SeedLines, check_source, numbers_in, schema_errors, schema_validator

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
SPEC_FLOWS = ("checklist", "offer-check", "emergency", "choose-country", "complaint")

def normalize_question(text: str) -> str:
    """Question identity for duplicate detection: case, spaces and punctuation folded."""
    text = re.sub(r"[\s\u200b\u200c\u200d?!.,។៕¿]+", " ", text.lower())
    return text.strip()


def _check_topic(doc: Located, validator, seeds: SeedLines, report: CheckReport, today: dt.date) -> None:
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


def check_content(root: Path, today: dt.date | None = None) -> CheckReport:
    """Validate all content under ``root``; never raises for a content problem."""
    today = today or dt.date.today()
    report = CheckReport()
    seeds = SeedLines(root / "seeds")
    validator = schema_validator(root, "topic")
    docs: list[Located] = []
    for path in topic_files(root):
        try:
            docs.append(load_located(path))
        except ContentError as exc:
            report.errors.extend(exc.problems)
    ids: dict[str, Located] = {}
    for doc in docs:
        _check_topic(doc, validator, seeds, report, today)
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            tid = doc.data["id"]
            if tid in ids:
                report.errors.append(f"{doc.where('id')}: duplicate topic id {tid!r} (also in {ids[tid].path})")
            ids[tid] = doc
    # Cross-topic checks.
    seen_questions: dict[str, tuple[str, str]] = {}
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
    _check_out_of_scope(root, seen_questions, report)
    missing = [t for t in SPEC_TOPICS if t not in ids]
    if missing:
        report.warnings.append(f"{root}/topics:1: spec topics not written yet: {', '.join(missing)}")
    _check_contacts(root, seeds, report)
    _check_glossary(root, report)
    _check_flows(root, set(ids), report)
    return report


def _load_valid(root: Path, filename: str, schema: str, report: CheckReport, missing: str | None) -> Located | None:
    """Parse one content file and check it against its schema; None (problems reported) if unusable.

    ``missing``: the warning for an absent file, or None when the file is optional and silent.
    """
    path = root / filename
    if not path.exists():
        if missing:
            report.warnings.append(f"{path}:1: {missing}")
        return None
    try:
        doc = load_located(path)
    except ContentError as exc:
        report.errors.extend(exc.problems)
        return None
    errors = schema_errors(schema_validator(root, schema), doc)
    report.errors.extend(errors)
    return None if errors else doc


def _check_contacts(root: Path, seeds: SeedLines, report: CheckReport) -> None:
    doc = _load_valid(root, "contacts.yaml", "contacts", report, "no contacts file; the hotlines topic will have no numbers")
    if doc is None:
        return
    seen: dict[str, str] = {}
    for i, c in enumerate(doc.data["contacts"]):
        where = doc.where("contacts", i)
        if c["id"] in seen:
            report.errors.append(f"{where}: duplicate contact id {c['id']!r}")
        seen[c["id"]] = where
        if khmer_ratio(c["name"]["km"]) < 0.3:
            report.warnings.append(f"{doc.where('contacts', i, 'name', 'km')}: name.km has little Khmer script")
        check_source(c["source"], doc.where("contacts", i, "source"), seeds, report, f"contact {c['id']}")
        if not c.get("verified"):
            msg = f"{where}: contact {c['id']} is not verified by an editor; the bot shows it as unconfirmed"
            report.warnings.append(msg)
            report.unverified.append(msg)
        if "phone" in c and "seed" in c["source"]:
            digits = re.sub(r"\D", "", c["phone"])
            quote_digits = re.sub(r"\D", "", c["source"].get("quote", ""))
            if digits.lstrip("0") not in quote_digits and digits[-7:] not in quote_digits:
                report.errors.append(f"{where}: phone {c['phone']} does not match the digits of its seed quote")


def _check_out_of_scope(root: Path, seen_questions: dict[str, tuple[str, str]], report: CheckReport) -> None:
    """The questions the bot must not answer: valid, in the right script, and in no topic."""
    doc = _load_valid(root, "out_of_scope.yaml", "out_of_scope", report, None)
    if doc is None:
        return
    for lang in QUESTION_LANGS:
        for i, q in enumerate(doc.data["questions"].get(lang) or []):
            where = doc.where("questions", lang, i)
            if (lang == "km") != has_khmer(q):
                report.errors.append(f"{where}: {lang} question {'has no' if lang == 'km' else 'contains'} Khmer script: {q!r}")
            key = normalize_question(q)
            if key in seen_questions:
                other, other_where = seen_questions[key]
                report.errors.append(f"{where}: out-of-scope question {q!r} is an example of topic {other} ({other_where})")


def _check_glossary(root: Path, report: CheckReport) -> None:
    _load_valid(root, "glossary.yaml", "glossary", report, "no glossary")


def _check_flows(root: Path, topic_ids: set[str], report: CheckReport) -> None:
    flows_dir = root / "flows"
    if not flows_dir.is_dir():
        return

    for path in sorted(flows_dir.glob("*.yaml")):
        try:
            doc = load_located(path)
        except ContentError as exc:
            report.errors.extend(exc.problems)
            continue
        check_flow_doc(doc, root, topic_ids, report)
