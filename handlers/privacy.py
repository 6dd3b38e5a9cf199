"""/privacy and /forget: what is kept, and deleting it on request."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import answers
from bot.conversation.callbacks import Callback, accepts
from bot.services import Services
from handlers.common import Asker, command, for_button, for_user, send


@for_user
async def privacy_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    await send(update, context, [answers.privacy_notice(s, who.lang)])


@for_user
async def forget_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    await send(update, context, [answers.forget_confirm(s, who.lang)])


@for_button(log=False)  # logging a press would write about the user we may be about to forget
async def privacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, data: Callback) -> None:
    """``p`` notice; ``fg:ask`` confirm; ``fg:yes`` delete everything; ``fg:no`` keep."""
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
    command("privacy", privacy_cmd),
    command("forget", forget_cmd),
]
BUTTONS = [
    CallbackQueryHandler(privacy_button, pattern=accepts("p", "fg")),
]
