"""/privacy and /forget: what is kept, and deleting it on request."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import answers
from bot.callbacks import accepts, decode
from handlers.common import asker, send, services


async def privacy_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    await send(update, context, [answers.privacy_notice(services(context), who.lang)])


async def forget_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    await send(update, context, [answers.forget_confirm(services(context), who.lang)])


async def privacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``p`` notice; ``fg:ask`` confirm; ``fg:yes`` delete everything; ``fg:no`` keep."""
    query = update.callback_query
    await query.answer()
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    data = decode(query.data)
    if data.kind == "p":
        reply = answers.privacy_notice(s, who.lang)
    elif data.args[0] == "ask":
        reply = answers.forget_confirm(s, who.lang)
    elif data.args[0] == "yes":
        s.storage.forget(who.key)
        reply = answers.forget_done(s, who.lang)
    else:
        reply = answers.forget_cancelled(s, who.lang)
    await send(update, context, [reply])


COMMANDS = [
    CommandHandler("privacy", privacy_cmd),
    CommandHandler("forget", forget_cmd),
]
BUTTONS = [
    CallbackQueryHandler(privacy_button, pattern=accepts("p", "fg")),
]
