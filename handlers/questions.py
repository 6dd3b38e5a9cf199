"""Free-text questions, topic and sources buttons, and /hotlines."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.conversation import answers
from bot.conversation import guide
from bot.conversation.callbacks import Contacts, ShowTopic, Sources, accepts
from bot.conversation.view import View
from bot.services import Services
from handlers.common import MAX_TEXT, Asker, asker, bot_username, command, for_button, for_user, send, services


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Match the question to a topic; below the threshold, say so honestly."""
    text = (update.effective_message.text or "")[:MAX_TEXT]
    who = asker(update, context, text)
    if who is None:
        return
    s = services(context)
    explicit = s.storage.get_lang(who.key) is not None
    # The view is built here, in the language of the answer (romanized Khmer is answered in Khmer).
    result = answers.answer_question(s, text, who.lang, explicit_lang=explicit, bot_username=bot_username(context))
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
    if result.danger is not None:  # which signals, never the text: counted for editors
        s.storage.log_event(who.key, "urgent", lang=result.lang, detail=",".join(result.danger.signals)[:200])
    replies = list(result.replies)
    note = guide.waiting_note(result.view, s.storage.get_flow(who.key))
    if note:
        replies.append(note)
    await send(update, context, replies)


@for_button()
async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View, data: ShowTopic | Sources) -> None:
    """Buttons ``t:<topic>`` (show a topic) and ``s:<topic>`` (its sources)."""
    topic = v.content.topic(data.topic)
    if topic is None:  # a topic removed by a content reload, or forged data
        await send(update, context, [answers.stale_button(v)])
    elif isinstance(data, Sources):
        await send(update, context, [answers.sources_reply(v, topic)])
    else:
        await send(update, context, [answers.topic_reply(v, topic)])


@for_button()
async def contacts_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View, data: Contacts) -> None:
    """``c:<country>``: every contact for one country."""
    await send(update, context, [answers.contacts_reply(v, data.country)])


@for_user
async def hotlines_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, topic="hotlines", detail="hotlines")
    topic = v.content.topic("hotlines")
    reply = answers.topic_reply(v, topic) if topic else answers.menu(v)
    await send(update, context, [reply])


COMMANDS = [
    command("hotlines", hotlines_cmd),
]
BUTTONS = [
    CallbackQueryHandler(topic_button, pattern=accepts(ShowTopic, Sources)),
    CallbackQueryHandler(contacts_button, pattern=Contacts.filter()),
]

# Registered after every command handler, so commands are never treated as questions.
TEXT_HANDLER = MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, question)
