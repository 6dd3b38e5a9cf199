"""The editors' check: everything an editor can break, reported as ``file:line: problem``.

Errors stop the bot from loading the content (and fail CI); warnings are things an
editor should look at (unverified facts, stale review dates) but that do not make
an answer wrong on their own.

This module only runs each content kind's check, in a fixed order; the checks live
with their kind: :mod:`bot.content.topics`, :mod:`bot.content.out_of_scope`,
:mod:`bot.content.contacts`, :mod:`bot.content.glossary`, :mod:`bot.content.vocabulary`,
:mod:`bot.content.safety`, :mod:`bot.content.flows`. The shared checks (schema, sources)
are :mod:`bot.content.validate`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.content.contacts import check_contacts
from bot.content.flows import SPEC_FLOWS, check_flows
from bot.content.glossary import check_glossary
from bot.content.model import Documents
from bot.content.out_of_scope import check_out_of_scope
from bot.content.safety import check_safety
from bot.content.topics import SPEC_TOPICS, check_spec_topics, check_topics
from bot.content.validate import CheckReport, SeedLines, normalize_question
from bot.content.vocabulary import check_vocabulary

__all__ = ["SPEC_FLOWS", "SPEC_TOPICS", "CheckReport", "check_content", "normalize_question"]


def check_content(root: Path, today: dt.date | None = None, parsed: Documents | None = None) -> CheckReport:
    """Validate all content under ``root``; never raises for a content problem.

    ``parsed``: the parsed files to use and fill (the loader passes its own, so that
    each file is parsed once for the check and the model); a fresh one by default.
    """
    today = today or dt.date.today()
    parsed = parsed if parsed is not None else Documents()
    report = CheckReport()
    seeds = SeedLines(root / "seeds")
    topics = check_topics(root, report, parsed, seeds, today)
    check_out_of_scope(root, report, parsed, topics.questions)
    check_spec_topics(root, topics.by_id, report)
    check_contacts(root, report, parsed, seeds)
    check_glossary(root, report, parsed)
    lexicon = check_vocabulary(root, report, parsed)  # content/vocabulary/*.yaml, and the glossary's concepts
    check_safety(root, report, parsed, lexicon)  # content/safety/danger.yaml: the words of people in danger
    check_flows(root, report, parsed, set(topics.by_id))
    return report
