"""Pseudonymous user keys and masking of personal data.

Users of this bot may be watched by the brokers and employers it warns about,
so nothing that identifies a person (Telegram ID, name, username, phone number,
ID or passport number, email) is ever written to disk. Users are keyed by an
HMAC of their Telegram ID under a secret that lives only in the data folder or
the environment: without the secret, keys cannot be linked back to accounts.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

SECRET_FILE = "secret.key"

# Khmer digits ០-៩ are written as often as Latin ones.
_KM_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_DIGIT = r"[0-9០-៩]"
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A passport or ID number: letters followed by digits (N1234567, AB123456) or 9+ digits.
_DOC_RE = re.compile(rf"\b[A-Za-z]{{1,3}}{_DIGIT}{{6,9}}\b")
# Phone-like runs: 7 or more digits, possibly separated by spaces, dots, dashes or brackets.
_PHONE_RE = re.compile(rf"(?<![\w]){'(?:[+]?)'}{_DIGIT}(?:[\s.\-()]*{_DIGIT}){{6,}}")
_HANDLE_RE = re.compile(r"(?<![\w])@[A-Za-z][A-Za-z0-9_]{4,31}\b")
_URL_TG_RE = re.compile(r"(?:https?://)?t\.me/[A-Za-z0-9_+/]+", re.IGNORECASE)


def mask_personal_data(text: str) -> str:
    """Replace phone, ID/passport numbers, emails and Telegram handles by placeholders.

    Short numbers (a fee of 20, a year like 2009, an age) are kept, because editors
    need them to understand questions; only runs long enough to identify someone go.
    """
    text = _EMAIL_RE.sub("[email]", text)
    text = _URL_TG_RE.sub("[link]", text)
    text = _HANDLE_RE.sub("[username]", text)
    text = _DOC_RE.sub("[id-number]", text)
    text = _PHONE_RE.sub("[number]", text)
    return text


def load_or_create_secret(data_dir: Path, configured: str | None) -> bytes:
    """Return the HMAC secret: the configured one, else one generated once into the data folder.

    The generated file is created with owner-only permissions before anything is written
    to it, so the secret is never readable by other users even for an instant.
    """
    if configured:
        return configured.encode("utf-8")
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value.encode("ascii")
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)
    return value.encode("ascii")


class UserKeys:
    """Turns Telegram user IDs into stable pseudonymous keys."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def key(self, telegram_user_id: int) -> str:
        """A 24-hex-character keyed hash: stable per user, useless without the secret."""
        digest = hmac.new(self._secret, f"user:{telegram_user_id}".encode(), hashlib.sha256)
        return digest.hexdigest()[:24]


def normalize_digits(text: str) -> str:
    """Khmer digits to Latin digits (used by masking tests and the content check)."""
    return text.translate(_KM_DIGITS)
