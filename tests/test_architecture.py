"""The import graph of bot/, handlers/ and storage/ keeps its direction: storage knows no handlers,
bot/ core knows handlers/ only through the composition root, and no module can reach itself again.

Every import counts, also those inside functions or under TYPE_CHECKING: a cycle hidden in a function
is still a cycle a reader has to keep in mind. `from pkg import name` is an edge to `pkg` (its
__init__ runs) and to `pkg.name` when that is a module.
"""
from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import handlers
from bot.registry import _INTENT_ATTR, FLOWS, INTENTS

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")
COMPOSITION_ROOT = "bot.wiring"  # the one module of bot/ that imports handlers/ (registers them all)


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _owner(name: str, modules: dict[str, Path]) -> str:
    """The module of ours that `name` (a module, or a name inside one) belongs to; "" when none."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module of ours: line of the first such import}."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {m: {} for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                owner = _owner(target, modules)
                if owner and owner != module:
                    graph[module].setdefault(owner, node.lineno)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_checker_sees_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 3}, "c": {"a": 7}, "d": {"a": 2}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []
    modules = _modules()
    engine = import_graph()["bot.engine"]
    assert set(engine) <= set(modules) and "bot.registry" in engine


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    report = []
    for component in found:
        members = set(component)
        edges = [f"    {a}:{line} -> {b}" for a in component for b, line in sorted(graph[a].items()) if b in members]
        report.append(f"{len(component)} modules: {', '.join(component)}\n" + "\n".join(edges))
    assert not found, "import cycles (module:line -> module):\n" + "\n".join(report)


def test_storage_imports_no_handlers() -> None:
    graph = import_graph()
    wrong = [f"{a}:{line} -> {b}" for a in graph if a.split(".")[0] == "storage"
             for b, line in graph[a].items() if b.split(".")[0] == "handlers"]
    assert not wrong, "storage/ imports handlers/:\n" + "\n".join(wrong)


def test_only_the_composition_root_of_bot_imports_handlers() -> None:
    graph = import_graph()
    assert COMPOSITION_ROOT in graph, f"{COMPOSITION_ROOT} is gone: update COMPOSITION_ROOT"
    wrong = [f"{a}:{line} -> {b}" for a in graph if a.split(".")[0] == "bot" and a != COMPOSITION_ROOT
             for b, line in graph[a].items() if b.split(".")[0] == "handlers"]
    assert not wrong, f"bot/ imports handlers/ outside {COMPOSITION_ROOT}:\n" + "\n".join(wrong)


def test_the_handlers_package_runs_nothing_on_import() -> None:
    """Registration is an explicit call (bot.wiring.register_all), never a side effect of an import."""
    assert import_graph()["handlers"] == {}


def test_registering_is_an_explicit_call_and_doing_it_twice_changes_nothing() -> None:
    """In a fresh interpreter: importing every handler module registers nothing (and a runtime built then is
    refused, not a bot that understands nothing); `register_all` registers the menu's intents, and a second
    call adds no second copy of a fallback, a reminder source or an eraser."""
    script = """
import pkgutil, importlib, json
import handlers
for info in pkgutil.iter_modules(handlers.__path__):
    importlib.import_module("handlers." + info.name)
from bot import audiences, bulk_reminders, registry, reminders
from storage.repositories import members
def sizes():
    return [len(registry.INTENTS), len(registry.FLOWS), len(registry.FALLBACKS), len(registry.COMMANDS),
            len(audiences.AUDIENCES), len(reminders.SOURCES), len(bulk_reminders.BULK_SOURCES),
            len(members.ERASERS)]
before = sizes()
from bot import runtime
from bot.config import Settings
try:
    runtime.build(Settings(database_url="sqlite://"))
    unwired = "built"
except RuntimeError:
    unwired = "refused"
from bot.wiring import register_all
register_all()
once = sizes()
register_all()
print(json.dumps({"before": before, "once": once, "twice": sizes(), "has_menu": "menu" in registry.INTENTS,
                  "unwired": unwired}))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHAINLP_READ_ONLY": "1", "PATH": "/usr/bin:/bin"})
    sizes = json.loads(out.stdout.strip().splitlines()[-1])
    built_in_audiences = 2  # province and kind, part of bot.audiences itself
    assert sizes["before"] == [0, 0, 0, 0, built_in_audiences, 0, 0, 0]
    assert sizes["unwired"] == "refused"
    assert sizes["has_menu"] and all(n > 0 for n in sizes["once"])
    assert sizes["twice"] == sizes["once"]


def test_every_intent_and_flow_a_handler_module_defines_is_registered() -> None:
    """A start function described with `@intent` or a conversation kept in a module but left out of the
    module's `register()` would silently never start."""
    left_out = []
    for info in pkgutil.iter_modules(handlers.__path__):
        module = importlib.import_module(f"handlers.{info.name}")
        for attr, value in vars(module).items():
            described = getattr(value, _INTENT_ATTR, None)
            if described is not None and (described.name not in INTENTS or INTENTS[described.name].start is not value):
                left_out.append(f"handlers.{info.name}.{attr} (intent {described.name})")
            is_flow = all(callable(getattr(value, m, None)) for m in ("handle", "back", "reprompt"))
            if is_flow and not isinstance(value, type) and FLOWS.get(getattr(value, "name", "")) is not value:
                left_out.append(f"handlers.{info.name}.{attr} (flow {getattr(value, 'name', '?')})")
    assert not left_out, "defined but not registered by the module's register():\n" + "\n".join(left_out)
