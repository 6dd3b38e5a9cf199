"""The content model (topics, contacts, glossary, flows, the matcher's vocabulary, danger signals) and its parse.

Content is data that editors change without a developer, so parsing keeps the
line number of every value: any problem can be reported as ``file:line: problem``.
Each content kind has its module (:mod:`bot.content.topics`, ``contacts``, ``glossary``,
``out_of_scope``, ``flows``, ``vocabulary``, ``safety``) with its check and its parser;
:mod:`bot.content.check` runs the checks, :mod:`bot.content.loader` builds the model.
Both share one :class:`Documents`, so every file is parsed once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from bot.text.normalize import Lexicon

QUESTION_LANGS = ("en", "km", "km-latn")
ANSWER_LANGS = ("en", "km")


class ContentError(ValueError):
    """Content cannot be loaded; ``problems`` holds ``file:line: problem`` strings."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Located:
    """A parsed YAML document with the line of every value, by key path."""

    path: Path
    data: Any
    lines: dict[tuple, int]

    def line(self, *keys: Any) -> int:
        """The line of the deepest known key on ``keys`` (1-based)."""
        keys_t = tuple(keys)
        while keys_t and keys_t not in self.lines:
            keys_t = keys_t[:-1]
        return self.lines.get(keys_t, 1)

    def where(self, *keys: Any) -> str:
        return f"{self.path}:{self.line(*keys)}"


