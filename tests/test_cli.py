"""The command line: every command documented and with --help; `ask --json`; the terminal chat.

Commands run in-process (``run_main``: ``bot.cli.main.main(argv)``); real processes only where
the process is under test (marked ``process``): that ``python -m bot`` and every command's
``--help`` start, and the terminal chat reading a real standard input.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bot.cli.main import build_parser
from tests.conftest import ROOT, run_main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if nested:
            for sub_name in nested[0].choices:
                yield f"{name} {sub_name}"
        else:
            yield name


def test_every_command_is_documented_in_the_readme():
    for command in _commands():
        assert f"python -m bot {command}" in README, command


def test_every_command_the_readme_mentions_exists():
    known = set(_commands())
    mentioned = set(re.findall(r"python -m bot ([a-z]+(?: [a-z]+)?)", README))
    for text in mentioned:
        assert text in known or text.split()[0] in known, text


@pytest.mark.parametrize("command", list(_commands()))
def test_every_command_has_help(command):
    proc = run_main(*command.split(), "--help")
    assert proc.returncode == 0 and "usage:" in proc.stdout


@pytest.mark.process
def test_python_m_bot_and_every_command_help_start_as_processes():
    """The process smoke test: ``python -m bot`` starts, and so does every command's --help."""
    commands = [[]] + [c.split() for c in _commands()]
    procs = [subprocess.Popen([sys.executable, "-m", "bot", *c, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for c in commands]
    for command, proc in zip(commands, procs):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "usage:" in out, (command, err[-2000:])
        assert f"python -m bot {' '.join(command)}".strip() in out, command


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    blocks = re.findall(r"^    (python3 -m venv .*)$", README, re.M)
    assert len(blocks) == 2, "the quick start has two commands: run, and test"
    run_cmd, test_cmd = blocks
    assert "-m bot run" in run_cmd and "pytest" in test_cmd
    assert test_cmd in ci


def test_ask_json_one_object_per_line():
    questions = "how much does a passport cost\npassport tlai ponman\nតើធ្វើលិខិតឆ្លងដែនអស់ប៉ុន្មាន?\nwho won the football\n"
    proc = run_main("ask", "--json", input=questions)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert set(row) == {"question", "lang", "topic", "score", "answer", "ms", "urgent", "suggestions"}
        assert row["urgent"] is False and isinstance(row["suggestions"], list)
        assert isinstance(row["score"], float) and row["ms"] >= 0
    assert rows[0]["topic"] == "passport" and rows[0]["lang"] == "en"
    assert rows[1]["topic"] == "passport"
    assert rows[2]["topic"] == "passport" and rows[2]["lang"] == "km"
    assert rows[3]["topic"] is None and "don't know" in rows[3]["answer"]


def test_ask_single_question_with_language():
    proc = run_main("ask", "--lang", "km", "passport", "cost")
    assert proc.returncode == 0
    assert "# passport" in proc.stdout and re.search(r"[\u1780-\u17FF]", proc.stdout)


@pytest.mark.process
def test_terminal_chat_numbers_buttons_and_answers(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "BOT_DATA_DIR": str(tmp_path)}
    lines = "how much does a passport cost\n1\nសួស្ដី\n/quit\n"
    proc = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "en"], input=lines, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "bot> Hello!" in out and "[1] " in out
    assert "Getting a passport" in out  # the question
    # "1" pressed the first button under the passport answer (its first related topic).
    after = out.split("you> 1", 1)[1]
    assert "bot> " in after and "Getting a passport" not in after.split("you>")[0].split("\n")[1]
    assert "សួស្" in out.split("you> សួស្ដី", 1)[1]
    assert "would have been refused" not in out
    assert (tmp_path / "bot.sqlite3").exists()
