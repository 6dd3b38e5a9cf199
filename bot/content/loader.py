"""Loading the content: every file parsed, checked (errors refuse the load), turned into the model.

Kept apart from :mod:`bot.content.model` (the dataclasses) and :mod:`bot.content.check`
(the editors' check) so that the dependency runs one way: model <- kinds <- check <- loader.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content.check import check_content
from bot.content.flows import flow_from_doc
from bot.content.model import (
    QUESTION_LANGS,
    Contact,
    Content,
    ContentError,
    Located,
    Source,
    Topic,
    load_located,
    topic_files,
)


def _topic_from(doc: Located) -> Topic:
    d = doc.data
    questions = {lang: tuple(d.get("questions", {}).get(lang) or ()) for lang in QUESTION_LANGS}
    return Topic(
        id=d["id"],
        title=dict(d["title"]),
        answer={k: v.strip() for k, v in d["answer"].items()},
        questions=questions,
        sources=tuple(Source.from_dict(s) for s in d.get("sources") or ()),
        related=tuple(d.get("related") or ()),
        reviewed=str(d.get("reviewed", "")),
        menu=_menu_position(d.get("menu")),
        small_talk=bool(d.get("small_talk", False)),
        origin=str(doc.path),
    )


def _menu_position(raw: object) -> int:
    """``menu: 2`` is the second button; ``menu: true`` comes after the numbered ones."""
    if raw is True:
        return 1000
    if isinstance(raw, int) and raw > 0:
        return raw
    return 0


def _contact_from(raw: dict) -> Contact:
    return Contact(
        id=raw["id"],
        name=dict(raw["name"]),
        kind=raw["kind"],
        serves=tuple(raw["serves"]),
        verified=bool(raw.get("verified", False)),
        source=Source.from_dict(raw.get("source") or {}),
        phone=raw.get("phone"),
        email=raw.get("email"),
        url=raw.get("url"),
        address=raw.get("address"),
        hours=raw.get("hours"),
        note=raw.get("note"),
        topics=tuple(raw.get("topics") or ()),
    )


def load_content(root: Path, validate: bool = True) -> Content:
    """Load every content file under ``root``.

    With ``validate`` (the default) the content check runs first and any *error*
    (not warning) refuses the load, so the bot never serves broken content.
    """
    if validate:
        report = check_content(root)
        if report.errors:
            raise ContentError(report.errors)
    topics: dict[str, Topic] = {}
    problems: list[str] = []
    for path in topic_files(root):
        doc = load_located(path)
        try:
            topic = _topic_from(doc)
        except (KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{path}:1: topic is missing a required field: {exc}")
            continue
        topics[topic.id] = topic
    contacts: list[Contact] = []
    contacts_path = root / "contacts.yaml"
    if contacts_path.exists():
        doc = load_located(contacts_path)
        for i, raw in enumerate((doc.data or {}).get("contacts") or []):
            try:
                contacts.append(_contact_from(raw))
            except (KeyError, TypeError) as exc:
                problems.append(f"{doc.where('contacts', i)}: contact is missing {exc}")
    glossary: list[dict] = []
    glossary_path = root / "glossary.yaml"
    if glossary_path.exists():
        glossary = list((load_located(glossary_path).data or {}).get("terms") or [])
    flows: dict[str, Any] = {}
    flows_dir = root / "flows"
    if flows_dir.is_dir():
        for path in sorted(flows_dir.glob("*.yaml")):
            doc = load_located(path)
            try:
                flow = flow_from_doc(doc)
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"{path}:1: flow cannot be loaded: {exc}")
                continue
            flows[flow.id] = flow
    out_of_scope: dict[str, tuple[str, ...]] = {}
    oos_path = root / "out_of_scope.yaml"
    if oos_path.exists():
        raw = (load_located(oos_path).data or {}).get("questions") or {}
        out_of_scope = {lang: tuple(raw.get(lang) or ()) for lang in QUESTION_LANGS}
    if problems:
        raise ContentError(problems)
    if not topics:
        raise ContentError([f"{root}/topics:1: no topics found"])
    return Content(topics=topics, contacts=contacts, glossary=glossary, flows=flows, root=root, out_of_scope=out_of_scope)
