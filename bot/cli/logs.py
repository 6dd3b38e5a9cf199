"""Log output with no personal data and no token, at every level.

python-telegram-bot logs whole updates and API payloads at DEBUG (IDs, names,
usernames, the text a user typed), httpx logs request URLs (which hold the token),
and a traceback can carry either. Filtering at the source misses new log lines, so
the one place everything passes, the formatted line (message, arguments and
traceback together), is scrubbed instead: the configured token and anything shaped
like a bot token, the values of fields that carry a person (names, usernames, texts,
IDs), then the usual masking of phone, document and e-mail patterns.
"""
from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType

from bot.text.masking import mask_personal_data

# Any bot token: digits, a colon, 30+ URL-safe characters.
_ANY_TOKEN = re.compile(r"(?<![\w])[0-9]{5,20}:[A-Za-z0-9_-]{30,80}(?![\w-])")
# Fields whose value is a person's own words or identity, as Python repr (name='x'),
# JSON ("name": "x") or keyword (name=x) writes them. Bounded repetitions: lines can be long.
_PERSON_FIELDS = (
    r"first_name|last_name|username|full_name|name|title|text|caption|phone_number|email|bio|"
    r"description|query|vcard|address|question|answer|inline_message_id"
)
_QUOTED = re.compile(
    rf"""(?P<k>['"]?(?<![\w])(?:{_PERSON_FIELDS})['"]?\s{{0,3}}[:=]\s{{0,3}})"""
    r"""(?:'(?:[^'\\\n]|\\.){0,20000}'|"(?:[^"\\\n]|\\.){0,20000}")"""
)
_ID_FIELDS = r"id|chat_id|user_id|from_chat_id|sender_chat_id|message_thread_id"
_IDS = re.compile(rf"""(?P<k>['"]?(?<![\w])(?:{_ID_FIELDS})['"]?\s{{0,3}}[:=]\s{{0,3}})['"]?-?[0-9]{{1,20}}['"]?""")
MAX_LINE = 20_000  # a log line longer than this is cut: nothing useful is that long


def scrub(text: str, token: str | None = None) -> str:
    """The line with tokens, person fields, IDs and personal-data patterns replaced."""
    if len(text) > MAX_LINE:
        text = text[:MAX_LINE] + " …[cut]"
    if token:
        text = text.replace(token, "<token>")
    text = _ANY_TOKEN.sub("<token>", text)
    text = _QUOTED.sub(lambda m: m.group("k") + "'<hidden>'", text)
    text = _IDS.sub(lambda m: m.group("k") + "<id>", text)
    return "\n".join(mask_personal_data(line) for line in text.split("\n"))


class ScrubbingFormatter(logging.Formatter):
    """Formats as usual, then scrubs the whole line, traceback included."""

    def __init__(self, fmt: str, token: str | None = None) -> None:
        super().__init__(fmt)
        self.token = token

    def formatException(self, ei) -> str:  # type: ignore[override]
        # A rejected token is reported by the CLI in one clear line; its traceback says nothing more.
        if ei and ei[0] is not None and ei[0].__name__ == "InvalidToken":
            return "InvalidToken: Telegram rejected the token"
        return super().formatException(ei)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        stamp = self.formatTime(record, self.datefmt) if self.usesTime() else ""
        if stamp and line.startswith(stamp):  # the time is ours, not a phone number
            return stamp + scrub(line[len(stamp):], self.token)
        return scrub(line, self.token)


def install_excepthook(token: str | None) -> None:
    """An exception nobody caught is printed scrubbed too (Python would print it raw)."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        sys.stderr.write(scrub("".join(traceback.format_exception(kind, value, tb)), token))

    sys.excepthook = hook
