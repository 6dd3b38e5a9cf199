"""Per-user flood control: one user sending very fast gets one polite slow-down, others are unaffected.

Runs before every other handler (group -1). Counts are kept in memory only, by
pseudonymous key, and forgotten after the window.
"""
from __future__ import annotations

import time
from collections import OrderedDict, deque

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from bot import answers
from handlers.common import is_private, send, services

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


async def flood_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or not is_private(update):
        return
    s = services(context)
    gate: FloodGate = context.application.bot_data.setdefault("flood_gate", FloodGate())
    key = s.user_key(user.id)
    allowed, warn = gate.allow(key, s.settings.flood_limit, s.settings.flood_window)
    if allowed:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if warn:
        lang = s.storage.get_lang(key) or ("km" if (user.language_code or "").startswith("km") else "en")
        s.storage.log_event(key, "flood", lang=lang)
        await send(update, context, [answers.slow_down(s, lang)])
    raise ApplicationHandlerStop


FLOOD_HANDLER = TypeHandler(Update, flood_check)
