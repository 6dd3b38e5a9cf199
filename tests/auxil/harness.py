"""The production Application on the fake Bot API, for tests: one conversation, fed update by update.

    async with running_bot(settings, catalog_services) as h:     # in-process (the default)
        sent = await h.say("how much does a passport cost")
    async with running_bot(settings, catalog_services, http=True) as h:  # over loopback HTTP

By default the Bot's transport is ``InProcessRequest``: every Bot API call goes straight to
``FakeBotAPI.call``, validated against the official spec exactly as over HTTP, with no
sockets. ``http=True`` (or an HTTP ``request``) serves the same fake API on 127.0.0.1 with
``LoopbackServer`` instead, for what needs real HTTP: connections that drop, client timeouts
(tests/test_reliability.py). The Updater's polling and the webhook tests start their own.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import AsyncIterator

from telegram import Update
from telegram.request import BaseRequest

from bot.config import Settings
from bot.services import Services
from bot.tg.app import LOCAL_TOKEN, build_application
from bot.tg.fakeapi import FakeBotAPI, InProcessRequest, LoopbackServer, parse_html

# The in-process Bot never dials this; were a test to build a real HTTP transport by mistake,
# it would fail at once instead of reaching api.telegram.org with the loopback token.
IN_PROCESS_BASE_URL = "http://in-process.invalid/bot"


@dataclass
class BotHarness:
    """One user-facing conversation with the real Application over the fake Bot API."""

    api: FakeBotAPI
    app: object
    server: LoopbackServer | None  # None: in-process, no HTTP
    services: Services
    user: dict = field(default_factory=lambda: FakeBotAPI.user(1001, "Sokha", "km", "sokha_kh"))

    async def feed(self, update: dict) -> list[dict]:
        """Process one update exactly as polling would; return the messages the bot sent for it."""
        before = len(self.api.requests)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return [
            {**r.params, "plain": parse_html(r.params["text"])}
            for r in self.api.requests[before:]
            if r.method == "sendMessage" and r.ok
        ]

    async def say(self, text: str, user: dict | None = None, chat: dict | None = None) -> list[dict]:
        return await self.feed(self.api.push_text(user or self.user, text, chat))

    async def press(self, data: str, user: dict | None = None, message: dict | None = None) -> list[dict]:
        user = user or self.user
        return await self.feed(self.api.push_callback(user, data, message))

    def calls(self, method: str) -> list:
        return [r for r in self.api.requests if r.method == method]


def buttons(message: dict) -> list[dict]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b for row in rows for b in row]


def callback_data(message: dict) -> list[str]:
    return [b["callback_data"] for b in buttons(message) if "callback_data" in b]


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings,
    catalog_services: Services,
    request: BaseRequest | None = None,
    check: bool = True,
    *,
    http: bool = False,
) -> AsyncIterator[BotHarness]:
    """The production application on a fake Bot API that validates every request.

    ``request``: None (an ``InProcessRequest`` on a new ``FakeBotAPI``), an ``InProcessRequest``
    (its ``api`` is the harness's), or an HTTP transport: then, as with ``http=True`` (the
    production ``JsonHTTPXRequest``), the fake API is served on 127.0.0.1 by ``LoopbackServer``.
    """
    server: LoopbackServer | None = None
    if request is None and not http:
        request = InProcessRequest(FakeBotAPI())
    if isinstance(request, InProcessRequest):
        api = request.api
        s = settings.with_(token=LOCAL_TOKEN, api_base_url=IN_PROCESS_BASE_URL)
    else:
        api = FakeBotAPI()
        server = await LoopbackServer(api).start()
        s = settings.with_(token=LOCAL_TOKEN, api_base_url=server.base_url)
    app = build_application(s, request, services=Services(s, catalog=catalog_services.catalog))
    try:
        async with app:
            h = BotHarness(api, app, server, app.bot_data["services"])
            yield h
            if check:
                # Every request the bot made must be one the real Bot API accepts,
                # and every button press must have been answered.
                assert api.refused() == [], [(r.method, r.error) for r in api.refused()]
                assert api.pending_callbacks == set(), "button presses left unanswered"
    finally:
        app.bot_data["services"].storage.close()
        if server is not None:
            await server.stop()
