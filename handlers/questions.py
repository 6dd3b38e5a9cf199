"""Free-text questions, topic and sources buttons, and /hotlines."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.conversation import answers
from bot.conversation import guide
from bot.conversation.callbacks import Callback, accepts
from bot.services import Services
from handlers.common import MAX_TEXT, Asker, asker, command, for_button, for_user, send, services


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Match the question to a topic; below the threshold, say so honestly."""
    text = (update.effective_message.text or "")[:MAX_TEXT]
    who = asker(update, context, text)
    if who is None:
        return
    s = services(context)
    explicit = s.storage.get_lang(who.key) is not None
    result = answers.answer_question(s, text, who.lang, explicit_lang=explicit)
    if not explicit:
        s.storage.set_inferred_lang(who.key, result.lang)
    s.storage.touch_user(who.key)
    s.storage.log_event(
        who.key,
        "question" if result.match.topic else "fallback",
        lang=result.lang,
        text=text,
        topic=result.match.topic or result.match.best,
        score=result.match.score,
        detail=result.match.script,
    )
    replies = list(result.replies)
    note = guide.waiting_note(s, who.key, result.lang)
    if note:
        replies.append(note)
    await send(update, context, replies)


@for_button()
async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, data: Callback) -> None:
    """Buttons ``t:<topic>`` (show a topic) and ``s:<topic>`` (its sources)."""
    topic = s.content.topic(data.args[0])
    if topic is None:  # a topic removed by a content reload, or forged data
        await send(update, context, [answers.stale_button(s, who.lang)])
    elif data.kind == "s":
        await send(update, context, [answers.sources_reply(s, topic, who.lang)])
    else:
        await send(update, context, [answers.topic_reply(s, topic, who.lang)])


@for_button()
async def contacts_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, data: Callback) -> None:
    """``c:<country>``: every contact for one country."""
    await send(update, context, [answers.contacts_reply(s, who.lang, data.args[0])])


@for_user
async def hotlines_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, topic="hotlines", detail="hotlines")
    topic = s.content.topic("hotlines")
    reply = answers.topic_reply(s, topic, who.lang) if topic else answers.menu(s, who.lang)
    await send(update, context, [reply])


COMMANDS = [
    command("hotlines", hotlines_cmd),
]
BUTTONS = [
    CallbackQueryHandler(topic_button, pattern=accepts("t", "s")),
    CallbackQueryHandler(contacts_button, pattern=accepts("c")),
]

# Registered after every command handler, so commands are never treated as questions.
TEXT_HANDLER = MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, question)
