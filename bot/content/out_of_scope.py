"""Out-of-scope questions as content (``content/out_of_scope.yaml``): what the bot must not answer.

The check reports, as ``file:line: problem``: schema errors, a question in the wrong
script, and a question that is also an example question of a topic (the matcher
would be taught to answer and to refuse it at once).
"""
from __future__ import annotations

from pathlib import Path

from bot.content.model import QUESTION_LANGS, Documents
from bot.content.validate import CheckReport, load_valid, normalize_question
from bot.text.i18n import has_khmer

OUT_OF_SCOPE_FILE = "out_of_scope.yaml"


def check_out_of_scope(root: Path, report: CheckReport, parsed: Documents,
                       topic_questions: dict[str, tuple[str, str]]) -> None:
    """The questions the bot must not answer: valid, in the right script, and in no topic.

    ``topic_questions``: every topic example question, normalized, with its topic and file:line
    (:attr:`bot.content.topics.CheckedTopics.questions`).
    """
    doc = load_valid(parsed, root, OUT_OF_SCOPE_FILE, "out_of_scope", report, None)
    if doc is None:
        return
    for lang in QUESTION_LANGS:
        for i, q in enumerate(doc.data["questions"].get(lang) or []):
            where = doc.where("questions", lang, i)
            if (lang == "km") != has_khmer(q):
                report.errors.append(f"{where}: {lang} question {'has no' if lang == 'km' else 'contains'} Khmer script: {q!r}")
            key = normalize_question(q)
            if key in topic_questions:
                other, other_where = topic_questions[key]
                report.errors.append(f"{where}: out-of-scope question {q!r} is an example of topic {other} ({other_where})")


def load_out_of_scope(root: Path, parsed: Documents | None = None) -> dict[str, tuple[str, ...]]:
    """The out-of-scope questions by language; none if there is no file (ContentError if it cannot be parsed)."""
    path = root / OUT_OF_SCOPE_FILE
    if not path.exists():
        return {}
    parsed = parsed if parsed is not None else Documents()
    raw = (parsed.get(path).data or {}).get("questions") or {}
    return {lang: tuple(raw.get(lang) or ()) for lang in QUESTION_LANGS}
