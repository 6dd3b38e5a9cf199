"""The shape of the code, enforced: domain packages import only downwards, no cycles, Telegram at the edge.

Layers, lowest first. A module may import from its own package and from lower
layers only; packages on the same layer stay independent of each other. Lazy
imports inside functions count too. Only the Telegram-facing code (``bot.tg``,
``handlers``) and the CLI may import ``telegram``.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    {"bot.config", "bot.limits"},  # settings and protocol limits: everything may use them
    {"bot.text"},  # Khmer-aware normalization, masking, i18n
    {"bot.content"},  # the content model, its kinds and the editors' check
    {"bot.matching"},  # questions to topics
    {"bot.storage"},  # the SQLite log and the pseudonymous keys
    {"bot.services"},  # the core wired together
    {"bot.conversation"},  # replies, flows at run time, callback data
    {"bot.outreach", "bot.reporting"},  # QR codes and links; statistics and reports
    {"handlers"},  # Telegram handlers, thin
    {"bot.tg"},  # python-telegram-bot: the Application, transport, webhook, loopback API
    {"bot.cli"},  # the command line
]
TELEGRAM_ALLOWED = ("bot.tg", "bot.cli", "handlers")


def unit_of(module: str) -> str | None:
    for units in LAYERS:
        for unit in units:
            if module == unit or module.startswith(unit + "."):
                return unit
    return None


def layer_of(unit: str) -> int:
    return next(i for i, units in enumerate(LAYERS) if unit in units)


def modules() -> dict[str, Path]:
    out = {}
    for top in ("bot", "handlers"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def imports_of(path: Path, module: str) -> list[tuple[str, int]]:
    """Every module this file imports (absolute names), with the line, lazy imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            out.append((base, node.lineno))
            out += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]  # `from bot.x import mod`
    return out


MODULES = modules()


def rel(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def internal_edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in MODULES.items():
        for name, _ in imports_of(path, mod):
            if name in MODULES and name != mod and not mod.startswith(name + "."):
                graph[mod].add(name)
    return graph


def test_every_module_belongs_to_a_layer():
    orphans = [m for m in MODULES if m not in ("bot", "bot.__main__") and unit_of(m) is None]
    assert not orphans, f"put these in a domain package (or add the package to LAYERS): {orphans}"


def test_imports_only_go_down_the_layers():
    wrong = []
    for mod, path in MODULES.items():
        src = unit_of(mod)
        if src is None:
            continue
        for name, line in imports_of(path, mod):
            dst = unit_of(name)
            if dst is None or dst == src or name not in MODULES and not any(name.startswith(m + ".") for m in MODULES):
                continue
            if layer_of(dst) >= layer_of(src):
                wrong.append(f"{rel(path)}:{line}: {src} imports {name} ({dst} is not below it)")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_no_import_cycles():
    graph = internal_edges()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]) if nxt in stack else f"{node} -> {nxt}")
            elif state.get(nxt) is None:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(MODULES):
        if state.get(node) is None:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


def test_telegram_is_imported_only_at_the_edge():
    wrong = []
    for mod, path in MODULES.items():
        if mod.startswith(TELEGRAM_ALLOWED):
            continue
        for name, line in imports_of(path, mod):
            if name == "telegram" or name.startswith("telegram."):
                wrong.append(f"{rel(path)}:{line}: imports {name}")
    assert not wrong, "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("bad, expect", [
    ("from bot.tg.app import build_application\n", "imports_only_go_down"),
    ("import telegram\n", "telegram"),
])
def test_the_contract_catches_a_wrong_way_import(tmp_path, monkeypatch, bad, expect):
    """The checks above can fail: a planted wrong-way import in the core is reported."""
    fake = tmp_path / "planted.py"
    fake.write_text(bad)
    monkeypatch.setitem(MODULES, "bot.text.planted", fake)
    check = test_imports_only_go_down_the_layers if expect == "imports_only_go_down" else test_telegram_is_imported_only_at_the_edge
    with pytest.raises(AssertionError, match="planted"):
        check()


def test_the_contract_catches_a_cycle(monkeypatch, tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from bot.text import b\n")
    b.write_text("import bot.text.a\n")
    monkeypatch.setitem(MODULES, "bot.text.a", a)
    monkeypatch.setitem(MODULES, "bot.text.b", b)
    with pytest.raises(AssertionError, match="bot.text.a"):
        test_no_import_cycles()
