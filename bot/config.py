"""Settings from environment variables, checked once at start.

The bot refuses to start on a bad value with a message that names the variable,
because a half-configured bot that silently ignores e.g. a malformed admin list
is worse than one that does not start.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = PROJECT_ROOT / "content"
DEFAULT_LOCALES_DIR = PROJECT_ROOT / "locales"
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

_TOKEN_RE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to know about its deployment."""

    token: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    data_dir: Path = Path("data")
    content_dir: Path = DEFAULT_CONTENT_DIR
    locales_dir: Path = DEFAULT_LOCALES_DIR
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    secret_key: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    bot_username: str | None = None
    match_threshold: float = 0.0  # 0 means: use the matcher's calibrated default
    retention_days: int = 90
    flood_limit: int = 20  # messages per flood window per user before a slow-down notice
    flood_window: float = 10.0
    rate_limit: bool = True  # Telegram's outgoing limits; off only for loopback benchmarks
    log_level: str = "INFO"

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed (tests and the CLI use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}.")
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}.") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}.")
    return value


def parse_admin_ids(raw: str) -> frozenset[int]:
    """Parse a comma- or space-separated list of numeric Telegram user IDs."""
    ids: set[int] = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        if not re.fullmatch(r"-?[0-9]{1,20}", part):
            raise ConfigError(
                f"BOT_ADMIN_IDS must be numeric Telegram user IDs separated by commas, got {part!r}."
            )
        ids.add(int(part))
    return frozenset(ids)


def unwritable_folder(folder: Path, exc: BaseException) -> str:
    """What to do when the data folder cannot be written: the usual cause is its owner."""
    return (
        f"The data folder {folder} cannot be written ({type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}). "
        f"It must belong to the user the bot runs as (in the Docker image: uid 10001, so "
        f"`chown -R 10001:10001 {folder}` on the host for a bind mount), or set BOT_DATA_DIR to a folder it can write."
    )


MIN_SECRET = 16  # characters of a configured secret


def read_secret_file(path: Path) -> str:
    """``BOT_SECRET_KEY_FILE`` (a Docker or systemd secret): readable and long enough, or ConfigError."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"BOT_SECRET_KEY_FILE {str(path)!r} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"BOT_SECRET_KEY_FILE {str(path)!r} cannot be read ({type(exc).__name__}); "
            "make it readable by the bot's user (and nobody else: chmod 600)."
        ) from None
    if len(value) < MIN_SECRET:
        raise ConfigError(f"BOT_SECRET_KEY_FILE {str(path)!r} holds fewer than {MIN_SECRET} characters.")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate settings from the environment (or a given mapping)."""
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN_RE.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then at least "
            "20 letters, digits, - or _). Get one from @BotFather, or unset it to chat in the terminal."
        )
    base = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^\s/]+", base):
        raise ConfigError(f"TELEGRAM_API_BASE_URL must start with http:// or https://, got {base!r}.")
    webhook = env.get("BOT_WEBHOOK_URL", "").strip() or None
    if webhook is not None and not webhook.startswith("https://"):
        raise ConfigError("BOT_WEBHOOK_URL must be an https:// URL that Telegram can reach.")
    secret = env.get("BOT_SECRET_KEY", "").strip() or None
    if secret is not None and len(secret) < MIN_SECRET:
        raise ConfigError("BOT_SECRET_KEY must be at least 16 characters (or unset it to generate one).")
    secret_file = env.get("BOT_SECRET_KEY_FILE", "").strip() or None
    if secret_file is not None:
        if secret is not None:
            raise ConfigError("Set BOT_SECRET_KEY or BOT_SECRET_KEY_FILE, not both.")
        secret = read_secret_file(Path(secret_file))
    webhook_secret = env.get("BOT_WEBHOOK_SECRET", "").strip() or None
    if webhook_secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
        raise ConfigError("BOT_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256 characters).")
    level = env.get("BOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"BOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}.")
    content_dir = Path(env.get("BOT_CONTENT_DIR", "").strip() or DEFAULT_CONTENT_DIR)
    if not content_dir.is_dir():
        raise ConfigError(f"BOT_CONTENT_DIR {str(content_dir)!r} is not a folder.")
    username = env.get("BOT_USERNAME", "").strip().lstrip("@") or None
    if username is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", username):
        raise ConfigError(f"BOT_USERNAME is not a valid Telegram username: {username!r}.")
    rate_raw = env.get("BOT_RATE_LIMIT", "on").strip().lower() or "on"
    if rate_raw not in {"on", "off"}:
        raise ConfigError(f"BOT_RATE_LIMIT must be on or off, got {rate_raw!r}.")
    return Settings(
        token=token,
        rate_limit=rate_raw == "on",
        api_base_url=base,
        data_dir=Path(env.get("BOT_DATA_DIR", "").strip() or "data"),
        content_dir=content_dir,
        admin_ids=parse_admin_ids(env.get("BOT_ADMIN_IDS", "")),
        secret_key=secret,
        webhook_url=webhook,
        webhook_listen=env.get("BOT_WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
        webhook_port=_int(env, "BOT_WEBHOOK_PORT", 8443, 1, 65535),
        webhook_secret=webhook_secret,
        bot_username=username,
        match_threshold=_float(env, "BOT_MATCH_THRESHOLD", 0.0, 0.0, 1.0),  # a confidence: 0 = calibrated default
        retention_days=_int(env, "BOT_RETENTION_DAYS", 90, 1, 3650),
        flood_limit=_int(env, "BOT_FLOOD_LIMIT", 20, 1, 10000),
        log_level=level,
    )
