"""/start (with deep links), /help, /menu, /language and the menu and language buttons."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import answers, guide
from bot.callbacks import accepts, decode
from handlers.common import asker, send, services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, or jump straight into a flow from a deep link ``?start=<flow>--<tag>``."""
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    # The whole rest of the command: a payload with a space is not one a deep link can carry.
    payload = " ".join(context.args) if context.args else None
    s.storage.touch_user(who.key)
    target = guide.parse_start_payload(payload, s.content.flows)
    s.storage.log_event(who.key, "start", lang=who.lang, detail="deep-link" if target else ("bad-payload" if payload else None),
                        flow=target[0] if target else None, tag=target[1] if target else None)
    if target:
        await send(update, context, guide.start(s, who.key, target[0], who.lang, target[1]))
        return
    await send(update, context, [answers.welcome(s, who.lang)])


async def help_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    services(context).storage.log_event(who.key, "command", lang=who.lang, detail="help")
    await send(update, context, [answers.help_text(services(context), who.lang)])


async def menu_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    services(context).storage.log_event(who.key, "command", lang=who.lang, detail="menu")
    await send(update, context, [answers.menu(services(context), who.lang)])


async def language_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    await send(update, context, [answers.language_chooser(services(context), who.lang)])


async def menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons: ``m`` main menu, ``L`` language chooser, ``l:<lang>`` set language."""
    query = update.callback_query
    await query.answer()
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    data = decode(query.data)
    s.storage.log_event(who.key, "button", lang=who.lang, detail=query.data)
    if data.kind == "m":
        await send(update, context, [answers.menu(s, who.lang)])
    elif data.kind == "L":
        await send(update, context, [answers.language_chooser(s, who.lang)])
    else:
        lang = data.args[0]
        s.storage.set_lang(who.key, lang)
        await send(update, context, [answers.language_set(s, lang)])


COMMANDS = [
    CommandHandler("start", start),
    CommandHandler("help", help_cmd),
    CommandHandler("menu", menu_cmd),
    CommandHandler("language", language_cmd),
]
BUTTONS = [
    CallbackQueryHandler(menu_button, pattern=accepts("m", "L", "l")),
]
