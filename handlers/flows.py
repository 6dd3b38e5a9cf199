"""Guided flows: /checks, /cancel, and the flow buttons (start, answer, resume, leave).

The steps are pure (bot.conversation.guide): each gets the stored state and returns an
outcome, which :func:`handlers.common.apply` stores and logs for the user.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import guide
from bot.conversation.callbacks import CallbackData, FlowAnswer, FlowLeave, FlowList, FlowResume, FlowStart, accepts
from bot.conversation.outcome import Outcome
from bot.conversation.view import View
from bot.services import Services
from handlers.common import Asker, apply, command, for_button, for_user, send


@for_user
async def checks_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    s.storage.log_event(who.key, "command", lang=who.lang, detail="checks")
    await send(update, context, [guide.flows_menu(v)])


@for_user
async def cancel_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View) -> None:
    await send(update, context, apply(s, who, guide.cancel(v, s.storage.get_flow(who.key))))


def step(s: Services, who: Asker, v: View, data: CallbackData) -> Outcome:
    """The outcome of a flow button, given the user's stored flow state."""
    match data:
        case FlowList():
            return Outcome((guide.flows_menu(v),))
        case FlowStart(flow=flow_id):
            return guide.start(v, flow_id)
        case FlowAnswer(run=run, step=step_id, choice=index):
            return guide.answer(v, s.storage.get_flow(who.key), run, step_id, index)
        case FlowResume():
            return guide.resume(v, s.storage.get_flow(who.key))
        case _:
            return guide.cancel(v, s.storage.get_flow(who.key))


@for_button()
async def flow_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, who: Asker, v: View, data: CallbackData) -> None:
    """``g`` list, ``f:<flow>`` start, ``a:<run>:<step>:<i>`` answer, ``r`` resume, ``x`` leave."""
    await send(update, context, apply(s, who, step(s, who, v, data)))


COMMANDS = [
    command("checks", checks_cmd),
    command("cancel", cancel_cmd),
]
BUTTONS = [
    CallbackQueryHandler(flow_button, pattern=accepts(FlowList, FlowStart, FlowAnswer, FlowResume, FlowLeave)),
]
