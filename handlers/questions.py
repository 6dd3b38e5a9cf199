"""Free-text questions, topic and sources buttons, and /hotlines."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import answers, guide
from bot.callbacks import accepts, decode
from handlers.common import asker, send, services


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Match the question to a topic; below the threshold, say so honestly."""
    text = update.effective_message.text or ""
    who = asker(update, context, text)
    if who is None:
        return
    s = services(context)
    explicit = s.storage.get_lang(who.key) is not None
    result = answers.answer_question(s, text, who.lang, explicit_lang=explicit)
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


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons ``t:<topic>`` (show a topic) and ``s:<topic>`` (its sources)."""
    query = update.callback_query
    await query.answer()
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    data = decode(query.data)
    topic = s.content.topic(data.args[0])
    s.storage.log_event(who.key, "button", lang=who.lang, topic=data.args[0], detail=query.data)
    if topic is None:  # a topic removed by a content reload, or forged data
        await send(update, context, [answers.stale_button(s, who.lang)])
    elif data.kind == "s":
        await send(update, context, [answers.sources_reply(s, topic, who.lang)])
    else:
        await send(update, context, [answers.topic_reply(s, topic, who.lang)])


async def contacts_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``c:<country>``: every contact for one country."""
    query = update.callback_query
    await query.answer()
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    country = decode(query.data).args[0]
    s.storage.log_event(who.key, "button", lang=who.lang, topic="hotlines", detail=query.data)
    await send(update, context, [answers.contacts_reply(s, who.lang, country)])


async def hotlines_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = asker(update, context)
    if who is None:
        return
    s = services(context)
    s.storage.log_event(who.key, "command", lang=who.lang, topic="hotlines", detail="hotlines")
    topic = s.content.topic("hotlines")
    if topic is None:
        await send(update, context, [answers.menu(s, who.lang)])
        return
    await send(update, context, [answers.topic_reply(s, topic, who.lang)])


COMMANDS = [
    CommandHandler("hotlines", hotlines_cmd),
]
BUTTONS = [
    CallbackQueryHandler(topic_button, pattern=accepts("t", "s")),
    CallbackQueryHandler(contacts_button, pattern=accepts("c")),
]

# Registered after every command handler, so commands are never treated as questions.
TEXT_HANDLER = MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, question)
