"""/start (with deep links), /help, /menu, /language and the menu and language buttons."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import answers
from bot.conversation import guide
from bot.conversation.callbacks import CallbackData, LanguageChooser, Menu, SetLanguage, accepts
from bot.conversation.view import View
from bot.services import Services
from handlers.common import Asker, apply, command, for_button, for_user, send


@for_user
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    """Welcome, or jump straight into a flow from a deep link ``?start=<flow>--<tag>``."""
    # The whole rest of the command: a payload with a space is not one a deep link can carry.
    payload = " ".join(context.args) if context.args else None
    s.storage.touch_user(who.key)
    await send(update, context, apply(s, who, guide.start_command(v, payload)))


@for_user
async def help_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, detail="help")
    await send(update, context, [answers.help_text(v)])


@for_user
async def menu_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, detail="menu")
    await send(update, context, [answers.menu(v)])


@for_user
async def language_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    await send(update, context, [answers.language_chooser(v)])


@for_button()
async def menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View, data: CallbackData) -> None:
    """Buttons: ``m`` main menu, ``L`` language chooser, ``l:<lang>`` set language."""
    if isinstance(data, SetLanguage):
        s.storage.set_lang(who.key, data.lang)
        await send(update, context, [answers.language_set(v.in_lang(data.lang))])
    elif isinstance(data, LanguageChooser):
        await send(update, context, [answers.language_chooser(v)])
    else:
        await send(update, context, [answers.menu(v)])


COMMANDS = [
    command("start", start),
    command("help", help_cmd),
    command("menu", menu_cmd),
    command("language", language_cmd),
]
BUTTONS = [
    CallbackQueryHandler(menu_button, pattern=accepts(Menu, LanguageChooser, SetLanguage)),
]
