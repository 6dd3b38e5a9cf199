"""/privacy and /forget: what is kept, and deleting it on request."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import answers
from bot.conversation.callbacks import CallbackData, Forget, Privacy, accepts
from bot.conversation.view import View
from bot.services import Services
from handlers.common import Asker, command, for_button, for_user, send


@for_user
async def privacy_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    await send(update, context, [answers.privacy_notice(v)])


@for_user
async def forget_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    await send(update, context, [answers.forget_confirm(v)])


@for_button(log=False)  # logging a press would write about the user we may be about to forget
async def privacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View, data: CallbackData) -> None:
    """``p`` notice; ``fg:ask`` confirm; ``fg:yes`` delete everything; ``fg:no`` keep."""
    match data:
        case Forget(step="ask"):
            reply = answers.forget_confirm(v)
        case Forget(step="yes"):
            s.storage.forget(who.key)
            reply = answers.forget_done(v)
        case Forget():
            reply = answers.forget_cancelled(v)
        case _:
            reply = answers.privacy_notice(v)
    await send(update, context, [reply])


COMMANDS = [
    command("privacy", privacy_cmd),
    command("forget", forget_cmd),
]
BUTTONS = [
    CallbackQueryHandler(privacy_button, pattern=accepts(Privacy, Forget)),
]
