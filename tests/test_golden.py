"""No answer changes unless intended: every question the project has gets the recorded verdict.

The record (tests/data/golden_verdicts.json) holds topic, best topic, confidence and script
for every example, out-of-scope, development and holdout question. A change meant to alter
answers re-records it (python -m tests.auxil.golden --write) in the same commit, and says so.
"""
from __future__ import annotations

import json

from tests.auxil.golden import GOLDEN, all_questions, verdicts


def test_every_question_gets_the_recorded_verdict(catalog_services):
    record = json.loads(GOLDEN.read_text(encoding="utf-8"))
    questions = all_questions(catalog_services.content)
    assert sorted(record) == questions, "the question sets changed: re-record the verdicts"
    now = verdicts(catalog_services.matcher, questions)
    changed = {q: (record[q], now[q]) for q in questions if record[q] != now[q]}
    assert not changed, f"{len(changed)} verdicts changed, e.g. {list(changed.items())[:5]}"
