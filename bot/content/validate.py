"""Checks every content kind shares: JSON Schema validation with file:line, and sources traced to seed lines.

Each content kind's own check (:mod:`bot.content.topics`, ``contacts``, ``glossary``,
``out_of_scope``, ``flows``, ``vocabulary``, ``safety``) builds on these; validators are
built once and cached.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from bot.content.model import ContentError, Documents, Located, load_schema
from bot.text.masking import normalize_digits

NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")


@dataclass
class CheckReport:
    """Errors and warnings, each ``file:line: problem``."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalize_question(text: str) -> str:
    """Question identity for duplicate detection: case, spaces and punctuation folded."""
    text = re.sub(r"[\s\u200b\u200c\u200d?!.,។៕¿]+", " ", text.lower())
    return text.strip()


def numbers_in(text: str) -> set[str]:
    """Numbers of two or more digits in a text, digits only (1,500 -> 1500)."""
    out = set()
    for m in NUMBER_RE.finditer(normalize_digits(text)):
        digits = re.sub(r"[,.]", "", m.group(0))
        if len(digits) >= 2:
            out.add(digits)  # "1,500" and "1.5" are compared as digits only
    return out


@functools.lru_cache(maxsize=32)
def schema_validator(root: Path, name: str) -> Draft202012Validator:
    """The JSON Schema validator for one content kind, built once per content folder (cached)."""
    topic_schema = load_schema(root, "topic")
    registry = Registry().with_resource(
        "topic.schema.json", Resource.from_contents(topic_schema)
    ).with_resource(topic_schema["$id"], Resource.from_contents(topic_schema))
    schema = topic_schema if name == "topic" else load_schema(root, name)
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(validator: Draft202012Validator, doc: Located) -> list[str]:
    out = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        where = doc.where(*err.absolute_path)
        path = "/".join(map(str, err.absolute_path)) or "(top)"
        message = err.message
        if err.validator == "oneOf" and "seed" in str(err.instance):
            message = "a seed source needs seed, quote and line (or lines); a public source needs name and no seed"
        elif err.validator == "oneOf":
            message = "a source needs either seed + quote + line, or a name"
        out.append(f"{where}: schema: {path}: {message}")
    return out


def load_valid(parsed: Documents, root: Path, filename: str, schema: str, report: CheckReport,
               missing: str | None) -> Located | None:
    """One content file, taken from the shared parse and checked against its schema; None (problems reported) if unusable.

    ``missing``: the warning for an absent file, or None when the file is optional and silent.
    """
    path = root / filename
    if not path.exists():
        if missing:
            report.warnings.append(f"{path}:1: {missing}")
        return None
    try:
        doc = parsed.get(path)
    except ContentError as exc:
        report.errors.extend(exc.problems)
        return None
    errors = schema_errors(schema_validator(root, schema), doc)
    report.errors.extend(errors)
    return None if errors else doc


class SeedLines:
    """Seed files by name, cached, for quote checks."""

    def __init__(self, seeds_dir: Path) -> None:
        self.dir = seeds_dir
        self._cache: dict[str, list[str]] = {}

    def lines(self, name: str) -> list[str] | None:
        if name not in self._cache:
            path = self.dir / name
            if not path.is_file():
                return None
            self._cache[name] = path.read_text(encoding="utf-8").splitlines()
        return self._cache[name]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\\$", "$")).strip().lower()


def check_source(src: dict, where: str, seeds: SeedLines, report: CheckReport, owner: str) -> None:
    if "seed" in src:
        lines = seeds.lines(src["seed"])
        if lines is None:
            report.errors.append(f"{where}: source seed {src['seed']!r} is not in seeds/")
            return
        numbers = src.get("lines") or ([src["line"]] if "line" in src else [])
        bad = [n for n in numbers if not 1 <= n <= len(lines)]
        if bad:
            report.errors.append(f"{where}: source line {bad[0]} is outside {src['seed']} ({len(lines)} lines)")
            return
        if numbers and src.get("quote"):
            lo, hi = min(numbers), max(numbers)
            text = _squash(" ".join(lines[lo - 1 : hi]))
            if _squash(src["quote"]) not in text:
                report.errors.append(
                    f"{where}: quote not found on {src['seed']} line(s) {lo}-{hi}: {src['quote'][:60]!r}"
                )
    if src.get("unverified"):
        what = src.get("supports") or src.get("name") or "a fact"
        msg = f"{where}: unverified fact in {owner}: {what}"
        report.warnings.append(msg)
        report.unverified.append(msg)
