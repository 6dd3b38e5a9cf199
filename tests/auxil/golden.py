"""The matcher's verdict on every question the project has, recorded to prove a refactor changes no answer.

    .venv/bin/python -m tests.auxil.golden --write   # record (only when a change of answers is intended)

Every example question of every topic, every out-of-scope example, and every development
and holdout question: the topic answered (or none), the best topic, the confidence and the
script, keyed by the question. tests/test_golden.py compares the matcher against the record.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden_verdicts.json"


def all_questions(content) -> list[str]:
    qs: list[str] = []
    for topic in content.topics.values():
        for lang in sorted(topic.questions):
            qs.extend(topic.questions[lang])
    for lang in sorted(content.out_of_scope):
        qs.extend(content.out_of_scope[lang])
    for folder in ("dev_questions", "holdout_questions"):
        for path in sorted((ROOT / "tests" / "data" / folder).glob("*.yaml")):
            for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                if isinstance(row, dict) and "q" in row:
                    qs.append(str(row["q"]))
    return sorted(set(qs))


def verdicts(matcher, questions: list[str]) -> dict[str, list]:
    out = {}
    for q in questions:
        m = matcher.match(q)
        out[q] = [m.topic, m.best, round(m.score, 6), m.script]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="record the current verdicts")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bot.content.loader import load_content
    from bot.matching.matcher import Matcher

    content = load_content(ROOT / "content")
    record = verdicts(Matcher(content), all_questions(content))
    if args.write:
        lines = [json.dumps(q, ensure_ascii=False) + ": " + json.dumps(v, ensure_ascii=False) for q, v in sorted(record.items())]
        GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        print(f"{len(record)} verdicts -> {GOLDEN}")
    else:
        print(f"{len(record)} verdicts (use --write to record)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
