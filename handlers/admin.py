"""Admin commands for the IDs in BOT_ADMIN_IDS: /reload (content without a restart), /stats, /unanswered.

Anyone else gets exactly the reply of an unknown command, so the commands cannot be discovered by probing.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.reporting import stats as st
from bot.content.model import ContentError
from bot.matching.confidence import ConfidenceModelError
from bot.conversation.replies import Reply, esc
from bot.services import Services
from handlers.common import asker, command, send, services

MAX_PROBLEMS_SHOWN = 15
DEFAULT_PERIOD = "7d"
UNANSWERED_SHOWN = 10


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Non-admins get the same reply as for any unknown command: nothing to probe."""
    from handlers.errors import unknown_command

    await unknown_command(update, context)


async def reload_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Validate the content files and swap them in; on any error keep the old content."""
    who = asker(update, context)
    if who is None:
        return
    if not who.is_admin:
        await _refuse(update, context)
        return
    s = services(context)
    s.storage.log_event(who.key, "admin", detail="reload")
    try:
        catalog = s.reload()
    except ContentError as exc:
        shown = exc.problems[:MAX_PROBLEMS_SHOWN]
        more = len(exc.problems) - len(shown)
        text = "Content NOT reloaded: the old content is still answering.\n\n" + "\n".join(shown)
        if more > 0:
            text += f"\n… and {more} more (run: python -m bot content check)"
        await send(update, context, [Reply(esc(text))])
        return
    except ConfidenceModelError as exc:  # the matcher's model is read on reload too
        await send(update, context, [Reply(esc(f"Content NOT reloaded: the old content is still answering.\n\n{exc}"))])
        return
    content = catalog.content
    await send(update, context, [Reply(esc(f"Content reloaded: {len(content.topics)} topics, {len(content.flows)} flows, {len(content.contacts)} contacts."))])


def _period(context: ContextTypes.DEFAULT_TYPE) -> tuple[dt.datetime | None, str]:
    """``/stats`` = last 7 days; ``/stats 30d`` or ``/stats 2025-01-01`` for another period (raises SinceError)."""
    raw = context.args[0] if context.args else DEFAULT_PERIOD
    since = st.parse_since(raw)
    return since, f"since {st.local_time(st.iso_utc(since))} ({st.TZ_LABEL})"


async def _read_log(s: Services, work: Callable[[Any], Any]) -> Any:
    """Run a report query off the event loop, on its own read connection, so answering users never waits.

    An in-memory database (tests, the terminal chat) cannot be shared between
    connections, so it is read in place.
    """
    storage = s.storage
    storage.flush()
    if storage.path is None or not storage.path.exists():
        return work(storage)

    def in_thread() -> Any:
        db = st.open_database(storage.path)
        try:
            return work(db)
        finally:
            db.conn.close()

    return await asyncio.to_thread(in_thread)


async def _admin(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str):
    """The admin behind the update, or None after refusing (non-admins) or for updates without a user."""
    who = asker(update, context)
    if who is None:
        return None
    if not who.is_admin:
        await _refuse(update, context)
        return None
    services(context).storage.log_event(who.key, "admin", detail=what)
    return who


async def _admin_period(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str):
    """(services, since, label) for an admin report command, or None after replying (refused, bad period)."""
    if await _admin(update, context, what) is None:
        return None
    try:
        since, label = _period(context)
    except st.SinceError as exc:
        await send(update, context, [Reply(esc(f"{exc}\nExample: /{what} 30d"))])
        return None
    return services(context), since, label


async def stats_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Usage statistics for the last 7 days (or the period given: /stats 30d, /stats 2025-01-01)."""
    got = await _admin_period(update, context, "stats")
    if got is None:
        return
    s, since, _label = got
    result = await _read_log(s, lambda db: st.compute_stats(db, since))
    titles = {tid: t.title.get("en", tid) for tid, t in s.content.topics.items()}
    await send(update, context, [Reply(esc(st.render_stats_text(result, titles)))])


async def unanswered_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 10 most asked questions that fell back or got 👎 in the last 7 days (or the period given)."""
    got = await _admin_period(update, context, "unanswered")
    if got is None:
        return
    s, since, label = got
    matcher = s.matcher  # the content answering now, to show where each question would go today
    groups = await _read_log(s, lambda db: st.unanswered(db, since, matcher))
    text = st.render_unanswered_text(groups, UNANSWERED_SHOWN, label)
    await send(update, context, [Reply(esc(text))])


COMMANDS = [
    command("reload", reload_cmd),
    command("stats", stats_cmd),
    command("unanswered", unanswered_cmd),
]
BUTTONS = []
