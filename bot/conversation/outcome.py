"""The outcome of one conversation step: what to say, and what the handler should store and log.

Steps (:mod:`bot.conversation.guide`) are pure: they get the stored state as an argument
and return an :class:`Outcome`; the handler layer applies it (one ``set_flow`` and the
``log_event`` calls, in order) for the user of the update. A step can thus be tested,
and retried, without a database.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.conversation.replies import Reply
from bot.storage.database import FlowState


class _Keep:
    """The stored flow state stays as it is (one instance, :data:`KEEP`; compare with ``is``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Final = _Keep()


@dataclass(frozen=True)
class Event:
    """One row for the event log (``Storage.log_event``), for the user of the update."""

    kind: str
    lang: str | None = None
    flow: str | None = None
    tag: str | None = None
    detail: str | None = None

    def fields(self) -> dict[str, str | None]:
        """The keyword arguments of ``Storage.log_event``."""
        return {"lang": self.lang, "flow": self.flow, "tag": self.tag, "detail": self.detail}


@dataclass(frozen=True)
class Outcome:
    """Replies to send; the flow state to store (``KEEP``: leave it, ``None``: clear it); events to log."""

    replies: tuple[Reply, ...]
    state: FlowState | None | _Keep = KEEP
    events: tuple[Event, ...] = ()

    @property
    def writes(self) -> bool:
        """True if applying this outcome changes anything stored."""
        return self.state is not KEEP or bool(self.events)
