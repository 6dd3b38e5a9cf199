"""/start (with deep links), /help, /menu, /language and the menu and language buttons."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import answers
from bot.conversation import guide
from bot.conversation.callbacks import Callback, accepts
from bot.services import Services
from handlers.common import Asker, command, for_button, for_user, send


@for_user
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    """Welcome, or jump straight into a flow from a deep link ``?start=<flow>--<tag>``."""
    # The whole rest of the command: a payload with a space is not one a deep link can carry.
    payload = " ".join(context.args) if context.args else None
    s.storage.touch_user(who.key)
    target = guide.parse_start_payload(payload, s.content.flows)
    s.storage.log_event(who.key, "start", lang=who.lang, detail="deep-link" if target else ("bad-payload" if payload else None),
                        flow=target[0] if target else None, tag=target[1] if target else None)
    if target:
        await send(update, context, guide.start(s, who.key, target[0], who.lang, target[1]))
    else:
        await send(update, context, [answers.welcome(s, who.lang)])


@for_user
async def help_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, detail="help")
    await send(update, context, [answers.help_text(s, who.lang)])


@for_user
async def menu_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, detail="menu")
    await send(update, context, [answers.menu(s, who.lang)])


@for_user
async def language_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    await send(update, context, [answers.language_chooser(s, who.lang)])


@for_button()
async def menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, data: Callback) -> None:
    """Buttons: ``m`` main menu, ``L`` language chooser, ``l:<lang>`` set language."""
    if data.kind == "m":
        await send(update, context, [answers.menu(s, who.lang)])
    elif data.kind == "L":
        await send(update, context, [answers.language_chooser(s, who.lang)])
    else:
        lang = data.args[0]
        s.storage.set_lang(who.key, lang)
        await send(update, context, [answers.language_set(s, lang)])


COMMANDS = [
    command("start", start),
    command("help", help_cmd),
    command("menu", menu_cmd),
    command("language", language_cmd),
]
BUTTONS = [
    CallbackQueryHandler(menu_button, pattern=accepts("m", "L", "l")),
]
