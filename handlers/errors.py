"""Everything that is not a normal question: errors, odd updates, forged buttons, group chats.

The rule: a short helpful reply or silence, never a crash and never a stuck chat.
"""
from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.conversation import answers
from handlers.common import asker, is_private, send, services, view

log = logging.getLogger(__name__)


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups the bot stays quiet, except to point a /start or /help to a private chat."""
    message = update.message  # not an edit: editing an old message must not trigger a reply
    words = (message.text or "")[:64].split() if message else []
    if words and words[0].split("@")[0] in ("/start", "/help"):
        who = asker(update, context)
        await send(update, context, [answers.group_notice(view(context, who.lang if who else "en"))])


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice, locations...: the bot reads text only."""
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    s.storage.log_event(who.key, "non_text", lang=who.lang)
    await send(update, context, [answers.not_text(view(context, who.lang))])


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    s.storage.log_event(who.key, "command", lang=who.lang, detail="unknown")
    await send(update, context, [answers.help_text(view(context, who.lang))])


async def forged_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data no current button produces: answer the press, show the menu."""
    query = update.callback_query
    await query.answer()
    who = asker(update, context)
    if who is None or not is_private(update):
        return
    s = services(context)
    s.storage.log_event(who.key, "stale_button", lang=who.lang)
    await send(update, context, [answers.stale_button(view(context, who.lang))])


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without personal data, and tell the user something went wrong."""
    error = context.error
    if isinstance(error, Forbidden):  # the user blocked the bot: nothing to tell them
        log.info("user blocked the bot; reply dropped")
        return
    kind = type(update).__name__ if update is not None else "no update"
    log.error("handler failed on %s: %s", kind, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_user is None or not is_private(update):
        return
    try:
        # Button handlers answer the press first thing, so it is not answered again here
        # (Telegram refuses a second answer).
        who = asker(update, context)
        await send(update, context, [answers.error_reply(view(context, who.lang if who else "en"))])
    except Exception:  # the error path itself must never raise
        log.exception("could not tell the user about an error")


class EmptyCallbackHandler(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Matches a press with no callback data, which python-telegram-bot would otherwise
    hand to every button handler with a pattern. Checked before them, it costs nothing
    for ordinary updates (a TypeHandler would run for every one)."""

    def check_update(self, update: object) -> bool:
        query = update.callback_query if isinstance(update, Update) else None
        return query is not None and not query.data and not query.game_short_name


async def empty_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await forged_button(update, context)
    raise ApplicationHandlerStop


GROUP_HANDLER = MessageHandler(~filters.ChatType.PRIVATE, group_message)
UNKNOWN_COMMAND = MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command)
NOT_TEXT = MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT, not_text)
FORGED_BUTTON = CallbackQueryHandler(forged_button)
EMPTY_BUTTON = EmptyCallbackHandler(empty_button)
