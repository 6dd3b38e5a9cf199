"""Command line: ``python -m bot <command>``. Thin: every command calls library functions.

Each command has ``--help``; tests check that every command is documented in the README.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path
from typing import Sequence

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def setup_logging(settings: Settings) -> None:
    """One handler on stderr whose every line is scrubbed of personal data and tokens (bot.cli.logs)."""
    from bot.cli.logs import ScrubbingFormatter, install_excepthook

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", settings.token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access", "khmer-nltk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_excepthook(settings.token)


def _plain(html_text: str) -> str:
    from bot.tg.fakeapi import parse_html

    return parse_html(html_text)


# --- commands -------------------------------------------------------------------------


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Long-poll Telegram (or serve a webhook); with no token, start the terminal chat."""
    if not settings.token:
        if not sys.stdin.isatty():
            # In a detached container there is nobody to chat with: a clear error, not an
            # endless restart loop of a chat that reads end of input and exits 0.
            print("TELEGRAM_BOT_TOKEN is not set, and there is no terminal to chat in. Set TELEGRAM_BOT_TOKEN "
                  "(from @BotFather) to run on Telegram, or use `python -m bot chat` to chat from a script.",
                  file=sys.stderr)
            return 78  # EX_CONFIG
        print("No TELEGRAM_BOT_TOKEN set: starting the terminal chat instead (same bot, no Telegram).", file=sys.stderr)
        from bot.tg.chat import run_chat

        return run_chat(settings, language_code=args.lang)
    from bot.tg.app import build_application

    from telegram.error import InvalidToken

    app = build_application(settings)
    try:
        if settings.webhook_url:
            # Our own server, not app.run_webhook: a secret always, checks before reading bodies.
            from bot.tg.webhook import run_webhook

            return run_webhook(app, settings)
        log.info("long-polling %s", settings.api_base_url)
        app.run_polling(allowed_updates=["message", "callback_query"], close_loop=False)
    except InvalidToken:
        # PTB's message quotes the token; it never reaches the screen or the logs.
        print("Telegram rejected TELEGRAM_BOT_TOKEN (revoked, or mistyped). Get the current token from "
              "@BotFather (/mybots, API Token) and set it again.", file=sys.stderr)
        return 78  # EX_CONFIG
    return 0


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    """Chat with the bot in this terminal, through a loopback Bot API."""
    from bot.tg.chat import run_chat

    return run_chat(settings, language_code=args.lang)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    """Answer one question, or one per line of standard input."""
    from bot.conversation.answers import answer_question
    from bot.services import Services
    from bot.storage.database import Storage

    services = Services(settings, storage=Storage(None))
    questions = [" ".join(args.question)] if args.question else (line.rstrip("\n") for line in sys.stdin)
    for q in questions:
        if not q.strip() and not args.question:
            continue
        lang = args.lang or ("km" if re.search(r"[\u1780-\u17FF]", q) else "en")
        result = answer_question(services, q, lang, explicit_lang=bool(args.lang))
        text = "\n\n".join(_plain(r.text) for r in result.replies)
        if args.json:
            row = {
                "question": q,
                "lang": result.lang,
                "topic": result.match.topic,
                "score": result.match.score,
                "answer": text,
                "ms": round(result.match.ms, 3),
                "urgent": result.urgent,  # the reply leads with emergency help
                "suggestions": result.suggestions,
            }
            if args.verbose:
                row.update(best=result.match.best, alternatives=result.match.alternatives, script=result.match.script)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            label = result.match.topic or f"no answer (closest: {result.match.best})"
            print(f"# {label}  score={result.match.score:.2f}  {result.match.ms:.2f} ms\n{text}\n", flush=True)
    return 0


def cmd_content_check(settings: Settings, args: argparse.Namespace) -> int:
    """Validate all content; print ``file:line: problem``; exit 1 on errors (2 with --strict on warnings)."""
    from bot.content.check import check_content

    report = check_content(Path(settings.content_dir))
    if args.json:
        print(json.dumps({"errors": report.errors, "warnings": report.warnings, "unverified": report.unverified}, ensure_ascii=False, indent=1))
    else:
        for e in report.errors:
            print(f"{e} [error]")
        for w in report.warnings:
            print(f"{w} [warning]")
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s), {len(report.unverified)} unverified fact(s)")
    if report.errors:
        return 1
    if args.strict and report.warnings:
        return 2
    return 0


