"""Shared fixtures: settings in a temp folder, and the real Application on a loopback Bot API."""
from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tg.app import LOCAL_TOKEN, build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.tg.fakeapi import FakeBotAPI, LoopbackServer, parse_html  # noqa: E402
from bot.services import Services  # noqa: E402

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")


@pytest.fixture(scope="session")
def shared_services_settings(tmp_path_factory) -> Settings:
    data = tmp_path_factory.mktemp("shared-data")
    return Settings(data_dir=data, secret_key="test-secret-key-0123456789")


@pytest.fixture(scope="session")
def catalog_services(shared_services_settings) -> Services:
    """Services over the real content, built once (loading the matcher takes a second)."""
    from bot.storage.database import Storage

    return Services(shared_services_settings, storage=Storage(None))


@pytest.fixture
def settings(tmp_path) -> Settings:
    # Pacing and flood control are off here so content tests run fast; tests/test_reliability.py
    # covers both with production values.
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789", admin_ids=frozenset({42}),
                    rate_limit=False, flood_limit=10_000)


@dataclass
class BotHarness:
    """One user-facing conversation with the real Application over loopback HTTP."""

    api: FakeBotAPI
    app: object
    server: LoopbackServer
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
async def running_bot(settings: Settings, catalog_services: Services, request=None, check: bool = True):
    """The production application, talking HTTP to a loopback Bot API that validates every request."""
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
        await server.stop()


@pytest_asyncio.fixture
async def harness(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        yield h
