"""Per-user flood control: one user sending very fast gets one polite slow-down, others are unaffected.

Runs before every other handler (group -1). Counts are kept in memory only, by
pseudonymous key, and forgotten after the window.
"""
from __future__ import annotations

import time
from collections import OrderedDict, deque

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler, ContextTypes

from bot.conversation import answers
from bot.services import Services
from handlers.common import send, services, view

MAX_USERS_TRACKED = 50_000


class FloodGate:
    """Sliding-window counter per user key."""

    def __init__(self) -> None:
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._warned: dict[str, float] = {}

    def allow(self, key: str, limit: int, window: float, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): warn is True once per window for a user over the limit."""
        now = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            if len(self._hits) > MAX_USERS_TRACKED:
                old, _ = self._hits.popitem(last=False)
                self._warned.pop(old, None)
        else:
            self._hits.move_to_end(key)
        while hits and now - hits[0] > window:
            hits.popleft()
        hits.append(now)
        if len(hits) <= limit:
            return True, False
        warned_at = self._warned.get(key)
        if warned_at is None or now - warned_at > window:
            self._warned[key] = now
            return False, True
        return False, False


class FloodHandler(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Counts every private update in ``check_update`` and matches only when a user is over
    the limit, so ordinary updates cost one function call (a TypeHandler would run a full
    handler for each). Registered first, in its own group."""

    def __init__(self, application: Application) -> None:
        super().__init__(over_limit)
        self._application = application
        self._gate = FloodGate()

    def check_update(self, update: object) -> object:
        if not isinstance(update, Update):
            return False
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or chat.type != ChatType.PRIVATE:
            return False
        s: Services = self._application.bot_data["services"]
        key = s.user_key(user.id)
        allowed, warn = self._gate.allow(key, s.settings.flood_limit, s.settings.flood_window)
        return False if allowed else ("warn" if warn else "quiet")

    def collect_additional_context(self, context, update, application, check_result) -> None:  # type: ignore[override]
        context.flood = check_result  # type: ignore[attr-defined]


async def over_limit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Over the limit: answer the press, send the slow-down notice once per window, stop the update."""
    s = services(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if getattr(context, "flood", None) == "warn":
        user = update.effective_user
        key = s.user_key(user.id)
        lang = s.storage.get_lang(key) or ("km" if (user.language_code or "").startswith("km") else "en")
        s.storage.log_event(key, "flood", lang=lang)
        await send(update, context, [answers.slow_down(view(context, lang))])
    raise ApplicationHandlerStop
