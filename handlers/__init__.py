"""All Telegram handlers, registered in one ordered place.

Order matters: python-telegram-bot runs the first matching handler of a group.
Each feature module exposes ``COMMANDS`` and ``BUTTONS``.
"""
from __future__ import annotations

from telegram.ext import Application

from handlers import admin, errors, feedback, flood, flows, privacy, questions, start

FEATURES = (start, questions, flows, feedback, privacy, admin)


def register(app: Application) -> None:
    """Register every handler, most specific first."""
    # 0. Guards before everything, each in its own group (only one handler per group runs):
    #    per-user flood control, then presses with empty callback data (which would otherwise
    #    match every button handler). Both stop the update when they act.
    app.add_handler(flood.FloodHandler(app), group=-2)
    app.add_handler(errors.EMPTY_BUTTON, group=-1)
    # 1. Group and channel chats: stay quiet (a /start there gets a pointer to a private chat).
    app.add_handler(errors.GROUP_HANDLER)
    # 2. Commands, before any text handler so they are never read as questions.
    for module in FEATURES:
        for handler in module.COMMANDS:
            app.add_handler(handler)
    # 3. Buttons, each feature with a strict callback-data grammar (bot.conversation.callbacks).
    for module in FEATURES:
        for handler in module.BUTTONS:
            app.add_handler(handler)
    # 4. Buttons no grammar accepts: forged, or from an old version of the bot.
    app.add_handler(errors.FORGED_BUTTON)
    # 5. Free-text questions.
    app.add_handler(questions.TEXT_HANDLER)
    # 6. Unknown commands get the help text; photos, stickers, voice get a polite note.
    app.add_handler(errors.UNKNOWN_COMMAND)
    app.add_handler(errors.NOT_TEXT)
    # Edited messages, channel posts and other update kinds match nothing: silence, by design.
    # 7. One error handler for everything above.
    app.add_error_handler(errors.on_error)
