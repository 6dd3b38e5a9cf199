"""``python -m bot ...`` in this process: ``bot.cli.main.main(argv)`` with its own environment,
standard input and captured output, and what a process would have left behind put back.

    r = run_main("content", "check", env={"BOT_CONTENT_DIR": str(folder)})
    assert r.returncode == 0 and "0 error(s)" in r.stdout

The result has the fields of ``subprocess.CompletedProcess`` the tests read. As in a fresh
process started with ``env=``: the settings variables (``BOT_*``, ``TELEGRAM_*``) are only
those given; ``--help`` and usage errors (argparse's ``SystemExit``) give their exit code; an
exception nobody caught is printed by ``sys.excepthook`` (the CLI installs a scrubbing one)
and gives 1. Afterwards the environment, working directory, standard streams, the logging
set-up (``setup_logging`` replaces the root handlers) and ``sys.excepthook`` are restored.

A real process start (about a second with the content loaded) is tested where the process is
the subject: tests marked ``process`` (the ``python -m bot`` smoke test in tests/test_cli.py,
the terminal chat, SIGTERM, webhook, a rejected token).
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

SETTINGS_PREFIXES = ("BOT_", "TELEGRAM_")
_QUIETED = ("httpx", "httpcore", "apscheduler", "tornado.access", "khmer-nltk")  # setup_logging sets these


@dataclass
class CliResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class _Captured(io.StringIO):
    """A text stream that says it is UTF-8, as a process's pipes do with PYTHONIOENCODING=utf-8."""

    encoding = "utf-8"  # type: ignore[assignment]


@contextlib.contextmanager
def _settings_environment(env: Mapping[str, str]):
    keys = {k for k in os.environ if k.startswith(SETTINGS_PREFIXES)} | set(env)
    saved = {k: os.environ.get(k) for k in keys}
    try:
        for k in keys:
            os.environ.pop(k, None)
        os.environ.update(env)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _process_state(cwd: str | Path | None, stdin: str):
    """Working directory, stdin, logging and excepthook as they were before, whatever ``main`` changed."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in _QUIETED}
    hook, old_stdin, old_cwd = sys.excepthook, sys.stdin, os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO(stdin)
        yield
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, lvl in levels.items():
            logging.getLogger(name).setLevel(lvl)
        sys.excepthook = hook


def _call(main: Callable[[list[str]], int | None], args: list[str]) -> CliResult:
    out, err = _Captured(), _Captured()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse: --help (0), a usage error (2)
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except Exception:  # what a process prints before it exits with 1
            sys.excepthook(*sys.exc_info())
            code = 1
    return CliResult(args, int(code or 0), out.getvalue(), err.getvalue())


def run_main(*argv: str | Path, env: Mapping[str, str] | None = None, input: str = "",
             cwd: str | Path | None = None) -> CliResult:
    """``python -m bot *argv``, in-process; ``env``: the only settings variables set; ``input``: stdin."""
    from bot.cli.main import main

    with _settings_environment(env or {}), _process_state(cwd, input):
        return _call(main, [str(a) for a in argv])

