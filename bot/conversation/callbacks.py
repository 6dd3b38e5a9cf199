"""Callback data for inline buttons: one typed class per kind, parsed strictly.

Anyone can send any callback data to a bot, so every button press is parsed
against this grammar and anything else is treated as forged (answered politely,
never trusted). Data carries IDs only, never Khmer labels: Khmer is three bytes
a character and would break the 64-byte limit.

Each kind is declared once, in the spirit of aiogram's ``CallbackData``::

    class FlowAnswer(CallbackData, prefix="a"):
        run: RunId
        step: Id
        choice: Choice

which gives ``FlowAnswer(run, step, choice).pack() == "a:<run>:<step>:<choice>"``,
``FlowAnswer.unpack(data)``, and ``FlowAnswer.filter()`` for a handler's pattern.
The wire format is ``<prefix>`` then ``:<field>`` per field, exactly as older
versions of the bot wrote it, so buttons already on users' phones keep working.
A field's type says what it may hold: ``Annotated[str, "<regex>"]``,
``Annotated[int, "<regex of digits>"]``, ``bool`` (``1``/``0``) or ``Literal[...]``.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from typing import Annotated, Any, Callable, ClassVar, Literal

from bot.limits import MAX_CALLBACK_BYTES

# Field types. The regexes are the grammar: nothing else is accepted, or produced.
Id = Annotated[str, r"[a-z0-9][a-z0-9-]{0,39}"]  # a topic, flow or step ID
RunId = Annotated[str, r"[A-Za-z0-9]{4,8}"]  # one run of a guided flow (bot.content.flows.RUN_ALPHABET)
Choice = Annotated[int, r"[0-9]{1,2}"]  # the index of a choice at a step
Lang = Literal["en", "km"]
Country = Literal["cambodia", "thailand", "malaysia", "korea", "japan", "other"]
ForgetStep = Literal["ask", "yes", "no"]


class ForgedCallback(ValueError):
    """Callback data that no button of this bot produces."""


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    regex: str
    load: Callable[[str], Any]
    dump: Callable[[Any], str]


def _field(name: str, hint: Any) -> _Field:
    """The grammar of one field, from its type."""
    if hint is bool:
        return _Field(name, "[01]", lambda raw: raw == "1", lambda value: "1" if value else "0")
    if typing.get_origin(hint) is Literal:
        values = typing.get_args(hint)
        if not values or not all(isinstance(v, str) for v in values):
            raise TypeError(f"callback field {name!r}: Literal of strings only")
        return _Field(name, "|".join(map(re.escape, values)), str, str)
    if typing.get_origin(hint) is Annotated:
        base, *extra = typing.get_args(hint)
        regex = next((e for e in extra if isinstance(e, str)), None)
        if regex is not None and base is str:
            return _Field(name, regex, str, str)
        if regex is not None and base is int:
            return _Field(name, regex, int, str)
    raise TypeError(f"callback field {name!r}: use bool, Literal[...] or Annotated[str|int, '<regex>'], not {hint!r}")


_KINDS: dict[str, type["CallbackData"]] = {}


class CallbackData:
    """Base of every button kind: ``class X(CallbackData, prefix="x"): field: Type``.

    Subclasses are frozen dataclasses (so they compare, hash and ``match`` by field).
    """

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[_Field, ...]]
    _pattern: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[A-Za-z]{1,3}", prefix):
            raise TypeError(f"callback prefix {prefix!r}: one to three letters")
        if prefix in _KINDS:
            raise TypeError(f"callback prefix {prefix!r} is already used by {_KINDS[prefix].__name__}")
        dataclasses.dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        cls.prefix = prefix
        cls._fields = tuple(_field(f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        cls._pattern = re.compile(re.escape(prefix) + "".join(f":({f.regex})" for f in cls._fields))
        _KINDS[prefix] = cls

    def pack(self) -> str:
        """The callback data of this button; raises if it could not be parsed back."""
        data = ":".join([self.prefix, *(f.dump(getattr(self, f.name)) for f in self._fields)])
        if type(self).unpack(data) != self:
            raise ForgedCallback(f"{data!r} does not parse back to {self!r}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> "CallbackData":
        """Parse callback data of this kind (or of any kind, on the base class); raise ForgedCallback otherwise."""
        if not isinstance(data, str) or not data or len(data.encode("utf-8", "surrogatepass")) > MAX_CALLBACK_BYTES:
            raise ForgedCallback("empty or oversized callback data")
        kind = _KINDS.get(data.split(":", 1)[0])
        if kind is None:
            raise ForgedCallback(f"unknown callback kind {data.split(':', 1)[0]!r}")
        if cls is not CallbackData and kind is not cls:
            raise ForgedCallback(f"callback data of kind {kind.prefix!r}, not {cls.prefix!r}")
        m = kind._pattern.fullmatch(data)
        if m is None:
            raise ForgedCallback(f"malformed callback data for {kind.prefix!r}")
        return kind(*(f.load(raw) for f, raw in zip(kind._fields, m.groups())))

    @classmethod
    def filter(cls) -> Callable[[object], bool]:
        """A CallbackQueryHandler pattern accepting well-formed data of this kind only."""
        return accepts(cls)

    def log_topic(self) -> str | None:
        """The topic a press is about, for the log and stats."""
        return None


def parse(data: str | None) -> CallbackData:
    """Parse callback data of any kind; raise ForgedCallback for anything this bot did not make."""
    return CallbackData.unpack(data)


def accepts(*kinds: type[CallbackData]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: true only for well-formed data of these kinds.

    Malformed data of a known kind is not accepted, so it reaches the catch-all
    handler for forged buttons instead of raising inside a feature handler.
    """

    def check(data: object) -> bool:
        try:
            return isinstance(parse(data), kinds)  # type: ignore[arg-type]
        except ForgedCallback:
            return False

    return check


# --- every button of the bot ----------------------------------------------------------


class Menu(CallbackData, prefix="m"):
    """The main menu."""


class ShowTopic(CallbackData, prefix="t"):
    topic: Id

    def log_topic(self) -> str | None:
        return self.topic


class Sources(CallbackData, prefix="s"):
    """Where a topic's facts come from."""

    topic: Id

    def log_topic(self) -> str | None:
        return self.topic


class LanguageChooser(CallbackData, prefix="L"):
    pass


class SetLanguage(CallbackData, prefix="l"):
    lang: Lang


class FlowList(CallbackData, prefix="g"):
    """The list of guided checks."""


class FlowStart(CallbackData, prefix="f"):
    flow: Id


class FlowAnswer(CallbackData, prefix="a"):
    """A choice at a step of one run of a flow."""

    run: RunId
    step: Id
    choice: Choice


class FlowLeave(CallbackData, prefix="x"):
    """Leave the current flow."""


class FlowResume(CallbackData, prefix="r"):
    """Show the current flow step again."""


class Feedback(CallbackData, prefix="fb"):
    """Was this helpful? ``1`` yes, ``0`` no."""

    topic: Id
    helpful: bool

    def log_topic(self) -> str | None:
        return self.topic


class Privacy(CallbackData, prefix="p"):
    """The privacy notice."""


class Forget(CallbackData, prefix="fg"):
    """Forget me: ask, confirm, cancel."""

    step: ForgetStep


class Contacts(CallbackData, prefix="c"):
    """Every contact for one country."""

    country: Country

    def log_topic(self) -> str | None:
        return "hotlines"


KINDS: dict[str, type[CallbackData]] = _KINDS  # prefix -> class, every kind the bot knows
