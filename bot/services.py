"""The bot's plain-Python parts wired together, shared by every handler.

Content and matcher are swapped together on reload (one attribute assignment),
so a handler never sees new content with an old matcher.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.content.model import Content
from bot.content.loader import load_content
from bot.text.i18n import Translator
from bot.matching.danger import DangerDetector
from bot.matching.matcher import Matcher
from bot.storage.keys import SCHEME, UserKeys, fingerprint, load_or_create_secret
from bot.storage.database import DB_FILE, Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Catalog:
    """Content, the matcher and the danger check built from it: replaced as one."""

    content: Content
    matcher: Matcher
    danger: DangerDetector


class Services:
    """Everything a handler needs, built once per application."""

    def __init__(self, settings: Settings, storage: Storage | None = None, catalog: Catalog | None = None) -> None:
        """``catalog`` lets tests share one loaded content+matcher between many applications."""
        self.settings = settings
        self.translator = Translator(settings.locales_dir)
        self.catalog = catalog or self._build_catalog(settings.content_dir)
        # Batched writes: the bot flushes every second (a job) and on every clean stop.
        self.storage = storage or Storage(Path(settings.data_dir) / DB_FILE, flush_interval=1.0)
        self._keys: UserKeys | None = None
        self._legacy_keys = False  # a log from before scrypt keys: move returning users' rows over
        if self.storage.path is not None:
            # At start, not at the first message: a wrong or damaged secret stops the bot here
            # with a clear message (an in-memory log, as `ask` uses, never touches the data folder).
            self._load_keys()

    def _build_catalog(self, root: Path) -> Catalog:
        content = load_content(root)
        return Catalog(content, Matcher(content, self.settings.match_threshold or None), DangerDetector(content.safety))

    @property
    def content(self) -> Content:
        return self.catalog.content

    @property
    def matcher(self) -> Matcher:
        return self.catalog.matcher

    def reload(self) -> Catalog:
        """Validate and load content again; on any error keep serving the old one (raises)."""
        catalog = self._build_catalog(self.settings.content_dir)
        self.catalog = catalog
        log.info("content reloaded: %d topics, %d flows", len(catalog.content.topics), len(catalog.content.flows))
        return catalog

    def _load_keys(self) -> UserKeys:
        secret = load_or_create_secret(Path(self.settings.data_dir), self.settings.secret_key)
        self._legacy_keys = self.storage.check_secret(fingerprint(secret), SCHEME)
        self._keys = UserKeys(secret)
        return self._keys

    def user_key(self, telegram_user_id: int) -> str:
        """The pseudonymous key of a Telegram user (cached; about 2 ms the first time a process sees them)."""
        keys = self._keys or self._load_keys()
        if not self._legacy_keys or keys.is_cached(telegram_user_id):
            return keys.key(telegram_user_id)
        key = keys.key(telegram_user_id)
        self.storage.rename_user(keys.legacy_key(telegram_user_id), key)
        return key

    def is_admin(self, telegram_user_id: int | None) -> bool:
        return telegram_user_id is not None and telegram_user_id in self.settings.admin_ids
