"""Running a guided flow: progress, a choice, the results it leads to. Pure: no I/O.

A flow is steps with a question and choices; choices lead to the next step or to the
end, and may raise flags, add to a score or set variables. The definition is content
(:mod:`bot.content.flows`); :mod:`bot.conversation.guide` turns a step into an outcome
whose new progress the handler stores, so a flow survives a restart.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.content.flows import END, RUN_ALPHABET, RUN_LEN, Flow, FlowError, Level, Result  # noqa: F401 (END, FlowError re-exported)


def new_run() -> str:
    return "".join(secrets.choice(RUN_ALPHABET) for _ in range(RUN_LEN))


@dataclass
class Progress:
    """What has been answered so far in one run (stored as JSON)."""

    flags: list[str] = field(default_factory=list)
    score: int = 0
    vars: dict[str, str] = field(default_factory=dict)
    path: list[list[Any]] = field(default_factory=list)  # [step id, choice index]

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> "Progress":
        raw = raw or {}
        return cls(list(raw.get("flags", [])), int(raw.get("score", 0)), dict(raw.get("vars", {})), list(raw.get("path", [])))

    def to_json(self) -> dict[str, Any]:
        return {"flags": self.flags, "score": self.score, "vars": self.vars, "path": self.path}

    def answered(self, step_id: str) -> bool:
        return any(p[0] == step_id for p in self.path)


def apply_choice(flow: Flow, step_id: str, index: int, progress: Progress) -> str:
    """Record a choice and return the next step id (or END). Raises FlowError if invalid."""
    step = flow.step(step_id)
    if step is None or not 0 <= index < len(step.choices):
        raise FlowError(f"no choice {index} at step {step_id!r} of flow {flow.id!r}")
    choice = step.choices[index]
    if choice.flag and choice.flag not in progress.flags:
        progress.flags.append(choice.flag)
    progress.score += choice.score
    progress.vars.update(choice.set)
    progress.path.append([step_id, index])
    return choice.next


def results_for(flow: Flow, progress: Progress) -> list[Result]:
    """The end-message pieces whose flag was raised or whose variables match."""
    out = []
    for r in flow.results:
        if r.flag and r.flag not in progress.flags:
            continue
        if r.when and any(progress.vars.get(k) != v for k, v in r.when.items()):
            continue
        if not r.flag and not r.when:
            continue
        out.append(r)
    return out


def level_for(flow: Flow, progress: Progress) -> Level | None:
    chosen = None
    for lv in flow.levels:
        if progress.score >= lv.min:
            chosen = lv
    return chosen
