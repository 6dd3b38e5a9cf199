"""What the bot says, independent of Telegram: text plus button rows.

Handlers turn a :class:`Reply` into ``sendMessage`` calls. Keeping this plain
lets the core be tested without a network and keeps Bot API limits in one place:
text is split under 4,096 characters, callback data is checked under 64 bytes,
and all content is HTML-escaped.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from bot.limits import MAX_BUTTON_LABEL, MAX_CALLBACK_BYTES, MAX_MESSAGE, SAFE_MESSAGE  # noqa: F401 (re-exported)


class CallbackDataTooLong(ValueError):
    """A button's callback data would be refused by Telegram (over 64 bytes)."""


@dataclass(frozen=True)
class Button:
    """An inline button: either callback data (an ID, never a label) or a URL."""

    label: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.data is not None and len(self.data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise CallbackDataTooLong(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")
        if (self.data is None) == (self.url is None):
            raise ValueError("a button needs exactly one of data or url")


@dataclass(frozen=True)
class Reply:
    """One message to send: HTML text and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())

    def chunks(self) -> list["Reply"]:
        """Split into messages Telegram accepts; buttons go on the last one."""
        parts = split_text(self.text)
        return [Reply(p, self.buttons if i == len(parts) - 1 else ()) for i, p in enumerate(parts)]


def esc(text: str) -> str:
    """Escape content for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def short_label(text: str) -> str:
    """Button labels are kept short for small screens."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


def split_text(text: str, limit: int = SAFE_MESSAGE) -> list[str]:
    """Split on blank lines, then lines, then spaces, never inside an HTML tag pair.

    Content is escaped per paragraph and tags never span a line, so cutting at
    line boundaries keeps every part valid HTML.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for para in _pieces(text, limit):
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = para
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for para in text.split("\n\n"):
        if len(para) <= limit:
            out.append(para)
            continue
        line_buf = ""
        for line in para.split("\n"):
            while len(line) > limit:  # a single enormous line: cut at a space
                cut = line.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                if "<" in line[:cut] and line[:cut].count("<") != line[:cut].count(">"):
                    cut = line.rfind("<", 0, cut) or limit
                out.append(line[:cut])
                line = line[cut:].lstrip()
            candidate = f"{line_buf}\n{line}" if line_buf else line
            if len(candidate) <= limit:
                line_buf = candidate
            else:
                out.append(line_buf)
                line_buf = line
        if line_buf:
            out.append(line_buf)
    return out
