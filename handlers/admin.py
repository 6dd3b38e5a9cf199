"""Admin commands for the IDs in BOT_ADMIN_IDS: /reload (content without a restart), /stats."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.content import ContentError
from bot.replies import Reply, esc
from handlers.common import asker, send, services

MAX_PROBLEMS_SHOWN = 15


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
    content = catalog.content
    await send(update, context, [Reply(esc(f"Content reloaded: {len(content.topics)} topics, {len(content.flows)} flows, {len(content.contacts)} contacts."))])


COMMANDS = [
    CommandHandler("reload", reload_cmd),
]
BUTTONS = []
