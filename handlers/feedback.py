""""Was this helpful? 👍 👎" buttons under each answer."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import answers
from bot.conversation.callbacks import Callback, accepts
from bot.services import Services
from handlers.common import Asker, for_button, send


@for_button(answer=False, log=False)  # answered with a thank-you pop-up; logged as feedback
async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, data: Callback) -> None:
    """``fb:<topic>:1`` helpful, ``fb:<topic>:0`` not helpful: logged per topic for editors."""
    topic_id, value = data.args
    helpful = value == "1"
    await update.callback_query.answer(answers.feedback_toast(s, who.lang, helpful))
    if s.content.topic(topic_id) is None:
        return
    s.storage.log_event(who.key, "feedback", lang=who.lang, topic=topic_id, detail="up" if helpful else "down")
    if not helpful:
        await send(update, context, [answers.feedback_thanks(s, who.lang, helpful)])


COMMANDS = []
BUTTONS = [
    CallbackQueryHandler(feedback_button, pattern=accepts("fb")),
]
