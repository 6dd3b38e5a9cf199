"""Editor and operator commands (stats, unanswered, report), kept apart from the core CLI.

Each reads the bot's SQLite log (``$BOT_DATA_DIR/bot.sqlite3``) without writing
to it, so they are safe to run while the bot is running.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.reporting import stats as st
from bot.storage.database import printable


def _print(text: str, **kw: Any) -> None:
    """Print what came from users' messages without terminal control characters (rows logged
    before they were stripped at the door, or a database edited by hand)."""
    print(printable(text), **kw)


EX_NOINPUT = 66  # the log file does not exist
EX_IOERR = 74  # the log cannot be read
EX_CANTCREAT = 73  # the report cannot be written


def _since(value: str):
    """argparse type for --since: a bad value is a usage error (exit 2) with a clear message, never a traceback."""
    try:
        return st.parse_since(value)
    except st.SinceError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _utf8_stdout() -> None:
    """Khmer questions must print even where the terminal's encoding is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if enc != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8")
            except (ValueError, OSError):
                pass


def _open(settings) -> Any:
    return st.open_database(st.db_path(settings))


def _catalog(settings, with_matcher: bool) -> tuple[Any, Any]:
    """Current content (for topic titles) and its matcher (to recompute nearest topics); (None, None) if content is broken."""
    from bot.content.model import ContentError
    from bot.content.loader import load_content

    try:
        content = load_content(Path(settings.content_dir))
    except ContentError as exc:
        print(f"Note: the content has {len(exc.problems)} error(s), so topics are shown as logged "
              "(run: python -m bot content check).", file=sys.stderr)
        return None, None
    matcher = None
    if with_matcher:
        from bot.matching.matcher import Matcher

        matcher = Matcher(content, settings.match_threshold or None)
    return content, matcher


def _titles(content: Any) -> dict[str, str]:
    return {tid: t.title.get("en", tid) for tid, t in content.topics.items()} if content is not None else {}


def _period(since) -> str:
    return f"since {st.local_time(st.iso_utc(since))} ({st.TZ_LABEL})" if since else "all time"


def _guarded(fn):
    """Turn a missing or unreadable log into a clear message and an exit code."""

    def run(settings, args: argparse.Namespace) -> int:
        _utf8_stdout()
        try:
            return fn(settings, args)
        except st.StatsError as exc:
            print(str(exc), file=sys.stderr)
            return EX_NOINPUT
        except sqlite3.Error as exc:
            print(f"Cannot read the conversation log {st.db_path(settings)}: {exc}", file=sys.stderr)
            return EX_IOERR
        except BrokenPipeError:  # `python -m bot stats --json | head`: the reader left, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0

    run.__doc__ = fn.__doc__
    run.__name__ = fn.__name__
    return run


@_guarded
def cmd_stats(settings, args: argparse.Namespace) -> int:
    """Usage statistics: users (pseudonymous, counted), messages, answered versus fallback, top topics,
    languages, feedback per topic, guided-check starts and completions per check and tag, busiest hours."""
    db = _open(settings)
    stats = st.compute_stats(db, since=args.since)
    if args.json:
        _print(json.dumps(stats, ensure_ascii=False, indent=1))
    else:
        content, _ = _catalog(settings, with_matcher=False) if not stats["empty"] else (None, None)
        _print(st.render_stats_text(stats, _titles(content)))
    return 0


@_guarded
def cmd_unanswered(settings, args: argparse.Namespace) -> int:
    """The editors' to-do list: questions that fell back or got 👎, similar ones grouped with their count and nearest topic."""
    db = _open(settings)
    asks = st.collect_unanswered(db, since=args.since)
    matcher = _catalog(settings, with_matcher=True)[1] if asks else None
    groups = st.group_questions(asks, matcher, args.threshold)
    if args.limit:
        shown = groups[: args.limit]
    else:
        shown = groups
    if args.yaml:
        _print(st.render_unanswered_yaml(shown, _period(args.since)), end="")
    elif args.json:
        _print(json.dumps(shown, ensure_ascii=False, indent=1))
    else:
        _print(st.render_unanswered_text(groups, args.limit, _period(args.since)))
    return 0


@_guarded
def cmd_report(settings, args: argparse.Namespace) -> int:
    """Write one self-contained HTML report with charts (messages per day, answered versus fallback, top topics,
    feedback, guided-check funnels, tags, languages, hours): opens offline, fit to attach to an email."""
    from bot.reporting.report import write_report

    db = _open(settings)
    stats = st.compute_stats(db, since=args.since)
    asks = st.collect_unanswered(db, since=args.since)
    content, matcher = _catalog(settings, with_matcher=bool(asks)) if not stats["empty"] else (None, None)
    groups = st.group_questions(asks, matcher)
    flow_steps = {fid: list(f.steps) for fid, f in content.flows.items()} if content is not None else None
    try:
        path = write_report(args.out, db, stats=stats, groups=groups, titles=_titles(content), flow_steps=flow_steps)
    except OSError as exc:
        print(f"Cannot write the report to {args.out}: {exc}", file=sys.stderr)
        return EX_CANTCREAT
    size = path.stat().st_size
    note = " (no data yet in this period)" if stats["empty"] else ""
    print(f"Report written to {path} ({size / 1024:.0f} KB), {st.period_text(stats)}{note}. "
          "It opens in any browser, offline.")
    return 0


SINCE_HELP = "only from this date (YYYY-MM-DD, midnight Cambodia time), 'today', or a period back from now: 12h, 7d, 4w"


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the editor commands on the main parser."""
    p = sub.add_parser("stats", help="usage statistics from the conversation log", description=cmd_stats.__doc__)
    p.add_argument("--since", type=_since, metavar="DATE", help=SINCE_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output (all figures)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("unanswered", help="questions that fell back or got 👎, grouped: the editors' to-do list",
                       description=cmd_unanswered.__doc__)
    p.add_argument("--since", type=_since, metavar="DATE", help=SINCE_HELP)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--yaml", action="store_true",
                     help="ready-to-paste example-question stubs, by nearest topic and language (en, km, km-latn)")
    fmt.add_argument("--json", action="store_true", help="machine-readable groups")
    p.add_argument("--limit", type=int, default=0, metavar="N", help="only the N most asked groups")
    p.add_argument("--threshold", type=float, default=st.GROUP_THRESHOLD, metavar="0-100",
                   help=f"how similar two questions must be to group them (default {st.GROUP_THRESHOLD})")
    p.set_defaults(func=cmd_unanswered)

    p = sub.add_parser("report", help="one self-contained HTML report with charts, for programme managers",
                       description=cmd_report.__doc__)
    p.add_argument("--out", default="report.html", metavar="FILE", help="where to write the HTML (default: report.html)")
    p.add_argument("--since", type=_since, metavar="DATE", help=SINCE_HELP)
    p.set_defaults(func=cmd_report)
