"""Loading the content: every file parsed once, checked (errors refuse the load), turned into the model
(topics, contacts, glossary, flows, out-of-scope questions, the matcher's vocabulary, danger signals).

Kept apart from :mod:`bot.content.model` (the dataclasses) and :mod:`bot.content.check`
(the editors' check) so that the dependency runs one way:
model <- validate <- kinds (topics, contacts, ...) <- check <- loader.
"""
from __future__ import annotations

from pathlib import Path

from bot.content.check import check_content
from bot.content.contacts import load_contacts
from bot.content.flows import load_flows
from bot.content.glossary import load_glossary
from bot.content.model import Content, ContentError, Documents
from bot.content.out_of_scope import load_out_of_scope
from bot.content.safety import load_safety
from bot.content.topics import load_topics
from bot.content.vocabulary import load_vocabulary


def load_content(root: Path, validate: bool = True) -> Content:
    """Load every content file under ``root``.

    With ``validate`` (the default) the content check runs first and any *error*
    (not warning) refuses the load, so the bot never serves broken content. The
    check and the model share one :class:`~bot.content.model.Documents`, made fresh
    for every call (so a ``/reload`` reads every file again): each file is read and
    parsed once, and what is loaded is exactly what was checked.
    """
    parsed = Documents()
    if validate:
        report = check_content(root, parsed=parsed)
        if report.errors:
            raise ContentError(report.errors)
    problems: list[str] = []
    topics = load_topics(root, parsed, problems)
    contacts = load_contacts(root, parsed, problems)
    glossary = load_glossary(root, parsed)
    flows = load_flows(root, parsed, problems)
    out_of_scope = load_out_of_scope(root, parsed)
    vocabulary = load_vocabulary(root, parsed)
    if problems:
        raise ContentError(problems)
    if not topics:
        raise ContentError([f"{root}/topics:1: no topics found"])
    return Content(topics=topics, contacts=contacts, glossary=glossary, flows=flows, root=root, out_of_scope=out_of_scope,
                   vocabulary=vocabulary, safety=load_safety(root, parsed))
