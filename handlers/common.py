"""Telegram plumbing shared by the feature handlers: who is asking, in which language, the view
replies are built from, applying a step's outcome, and sending replies."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, ContextTypes, filters

from bot.conversation.callbacks import CallbackData, FlowAnswer, parse
from bot.conversation.outcome import KEEP, Outcome
from bot.conversation.replies import Reply
from bot.conversation.view import View, view_for
from bot.services import Services
from bot.text.i18n import pick_language

# Telegram's own limit on a message; anything longer is forged, and is cut before any work is done on it.
MAX_TEXT = 4096


def command(name: str, callback) -> CommandHandler:
    """A command handler for new messages only: editing an old message into ``/forget`` or
    ``/stats`` must not run the command (PTB's default also matches edited messages)."""
    return CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


@dataclass(frozen=True)
class Asker:
    """The person behind an update, as the core sees them: a pseudonymous key and a language."""

    key: str
    lang: str
    is_admin: bool


def asker(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | None = None) -> Asker | None:
    """Resolve the user key and reply language; None for updates without a user (channel posts)."""
    user = update.effective_user
    if user is None:
        return None
    s = services(context)
    key = s.user_key(user.id)
    stored = s.storage.get_lang(key)
    if stored is None and not text:  # a button or command: stay in the language last answered in
        stored = s.storage.get_inferred_lang(key)
    lang = pick_language(stored, text, user.language_code)
    # An admin only in their own private chat: a reply to any other chat (a forged update
    # naming the admin as sender) would go where the admin cannot read it, and someone else can.
    chat = update.effective_chat
    own_chat = chat is not None and chat.type == ChatType.PRIVATE and chat.id == user.id
    return Asker(key, lang, own_chat and s.is_admin(user.id))


def bot_username(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The bot's @username (for share links), known once the application is initialized."""
    try:
        return context.bot.username
    except RuntimeError:  # not initialized: no getMe answer yet
        return None


def view(context: ContextTypes.DEFAULT_TYPE, lang: str) -> View:
    """What the reply builders of bot.conversation see of this update: built once per update."""
    return view_for(services(context), lang, bot_username(context))


def apply(s: Services, who: Asker, outcome: Outcome) -> tuple[Reply, ...]:
    """Carry out what a conversation step decided for this user: store the flow state, log the events."""
    if outcome.state is not KEEP:
        s.storage.set_flow(who.key, outcome.state)  # type: ignore[arg-type]
    for event in outcome.events:
        s.storage.log_event(who.key, event.kind, **event.fields())
    return outcome.replies


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def keyboard(reply: Reply) -> list[list[dict]] | None:
    """Inline keyboard as the Bot API's JSON (see bot.tg.transport.SafeBot.send_html)."""
    if not reply.buttons:
        return None
    return [
        [{"text": b.label, "callback_data": b.data} if b.data else {"text": b.label, "url": b.url} for b in row]
        for row in reply.buttons
    ]


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, replies: Iterable[Reply]) -> None:
    """Send replies to the chat of the update, split to fit Telegram's limits."""
    chat = update.effective_chat
    if chat is None:
        return
    for reply in replies:
        for part in reply.chunks():
            await context.bot.send_html(chat.id, part.text, keyboard(part))


UserHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Services, Asker, View], Awaitable[None]]
ButtonHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Services, Asker, View, CallbackData], Awaitable[None]]


def for_user(fn: UserHandler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """A command handler: gets the services, the asker and the view in their language;
    updates without a user are skipped."""

    @functools.wraps(fn)
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = asker(update, context)
        if who is not None:
            await fn(update, context, services(context), who, view(context, who.lang))

    return handler


def for_button(*, answer: bool = True, log: bool = True) -> Callable[[ButtonHandler], Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]]:
    """A button handler: the press answered (Telegram shows a spinner until then), the asker
    resolved, the callback data parsed into its typed value (the handler's pattern already
    accepted it) and logged."""

    def wrap(fn: ButtonHandler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
        @functools.wraps(fn)
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            if answer:
                await query.answer()
            who = asker(update, context)
            if who is None:
                if not answer:
                    await query.answer()
                return
            s = services(context)
            data = parse(query.data)
            if log:
                # A guided-check answer is logged as its step, never the choice (stats need no more).
                detail = f"{data.prefix}:{data.step}" if isinstance(data, FlowAnswer) else query.data
                s.storage.log_event(who.key, "button", lang=who.lang, topic=data.log_topic(), detail=detail)
            await fn(update, context, s, who, view(context, who.lang), data)

        return handler

    return wrap
