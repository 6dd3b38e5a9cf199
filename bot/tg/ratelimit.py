"""Outgoing requests: Telegram's rate limits, and retries that do not lose answers.

python-telegram-bot's AIORateLimiter keeps the overall rate (about 30 messages a
second) and retries 429 ``RetryAfter`` after the time Telegram asks for. This
subclass adds what a bot that must not lose answers needs:

* a per-chat limiter for private chats (about one message a second, small bursts
  allowed, as Telegram asks);
* retries with exponential backoff on server errors (5xx), timeouts and dropped
  connections for the methods that carry an answer (``sendMessage``,
  ``editMessageText``, ``answerCallbackQuery``). A 4xx ``BadRequest`` is never
  retried: it would fail the same way again.

Duplicates: a retry is only sent after a failure Telegram reported, or a
connection that failed or timed out. If Telegram had in fact delivered a message
whose response was lost, a retry can repeat it; Telegram offers no idempotency
key, and a repeated answer is judged better than a lost one.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any, Callable, Coroutine

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"})
MAX_NETWORK_RETRIES = 4
BACKOFF_START = 0.25  # seconds; doubles each try
BACKOFF_MAX = 4.0
MAX_CHATS_TRACKED = 20_000


class ReliableRateLimiter(AIORateLimiter):
    """AIORateLimiter plus per-chat pacing and retries on transient failures."""

    def __init__(self, *, per_chat_rate: float = 3, per_chat_period: float = 3, enabled: bool = True, **kwargs: Any) -> None:
        if not enabled:  # benchmarks against a loopback server measure the bot, not Telegram's policy
            kwargs.update(overall_max_rate=0, group_max_rate=0)
        super().__init__(**kwargs)
        self._enabled = enabled
        self._per_chat = (per_chat_rate, per_chat_period)
        self._chat_limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(*self._per_chat)
            self._chat_limiters[chat_id] = limiter
            if len(self._chat_limiters) > MAX_CHATS_TRACKED:
                self._chat_limiters.popitem(last=False)
        else:
            self._chat_limiters.move_to_end(chat_id)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        try:
            chat_id = int(chat_id) if chat_id is not None else None
        except (TypeError, ValueError):
            chat_id = None
        if self._enabled and chat_id is not None and chat_id > 0 and endpoint == "sendMessage":
            await self._chat_limiter(chat_id).acquire()
        delay = BACKOFF_START
        for attempt in range(MAX_NETWORK_RETRIES + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                if endpoint not in RETRY_METHODS or attempt == MAX_NETWORK_RETRIES:
                    raise
                log.warning("%s failed (%s); retry %d in %.2f s", endpoint, type(exc).__name__, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
        raise AssertionError("unreachable")
