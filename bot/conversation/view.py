"""What a reply builder sees of the bot: the content, one language's strings, and the settings replies mention.

Built once per update by the handler layer (:func:`view_for`) and passed down as one
small frozen value, so :mod:`bot.conversation.answers` and :mod:`bot.conversation.guide`
never reach into the services (storage, keys, the matcher) and can be called with a
hand-made view in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Protocol

from bot.content.model import Content
from bot.matching.danger import DangerDetector
from bot.matching.matcher import Matcher

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class View:
    """One update's view: content, language, ``translate`` (gettext for ``lang``), settings values."""

    content: Content
    lang: str
    translate: Gettext
    retention_days: int
    bot_username: str | None = None
    # gettext for another language (Translator.for_lang), for a reply in the language just chosen.
    translations: Callable[[str], Gettext] | None = field(default=None, repr=False, compare=False)

    def in_lang(self, lang: str) -> "View":
        """The same view in another language."""
        if lang == self.lang:
            return self
        if self.translations is None:
            raise ValueError("this view was built for one language only")
        return replace(self, lang=lang, translate=self.translations(lang))


class _Settings(Protocol):
    @property
    def retention_days(self) -> int: ...


class _Translator(Protocol):
    def for_lang(self, lang: str) -> Gettext: ...


class _Catalog(Protocol):
    @property
    def content(self) -> Content: ...

    @property
    def matcher(self) -> Matcher: ...

    @property
    def danger(self) -> DangerDetector: ...


class Core(Protocol):
    """What :class:`bot.services.Services` offers to build a view (a protocol, so the core needs no import of it)."""

    @property
    def settings(self) -> _Settings: ...

    @property
    def translator(self) -> _Translator: ...

    @property
    def catalog(self) -> _Catalog: ...  # content and the matcher built from it, replaced as one on reload


def view_for(core: Core, lang: str, bot_username: str | None = None, *, content: Content | None = None) -> View:
    """The view of ``core`` for one language (``content`` to pin the content a matcher was built from)."""
    translator = core.translator
    return View(
        content=core.catalog.content if content is None else content,
        lang=lang,
        translate=translator.for_lang(lang),
        retention_days=core.settings.retention_days,
        bot_username=bot_username,
        translations=translator.for_lang,
    )
