"""The secret behind users' pseudonymous keys, and the keys themselves.

Users are keyed on disk by a one-way function of their Telegram ID under a secret.
Two things decide how safe that is if the log leaks:

* **Where the secret lives.** Kept next to the log (generated into the data folder),
  one stolen volume or backup holds both. ``BOT_SECRET_KEY`` or ``BOT_SECRET_KEY_FILE``
  (a Docker or systemd secret) keep it outside; the bot warns at start when it is not.
* **How costly one key is.** Telegram IDs are a small space (about 10^10): with a
  plain HMAC (2 µs) a leaked secret reverses every key in hours on one core. The
  key is therefore scrypt (memory-hard, about 2 ms: half a year for every ID on one
  core), paid once per user per process thanks to a bounded cache (bench/keys.py).

A damaged, unreadable or silently replaced secret would re-key every user, so that
``/forget`` could no longer find their old rows: the bot refuses to start instead,
and the database remembers a fingerprint of the secret it was written with.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from collections import OrderedDict
from pathlib import Path

from bot.config import unwritable_folder

log = logging.getLogger(__name__)

SECRET_FILE = "secret.key"
GENERATED_HEX = 64  # characters of a generated one (32 random bytes)
# scrypt cost: n=2^10, r=8 is 1 MiB and about 2 ms per key here (bench/keys.py prints it): a
# thousand times an HMAC for whoever tries every Telegram ID, but only a few per cent of the
# load benchmark, where every user is new (n=2^12 cost that benchmark a quarter of its throughput).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**10, 8, 1
KEY_CACHE_SIZE = 50_000  # Telegram ID -> key, memory only; bounded so it cannot grow per user
SCHEME = "scrypt-1"  # stored in the database's meta table; "hmac-1" for logs written before it


class SecretError(RuntimeError):
    """The secret cannot be read, is damaged, or is not the one the log was written with."""


def load_or_create_secret(data_dir: Path, configured: str | None) -> bytes:
    """The configured secret, else the one generated once into the data folder.

    A generated file that is damaged or unreadable is never silently replaced: that
    would orphan every stored row (SecretError says how to recover). A new file is
    created owner-only before anything is written to it.
    """
    if configured:
        return configured.encode("utf-8")
    path = Path(data_dir) / SECRET_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, NotADirectoryError):  # no secret yet (or no folder: said below)
        value = None
    except (PermissionError, UnicodeDecodeError, OSError) as exc:
        raise SecretError(
            f"The secret key {path} cannot be read ({type(exc).__name__}). It must belong to the bot's user "
            f"with mode 600 (chown <bot user> {path}; chmod 600 {path}). Do not delete it: without it the "
            "stored data can no longer be linked to (or deleted for) the users it belongs to."
        ) from None
    if value is not None:
        if len(value) != GENERATED_HEX or any(c not in "0123456789abcdef" for c in value):
            raise SecretError(
                f"The secret key {path} is damaged (expected {GENERATED_HEX} hex characters). Restore it from "
                "a backup. Only if none exists, move it and the database away to start a new, empty log."
            )
        _owner_only(path)
        _warn_beside_log(path, "is read from")
        return value.encode("ascii")
    value = secrets.token_hex(GENERATED_HEX // 2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise SecretError(unwritable_folder(path.parent, exc)) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    _warn_beside_log(path, "was generated into")
    return value.encode("ascii")


def _warn_beside_log(path: Path, how: str) -> None:
    log.warning(
        "BOT_SECRET_KEY is not set: the key that protects users' pseudonyms %s %s, next to the log it "
        "protects, so one stolen volume or backup holds both. Keep it outside the data volume: set "
        "BOT_SECRET_KEY_FILE (a Docker or systemd secret) or BOT_SECRET_KEY (README, Privacy).", how, path,
    )


def _owner_only(path: Path) -> None:
    """A secret file readable by others is tightened (and said so) rather than used as it is."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, 0o600)
            log.warning("the secret key %s was readable by other users (mode %o); set to 600", path, mode)
    except OSError:
        pass


def fingerprint(secret: bytes) -> str:
    """A value the database keeps to notice a different secret; reveals nothing about it."""
    return hmac.new(secret, b"fingerprint:v1", hashlib.sha256).hexdigest()[:32]


class UserKeys:
    """Turns Telegram user IDs into stable pseudonymous keys (24 hex characters)."""

    def __init__(self, secret: bytes, cache_size: int = KEY_CACHE_SIZE) -> None:
        self._secret = secret
        self._cache: OrderedDict[int, str] = OrderedDict()
        self._cache_size = cache_size

    def key(self, telegram_user_id: int) -> str:
        """scrypt of the ID under the secret: stable per user, useless without the secret, slow to guess."""
        hit = self._cache.get(telegram_user_id)
        if hit is not None:
            self._cache.move_to_end(telegram_user_id)
            return hit
        digest = hashlib.scrypt(
            f"user:{telegram_user_id}".encode(), salt=self._secret, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=12
        )
        value = digest.hex()
        self._cache[telegram_user_id] = value
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value

    def legacy_key(self, telegram_user_id: int) -> str:
        """The key of logs written before scrypt (an HMAC), to move a returning user's rows over."""
        digest = hmac.new(self._secret, f"user:{telegram_user_id}".encode(), hashlib.sha256)
        return digest.hexdigest()[:24]

    def is_cached(self, telegram_user_id: int) -> bool:
        return telegram_user_id in self._cache

    @property
    def cached(self) -> int:
        return len(self._cache)
