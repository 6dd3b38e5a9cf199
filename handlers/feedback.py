""""Was this helpful? 👍 👎" buttons under each answer."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import answers
from bot.conversation.callbacks import Feedback
from bot.conversation.view import View
from bot.services import Services
from handlers.common import Asker, for_button, send


@for_button(answer=False, log=False)  # answered with a thank-you pop-up; logged as feedback
async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View, data: Feedback) -> None:
    """``fb:<topic>:1`` helpful, ``fb:<topic>:0`` not helpful: logged per topic for editors."""
    await update.callback_query.answer(answers.feedback_toast(v, data.helpful))
    if v.content.topic(data.topic) is None:
        return
    s.storage.log_event(who.key, "feedback", lang=who.lang, topic=data.topic, detail="up" if data.helpful else "down")
    if not data.helpful:
        await send(update, context, [answers.feedback_thanks(v, data.helpful)])


COMMANDS = []
BUTTONS = [
    CallbackQueryHandler(feedback_button, pattern=Feedback.filter()),
]