def cmd_content_segments(settings: Settings, args: argparse.Namespace) -> int:
    """Refresh the start-up cache of Khmer word segments (bot/data/khmer_segments.json).

    Start-up segments every Khmer example question with khmer-nltk unless the cache already
    has it; after adding many Khmer examples, run this so the bot keeps starting fast.
    """
    from bot.content.model import ContentError
    from bot.content.loader import load_content
    from bot.matching.matcher import SEGMENT_CACHE_FILE, write_segment_cache

    try:
        content = load_content(Path(settings.content_dir))
    except ContentError as exc:
        print("The content has errors; fix them first (python -m bot content check):\n" + "\n".join(exc.problems[:10]), file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else SEGMENT_CACHE_FILE
    runs, new = write_segment_cache(content, out)
    print(f"{runs} Khmer runs segmented ({new} new) -> {out}")
    return 0


def cmd_matching_fit(settings: Settings, args: argparse.Namespace) -> int:
    """Refit the matcher's confidence model (bot/data/confidence.json) after content changes.

    Every example question and out-of-scope example is scored by a matcher built without it
    (k-fold cross-validation); a logistic model learns from those verdicts when the best topic
    is right, and the threshold is the one with the best top-1 on the development questions
    that keeps at least 92% of their out-of-scope questions falling back. Needs scikit-learn
    (pip install -e ".[bench]"). The bot reads the new model when it starts or reloads content.
    """
    from bot.content.loader import load_content
    from bot.content.model import ContentError
    from bot.matching.training import DEFAULT_FOLDS, DEV_DIR, TrainingError, fit_confidence, load_questions, write_model

    dev_dir = Path(args.dev) if args.dev else DEV_DIR
    if not dev_dir.is_dir():
        print(f"--dev {dev_dir}: not a folder of development questions", file=sys.stderr)
        return 2
    try:
        content = load_content(Path(settings.content_dir))
    except ContentError as exc:
        print("The content has errors; fix them first (python -m bot content check):\n" + "\n".join(exc.problems[:10]), file=sys.stderr)
        return 1
    try:
        result = fit_confidence(content, load_questions(dev_dir), args.folds or DEFAULT_FOLDS)
    except TrainingError as exc:
        print(f"Cannot fit the confidence model: {exc}", file=sys.stderr)
        return 1
    try:
        path = write_model(result.model, Path(args.out) if args.out else None)
    except OSError as exc:
        print(f"Cannot write the confidence model: {exc}", file=sys.stderr)
        return 1
    print("\n".join(result.summary()))
    print(f"wrote {path} ({result.seconds:.1f} s)")
    return 0


def _folds(text: str) -> int:
    """``--folds K``: a whole number, at least 2."""
    try:
        k = int(text)
    except ValueError:
        k = 0
    if k < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of folds, at least 2")
    return k


def cmd_qr(settings: Settings, args: argparse.Namespace) -> int:
    """Make a printable QR code (PNG or SVG) that opens a guided check in Telegram, with its title in Khmer and English."""
    from bot.content.loader import load_content
    from bot.outreach.qr import QRError, write_qr

    content = load_content(Path(settings.content_dir))
    try:
        link = write_qr(content.flows, args.bot or settings.bot_username, args.flow, args.tag, Path(args.out))
    except QRError as exc:
        print(f"Cannot make the QR code: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {link}")
    return 0


# --- parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Safe-migration Telegram bot: answers in Khmer and English about working abroad safely.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the bot on Telegram (terminal chat if no TELEGRAM_BOT_TOKEN)",
                       description=cmd_run.__doc__)
    p.add_argument("--lang", choices=["en", "km"], help="terminal chat only: your Telegram language")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("chat", help="chat with the bot in this terminal, no Telegram needed", description=cmd_chat.__doc__)
    p.add_argument("--lang", choices=["en", "km"], help="the language your (pretend) Telegram app uses")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("ask", help="answer questions from the command line (editors, benchmarks)", description=cmd_ask.__doc__)
    p.add_argument("question", nargs="*", help="the question; none: read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per line: question, lang, topic, score, answer, ms")
    p.add_argument("--lang", choices=["en", "km"], help="answer in this language (default: from the question's script)")
    p.add_argument("--verbose", action="store_true", help="with --json: also the closest topics")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("content", help="content tools for editors", description="Content tools for editors.")
    csub = p.add_subparsers(dest="content_command", required=True, metavar="SUBCOMMAND")
    c = csub.add_parser("check", help="validate every content file", description=cmd_content_check.__doc__)
    c.add_argument("--json", action="store_true", help="machine-readable report")
    c.add_argument("--strict", action="store_true", help="also fail (exit 2) on warnings")
    c.set_defaults(func=cmd_content_check)
    c = csub.add_parser("segments", help="refresh the start-up cache of Khmer word segments", description=cmd_content_segments.__doc__)
    c.add_argument("--out", help="where to write it (default: bot/data/khmer_segments.json)")
    c.set_defaults(func=cmd_content_segments)

    p = sub.add_parser("matching", help="matcher tools for editors", description="Matcher tools for editors.")
    msub = p.add_subparsers(dest="matching_command", required=True, metavar="SUBCOMMAND")
    c = msub.add_parser("fit", help="refit the matcher's confidence model after content changes",
                        description=cmd_matching_fit.__doc__)
    c.add_argument("--folds", type=_folds, metavar="K", help="cross-validation folds (default 5)")
    c.add_argument("--out", metavar="FILE", help="where to write the model (default: bot/data/confidence.json)")
    c.add_argument("--dev", metavar="DIR",
                   help="development questions, *.yaml of {topic, lang, q} (default: tests/data/dev_questions)")
    c.set_defaults(func=cmd_matching_fit)

    p = sub.add_parser("qr", help="a printable QR code that starts a guided check", description=cmd_qr.__doc__)
    p.add_argument("flow", help="flow id: checklist, offer-check, emergency, choose-country, complaint")
    p.add_argument("--tag", help="your centre's or outreach worker's tag (letters, digits, _ and -), counted in stats")
    p.add_argument("--out", required=True, help="output file, .png or .svg")
    p.add_argument("--bot", help="the bot's username (default: BOT_USERNAME)")
    p.set_defaults(func=cmd_qr)

    from bot.cli import reports

    reports.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 78  # EX_CONFIG
    setup_logging(settings)
    from bot.content.model import ContentError
    from bot.text.i18n import I18nError
    from bot.matching.confidence import ConfidenceModelError
    from bot.storage.keys import SecretError
    from bot.storage.database import StorageError

    try:
        return int(args.func(settings, args) or 0)
    except ContentError as exc:
        print("The content has errors, so the bot will not start:\n" + "\n".join(exc.problems[:30]), file=sys.stderr)
        print("Run: python -m bot content check", file=sys.stderr)
        return 65
    except (StorageError, I18nError, SecretError, ConfidenceModelError) as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 74
    except KeyboardInterrupt:
        return 130
