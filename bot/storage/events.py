"""What one row of the conversation log records: the only kinds of event the bot writes.

The values are what the ``events.kind`` column stores and what the statistics
(:mod:`bot.reporting.stats`) count, so they are data, not names: never rename one (add a
new kind instead). ``EventKind`` is a ``str`` enum, so ``EventKind.QUESTION == "question"``
and call sites that still pass the string stay valid; :meth:`Storage.log_event
<bot.storage.database.Storage.log_event>` refuses any other string.
"""
from __future__ import annotations

from enum import Enum


class EventKind(str, Enum):
    """A kind of event in the conversation log (the ``events.kind`` column)."""

    # What a person sent (the stats' "messages").
    QUESTION = "question"  # a typed question that was answered (topic: the topic)
    FALLBACK = "fallback"  # a typed question under the answer threshold (topic: the nearest one)
    COMMAND = "command"  # /help, /menu, /checks, /hotlines or an unknown command (detail says which)
    START = "start"  # /start (detail: "deep-link", "bad-payload" or nothing)
    NON_TEXT = "non_text"  # a photo, sticker, voice message...
    # Buttons (the stats' "button presses").
    BUTTON = "button"  # detail: the callback data; a guided-check answer keeps only its step
    FEEDBACK = "feedback"  # 👍 / 👎 on an answer (detail: "up" or "down")
    STALE_BUTTON = "stale_button"  # a button no current message produces
    # Guided checks (detail of an answer: the step, never the choice).
    FLOW_START = "flow_start"
    FLOW_ANSWER = "flow_answer"
    FLOW_DONE = "flow_done"
    FLOW_CANCEL = "flow_cancel"
    # Safety.
    URGENT = "urgent"  # the reply led with emergency help (detail: the danger signals; never the text)
    # Neither use nor content.
    FLOOD = "flood"  # over the flood limit: the slow-down notice was sent
    ADMIN = "admin"  # an admin command (not counted as use)

    def __str__(self) -> str:  # the stored value in f-strings and str(), on every Python version
        return self.value

    @classmethod
    def parse(cls, value: object) -> EventKind | None:
        """The kind for an EventKind or its string value; None for anything else."""
        try:
            return cls(value)
        except (ValueError, TypeError):
            return None
