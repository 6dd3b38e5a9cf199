"""Guided flows: /checks, /cancel, and the flow buttons (start, answer, resume, leave)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import guide
from bot.conversation.callbacks import Callback, accepts
from bot.services import Services
from handlers.common import Asker, command, for_button, for_user, send


@for_user
async def checks_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, detail="checks")
    await send(update, context, [guide.flows_menu(s, who.lang)])


@for_user
async def cancel_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    await send(update, context, [guide.cancel(s, who.key, who.lang)])


@for_button()
async def flow_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, data: Callback) -> None:
    """``g`` list, ``f:<flow>`` start, ``a:<run>:<step>:<i>`` answer, ``r`` resume, ``x`` leave."""
    if data.kind == "g":
        replies = [guide.flows_menu(s, who.lang)]
    elif data.kind == "f":
        replies = guide.start(s, who.key, data.args[0], who.lang)
    elif data.kind == "a":
        run, step, index = data.args
        replies = guide.answer(s, who.key, run, step, int(index), who.lang, context.bot.username)
    elif data.kind == "r":
        replies = guide.resume(s, who.key, who.lang)
    else:
        replies = [guide.cancel(s, who.key, who.lang)]
    await send(update, context, replies)


COMMANDS = [
    command("checks", checks_cmd),
    command("cancel", cancel_cmd),
]
BUTTONS = [
    CallbackQueryHandler(flow_button, pattern=accepts("g", "f", "a", "r", "x")),
]