def _walk_lines(node: yaml.Node, prefix: tuple, out: dict[tuple, int]) -> None:
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[prefix + (key,)] = key_node.start_mark.line + 1
            _walk_lines(value_node, prefix + (key,), out)
            out[prefix + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk_lines(item, prefix + (i,), out)


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrDateLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader (C-accelerated when available) that keeps dates as strings,
    so JSON Schema sees what the editor wrote."""


_StrDateLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_CONTENT_FILE = 8 * 1024 * 1024  # bytes; the largest topic file is far smaller


def _refuse_aliases(root: yaml.Node, path: Path) -> None:
    """Content may not use YAML anchors and aliases (``&a`` / ``*a``).

    Editors never need them, and a few nested aliases make a document whose walk
    (line numbers, schema check, matcher) is exponential: an "alias bomb" that a
    ``/reload`` would choke on. An alias is a node reached twice; found in linear time.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            if isinstance(node, yaml.ScalarNode):
                continue  # the parser may share identical plain scalars; harmless
            raise ContentError([f"{path}:{node.start_mark.line + 1}: YAML anchors and aliases (&name, *name) are "
                                "not allowed in content; write the text out in full"])
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def parse_yaml(text: str, path: Path) -> Located:
    """Parse the text of one YAML file, keeping line numbers; raise ContentError on a syntax error or an alias.

    The one place content YAML is parsed (``path`` only names the file in messages).
    """
    loader = _StrDateLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_aliases(node, path)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError([f"{path}:{line}: YAML syntax error: {problem}"]) from exc
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    if node is not None:
        _walk_lines(node, (), lines)
    return Located(path, data, lines)


def load_located(path: Path) -> Located:
    """Read and parse one YAML file, keeping line numbers; raise ContentError if it cannot be read or parsed.

    This parses every time it is called; within one check or load, use :class:`Documents`.
    """
    try:
        if path.stat().st_size > MAX_CONTENT_FILE:
            raise ContentError([f"{path}:1: file is larger than {MAX_CONTENT_FILE // (1024 * 1024)} MB; split it"])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([f"{path}:1: cannot read file: {exc}"]) from exc
    return parse_yaml(text, path)


class Documents:
    """The parsed files of one check or load: each file read and parsed at most once.

    The editors' check and the loader share one (see :func:`bot.content.loader.load_content`),
    so what is loaded is exactly what was checked, and a ``/reload`` parses every file once.
    A file's problem (unreadable, YAML syntax) is kept and raised again, the same, to every
    caller. Made fresh for every load: an edited file is always read again.
    """

    def __init__(self) -> None:
        self._parsed: dict[Path, Located | ContentError] = {}

    def get(self, path: Path) -> Located:
        """The parsed file (ContentError if it cannot be read or parsed)."""
        key = Path(path)
        if key not in self._parsed:
            try:
                self._parsed[key] = load_located(key)
            except ContentError as exc:
                self._parsed[key] = exc
        found = self._parsed[key]
        if isinstance(found, ContentError):
            raise ContentError(list(found.problems))
        return found

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file asked for so far, in the order first asked."""
        return tuple(self._parsed)


@dataclass(frozen=True)
class Source:
    """Where a fact came from: a seed line or a named public source."""

    seed: str | None = None
    lines: tuple[int, ...] = ()
    quote: str | None = None
    name: str | None = None
    url: str | None = None
    year: int | None = None
    supports: str | None = None
    unverified: bool = False

    @classmethod
    def from_dict(cls, raw: dict) -> "Source":
        lines = tuple(raw.get("lines") or ([raw["line"]] if "line" in raw else []))
        return cls(
            seed=raw.get("seed"),
            lines=lines,
            quote=raw.get("quote"),
            name=raw.get("name"),
            url=raw.get("url"),
            year=raw.get("year"),
            supports=raw.get("supports"),
            unverified=bool(raw.get("unverified", False)),
        )

    def label(self) -> str:
        """A short human-readable citation."""
        if self.seed:
            title = SEED_TITLES.get(self.seed, self.seed)
            where = ("line " if len(self.lines) == 1 else "lines ") + ", ".join(map(str, self.lines))
            label = f"{title}, {where}"
            if self.year and str(self.year) not in title and str(self.year) not in (self.supports or ""):
                label += f" (a fact from {self.year})"
            return label
        text = self.name or ""
        if self.url:
            text += f" — {self.url}"
        return text


# Human names of the seed documents, for citations a reader understands.
SEED_TITLES = {
    "000_7e11fd8d60254961.txt": "IOM Cambodia, migration profile brochure",
    "001_a9a3558fbcab864c.txt": "Ministry of Women's Affairs, 'Managing Return Migration' slides",
    "002_73d9627b50fe34a9.txt": "ILO TRIANGLE in ASEAN, Cambodia update Jul-Sep 2019",
    "003_8c7cd66112e9bee4.txt": "Report of the Parliamentary Forum on migrant workers' rights, 2012",
    "004_2535307bb1b2adb6.txt": "EUDiF, Diaspora engagement mapping Cambodia, 2020",
}


@dataclass(frozen=True)
class Topic:
    """One answerable topic."""

    id: str
    title: dict[str, str]
    answer: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    sources: tuple[Source, ...]
    related: tuple[str, ...]
    reviewed: str
    menu: int = 0  # position on the main menu, 1 first; 0 means not on the menu
    small_talk: bool = False
    origin: str = ""

    @property
    def unverified(self) -> bool:
        return any(s.unverified for s in self.sources)


@dataclass(frozen=True)
class Contact:
    """A hotline, office or organisation, shown by ``hotlines`` and the emergency flow."""

    id: str
    name: dict[str, str]
    kind: str
    serves: tuple[str, ...]
    verified: bool
    source: Source
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    address: dict[str, str] | None = None
    hours: dict[str, str] | None = None
    note: dict[str, str] | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """content/vocabulary as loaded (:mod:`bot.content.vocabulary`): the lexicon built from it, and its files."""

    lexicon: Lexicon = field(default_factory=Lexicon)
    files: dict[str, Path] = field(default_factory=dict)  # kind (concepts, spellings, ...) -> path

    @property
    def concept_ids(self) -> tuple[str, ...]:
        return tuple(cid for cid, _forms in self.lexicon.concept_forms)


# --- Danger signals (content/safety/danger.yaml, loaded and checked by bot.content.safety) ---


@dataclass(frozen=True)
class Signal:
    """One kind of danger, with the forms that say it in each script."""

    id: str
    about: str
    forms: dict[str, tuple[str, ...]]
    plea: bool = False  # a cry for help: counts even in a hypothetical ("if ...")


@dataclass(frozen=True)
class Place:
    """Where a person may be, and whose emergency numbers to show for it."""

    id: str
    show: tuple[str, ...]
    forms: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class SafetySignals:
    signals: tuple[Signal, ...] = ()
    places: tuple[Place, ...] = ()
    hypothetical: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Content:
    """All loaded content. Immutable in use: a reload builds a new one."""

    topics: dict[str, Topic]
    contacts: list[Contact] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)
    flows: dict[str, Any] = field(default_factory=dict)
    root: Path | None = None
    # Questions the bot must not answer, by language (content/out_of_scope.yaml).
    out_of_scope: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The matcher's word lists (content/vocabulary/*.yaml): concepts, spellings, stop words.
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary())
    # Words that say a person is in danger now (content/safety/danger.yaml).
    safety: SafetySignals = field(default_factory=lambda: SafetySignals())

    @property
    def lexicon(self) -> Lexicon:
        """The word lists the matcher and the text functions use (see :mod:`bot.content.vocabulary`)."""
        return self.vocabulary.lexicon

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def menu_topics(self) -> list[Topic]:
        """The topics editors put on the main menu, in their order."""
        return sorted((t for t in self.topics.values() if t.menu), key=lambda t: (t.menu, t.id))

    def contacts_for(self, country: str | None = None) -> list[Contact]:
        if country is None:
            return list(self.contacts)
        return [c for c in self.contacts if country in c.serves]


def topic_files(root: Path) -> Iterator[Path]:
    yield from sorted((root / "topics").glob("*.yaml"))


def load_schema(root: Path, name: str) -> dict:
    return json.loads((root / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
