"""Guided flows as content: the definition editors write in YAML, loaded and checked here.

Running a flow (progress, choices, results) is :mod:`bot.conversation.flow_runtime`.

A flow is steps with a question and choices; choices lead to the next step or
to the end, and may raise flags, add to a score or set variables. The end
message is assembled from what was answered: the gaps still open (checklist),
a risk level with reasons (offer check), the contacts for where the person is
(emergency). Progress lives in SQLite (see :mod:`bot.storage.database`), so a flow
survives a restart, and every button carries the run token and step, so a press
on an old message is recognised for what it is.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.model import ContentError, Documents, Located
from bot.content.validate import CheckReport, SeedLines, check_source, schema_errors, schema_validator
from bot.text.i18n import khmer_ratio
from bot.limits import MAX_CALLBACK_BYTES

END = "end"
RUN_ALPHABET = string.ascii_letters + string.digits
RUN_LEN = 6
FLOWS_DIR = "flows"
# Flow IDs fixed by content-spec.md: tests, menus and deep links refer to them.
SPEC_FLOWS = ("checklist", "offer-check", "emergency", "choose-country", "complaint")


class FlowError(ValueError):
    """A flow definition the engine cannot run."""


@dataclass(frozen=True)
class Choice:
    label: dict[str, str]
    next: str
    flag: str | None = None
    score: int = 0
    set: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    id: str
    ask: dict[str, str]
    choices: tuple[Choice, ...]
    show_contacts: bool = False


@dataclass(frozen=True)
class Result:
    """A piece of the end message, shown when its condition holds."""

    text: dict[str, str]
    flag: str | None = None
    when: dict[str, str] = field(default_factory=dict)
    topic: str | None = None


@dataclass(frozen=True)
class Level:
    min: int
    text: dict[str, str]


@dataclass(frozen=True)
class Flow:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    start: str
    steps: dict[str, Step]
    results: tuple[Result, ...] = ()
    levels: tuple[Level, ...] = ()
    none: dict[str, str] | None = None
    end: dict[str, str] | None = None
    contacts: dict[str, str] | None = None  # {"country": var, "topics": var}
    related: tuple[str, ...] = ()

    def step(self, step_id: str) -> Step | None:
        return self.steps.get(step_id)


def _choice(raw: dict) -> Choice:
    return Choice(
        label=dict(raw["label"]),
        next=str(raw["next"]),
        flag=raw.get("flag"),
        score=int(raw.get("score", 0)),
        set={str(k): str(v) for k, v in (raw.get("set") or {}).items()},
    )


def flow_from_doc(doc: Located) -> Flow:
    d = doc.data
    if not isinstance(d, dict):
        raise FlowError("a flow file must be a mapping")
    steps = {}
    for raw in d["steps"]:
        steps[raw["id"]] = Step(
            id=raw["id"],
            ask=dict(raw["ask"]),
            choices=tuple(_choice(c) for c in raw["choices"]),
            show_contacts=bool(raw.get("show_contacts", False)),
        )
    return Flow(
        id=d["id"],
        title=dict(d["title"]),
        description=dict(d["description"]),
        start=d.get("start") or d["steps"][0]["id"],
        steps=steps,
        results=tuple(
            Result(text=dict(r["text"]), flag=r.get("flag"), when=dict(r.get("when") or {}), topic=r.get("topic"))
            for r in d.get("results") or ()
        ),
        levels=tuple(sorted((Level(int(lv["min"]), dict(lv["text"])) for lv in d.get("levels") or ()), key=lambda lv: lv.min)),
        none=d.get("none"),
        end=d.get("end"),
        contacts=d.get("contacts"),
        related=tuple(d.get("related") or ()),
    )


def flow_files(root: Path) -> list[Path]:
    """The flow files of a content folder, in name order (none without a flows folder)."""
    flows_dir = root / FLOWS_DIR
    return sorted(flows_dir.glob("*.yaml")) if flows_dir.is_dir() else []


def load_flows(root: Path, parsed: Documents | None = None, problems: list[str] | None = None) -> dict[str, Flow]:
    """The flows of a content folder, by id (run :func:`check_flows` first: this only parses).

    A flow that cannot be built adds a problem to ``problems`` (without it: ContentError);
    a file that cannot be parsed raises ContentError.
    """
    parsed = parsed if parsed is not None else Documents()
    collect: list[str] = [] if problems is None else problems
    flows: dict[str, Flow] = {}
    for path in flow_files(root):
        doc = parsed.get(path)
        try:
            flow = flow_from_doc(doc)
        except (KeyError, TypeError, ValueError) as exc:
            collect.append(f"{path}:1: flow cannot be loaded: {exc}")
            continue
        flows[flow.id] = flow
    if problems is None and collect:
        raise ContentError(collect)
    return flows


# --- checking a flow (content check) -------------------------------------------


def check_flows(root: Path, report: CheckReport, parsed: Documents, topic_ids: set[str]) -> None:
    """Every flow file (see :func:`check_flow_doc`); ``topic_ids``: the topics flows may point to."""
    for path in flow_files(root):
        try:
            doc = parsed.get(path)
        except ContentError as exc:
            report.errors.extend(exc.problems)
            continue
        check_flow_doc(doc, root, topic_ids, report)


def _texts(node: Any, path: tuple) -> list[tuple[tuple, dict]]:
    """Every {en, km} text mapping in a flow document, with its key path."""
    out = []
    if isinstance(node, dict):
        if set(node) >= {"en"} and all(isinstance(v, str) for v in node.values()) and set(node) <= {"en", "km"}:
            out.append((path, node))
        else:
            for k, v in node.items():
                out.extend(_texts(v, path + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_texts(v, path + (i,)))
    return out


def check_flow_doc(doc: Located, root: Path, topic_ids: set[str], report: Any) -> None:
    """Append ``file:line: problem`` errors for everything that would break a flow."""

    errors = schema_errors(schema_validator(root, "flow"), doc)
    report.errors.extend(errors)
    if errors:
        return
    d = doc.data
    if doc.path.stem != d["id"]:
        report.errors.append(f"{doc.where('id')}: id {d['id']!r} does not match the file name {doc.path.name!r}")
    for path, text in _texts(d, ()):
        if "km" not in text or not text["km"].strip():
            report.errors.append(f"{doc.where(*path)}: missing Khmer translation")
        elif khmer_ratio(text["km"]) < 0.5:
            report.errors.append(f"{doc.where(*path, 'km')}: Khmer text is not in Khmer script")
        if not text.get("en", "").strip():
            report.errors.append(f"{doc.where(*path)}: missing English text")
    step_index = {}
    for i, raw in enumerate(d["steps"]):
        if raw["id"] in step_index:
            report.errors.append(f"{doc.where('steps', i, 'id')}: duplicate step id {raw['id']!r}")
        step_index[raw["id"]] = i
    start = d.get("start") or d["steps"][0]["id"]
    if start not in step_index:
        report.errors.append(f"{doc.where('start')}: start step {start!r} does not exist")
        return
    graph: dict[str, set[str]] = {}
    for sid, i in step_index.items():
        raw = d["steps"][i]
        graph[sid] = set()
        if not raw["choices"]:
            report.errors.append(f"{doc.where('steps', i)}: step {sid!r} has no way out (no choices)")
        for j, ch in enumerate(raw["choices"]):
            nxt = str(ch["next"])
            if nxt != END and nxt not in step_index:
                report.errors.append(f"{doc.where('steps', i, 'choices', j, 'next')}: unknown step {nxt!r}")
            graph[sid].add(nxt)
            data = f"a:{'x' * RUN_LEN}:{sid}:{j}"
            if len(data.encode()) > MAX_CALLBACK_BYTES:
                report.errors.append(f"{doc.where('steps', i, 'id')}: step id {sid!r} makes callback data over 64 bytes")
    # Reachability from the start.
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node in seen or node not in step_index:  # END, or an unknown step reported above
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    for sid, i in step_index.items():
        if sid not in seen:
            report.errors.append(f"{doc.where('steps', i)}: step {sid!r} cannot be reached from the start")
    # Every reachable step must be able to reach the end (no loop without exit).
    can_end = {END}
    changed = True
    while changed:
        changed = False
        for sid, nexts in graph.items():
            if sid not in can_end and nexts & can_end:
                can_end.add(sid)
                changed = True
    for sid in seen:
        if sid not in can_end:
            report.errors.append(f"{doc.where('steps', step_index[sid])}: step {sid!r} is in a loop with no way to the end")
    flags = {ch.get("flag") for raw in d["steps"] for ch in raw["choices"] if ch.get("flag")}
    variables = {(k, str(v)) for raw in d["steps"] for ch in raw["choices"] for k, v in (ch.get("set") or {}).items()}
    for i, r in enumerate(d.get("results") or []):
        if r.get("flag") and r["flag"] not in flags:
            report.errors.append(f"{doc.where('results', i, 'flag')}: no choice raises flag {r['flag']!r}")
        for k, v in (r.get("when") or {}).items():
            if (k, str(v)) not in variables:
                report.errors.append(f"{doc.where('results', i, 'when')}: no choice sets {k} = {v}")
        if r.get("topic") and r["topic"] not in topic_ids:
            report.errors.append(f"{doc.where('results', i, 'topic')}: unknown topic {r['topic']!r}")
    for j, rel in enumerate(d.get("related") or []):
        if rel not in topic_ids:
            report.errors.append(f"{doc.where('related', j)}: unknown topic {rel!r}")
    seeds = SeedLines(root / "seeds")
    for i, src in enumerate(d.get("sources") or []):
        check_source(src, doc.where("sources", i), seeds, report, f"flow {d['id']}")
