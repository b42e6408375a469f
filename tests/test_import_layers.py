"""The package's imports point downward only: no two packages under include/gridpulse import each
other (directly or round a loop), and a step of the month never imports a later step. Read from
the source with `ast`, so a lazy import inside a function counts as much as one at the top."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "include" / "gridpulse"

# The month's steps in the order a run takes them; a step may import an earlier one, never a later.
# pipeline.py is the steps in order, as plain functions; orchestration/ (the DAGs, Airflow's helpers)
# calls them, so it comes last.
STEPS = ["sources", "ingest", "validate", "load", "transform", "bulletin", "publish", "followup", "rollup", "delivery",
         "pipeline", "orchestration"]
# Code every step may use, and that itself imports no step: configuration, the contract, the month,
# problems and quarantine, the warehouse file, file writing.
SHARED = ["locations", "profile", "config", "contract", "period", "problems", "quarantine", "private_files", "calendar", "schemes", "signals",
          "numbers", "crashpoints", "catalogue", "warehouse", "files", "month_lock", "connections"]


def _unit(module: str) -> str:
    """The package (or top-level module) of gridpulse a dotted name belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "gridpulse"


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += ([f"gridpulse.{alias.name}" for alias in node.names] if node.module == "gridpulse"
                      else [node.module])
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return [name for name in names if name.startswith("gridpulse.")]


def import_graph() -> dict[str, dict[str, set[str]]]:
    """unit -> imported unit -> the files of the importing unit that import it."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source = _unit(".".join(relative.parts).removesuffix(".__init__"))
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if (target := _unit(name)) != source:
                graph[source][target].add(str(path.relative_to(PACKAGE)))
    return graph


def _cycles(graph) -> list[list[str]]:
    """Every loop of imports between units (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, loops = {}, {}, [], set(), []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        on_stack.add(unit)
        for target in graph.get(unit, {}):
            if target not in index:
                visit(target)
                low[unit] = min(low[unit], low[target])
            elif target in on_stack:
                low[unit] = min(low[unit], index[target])
        if low[unit] == index[unit]:
            component = []
            while (member := stack.pop()) != unit:
                on_stack.discard(member)
                component.append(member)
            on_stack.discard(unit)
            if component:
                loops.append(sorted(component + [unit]))

    for unit in list(graph):
        if unit not in index:
            visit(unit)
    return loops


def test_no_two_packages_import_each_other():
    graph = import_graph()
    loops = _cycles(graph)
    assert not loops, "\n".join(
        f"{' <-> '.join(loop)}: " + "; ".join(f"{a} -> {b} in {sorted(graph[a][b])}" for a in loop for b in loop
                                             if b in graph.get(a, {}))
        for loop in loops)


def test_no_step_imports_a_later_step():
    graph = import_graph()
    later = [f"{step} imports {target} in {sorted(files)}"
             for step in STEPS for target, files in graph.get(step, {}).items()
             if target in STEPS and STEPS.index(target) > STEPS.index(step)]
    assert not later, "\n".join(later)


@pytest.mark.parametrize("shared", SHARED)
def test_shared_code_imports_no_step(shared):
    steps = {target: sorted(files) for target, files in import_graph().get(shared, {}).items() if target in STEPS}
    assert not steps, f"{shared} is below the steps but imports {steps}"


def test_the_checker_sees_a_loop():
    """The check itself can fail: a made-up loop a -> b -> c -> a is found."""
    graph = {"a": {"b": {"x"}}, "b": {"c": {"y"}}, "c": {"a": {"z"}}, "d": {"a": {"w"}}}
    assert _cycles(graph) == [["a", "b", "c"]]
