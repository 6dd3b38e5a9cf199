"""Callback data for inline buttons: short IDs, parsed strictly.

Anyone can send any callback data to a bot, so every button press is parsed
against this grammar and anything else is treated as forged (answered politely,
never trusted). Data carries IDs only, never Khmer labels: Khmer is three bytes
a character and would break the 64-byte limit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.limits import MAX_CALLBACK_BYTES

_ID = r"[a-z0-9][a-z0-9-]{0,39}"
_PATTERNS = {
    "m": re.compile(r"^m$"),  # main menu
    "t": re.compile(rf"^t:({_ID})$"),  # show a topic
    "s": re.compile(rf"^s:({_ID})$"),  # sources of a topic
    "L": re.compile(r"^L$"),  # language chooser
    "l": re.compile(r"^l:(en|km)$"),  # set language
    "g": re.compile(r"^g$"),  # list of guided checks
    "f": re.compile(rf"^f:({_ID})$"),  # start a flow
    "a": re.compile(rf"^a:([A-Za-z0-9]{{4,8}}):({_ID}):([0-9]{{1,2}})$"),  # flow answer: run, step, choice
    "x": re.compile(r"^x$"),  # leave the current flow
    "r": re.compile(r"^r$"),  # show the current flow step again
    "fb": re.compile(rf"^fb:({_ID}):([01])$"),  # was this helpful? 1 yes, 0 no
    "p": re.compile(r"^p$"),  # privacy notice
    "fg": re.compile(r"^fg:(ask|yes|no)$"),  # forget me: ask, confirm, cancel
    "c": re.compile(r"^c:(cambodia|thailand|malaysia|korea|japan|other)$"),  # contacts for a country
}


class ForgedCallback(ValueError):
    """Callback data that no button of this bot produces."""


@dataclass(frozen=True)
class Callback:
    kind: str
    args: tuple[str, ...]


def encode(kind: str, *args: object) -> str:
    """Build callback data and check it against the grammar and the 64-byte limit."""
    data = ":".join([kind, *map(str, args)])
    decode(data)  # raises if we would produce something we cannot parse back
    return data


def decode(data: str | None) -> Callback:
    """Parse callback data; raise ForgedCallback for anything this bot did not make."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_CALLBACK_BYTES:
        raise ForgedCallback("empty or oversized callback data")
    kind = data.split(":", 1)[0]
    pattern = _PATTERNS.get(kind)
    if pattern is None:
        raise ForgedCallback(f"unknown callback kind {kind!r}")
    m = pattern.match(data)
    if m is None:
        raise ForgedCallback(f"malformed callback data for {kind!r}")
    return Callback(kind, m.groups())


def accepts(*kinds: str):
    """A CallbackQueryHandler pattern: true only for well-formed data of these kinds.

    Malformed data of a known kind is not accepted, so it reaches the catch-all
    handler for forged buttons instead of raising inside a feature handler.
    """

    def check(data: object) -> bool:
        if not isinstance(data, str):
            return False
        try:
            return decode(data).kind in kinds
        except ForgedCallback:
            return False

    return check


def topic_of(callback: Callback) -> str | None:
    """The topic a button is about (for the log and stats), if any."""
    if callback.kind in ("t", "s", "fb"):
        return callback.args[0]
    if callback.kind == "c":
        return "hotlines"
    return None
