"""The web package imports in one direction: the factory imports the blueprints, blueprints reach
the application through `web.services` and never import the factory. Every import counts,
also one inside a function (a deferred import hides a circle; it does not remove it)."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent.parent / "web"
PACKAGE = "lofte.web"
FACTORY = f"{PACKAGE}.factory"


def web_modules() -> dict[str, ast.Module]:
    return {
        f"{PACKAGE}.{path.stem}": ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(WEB.glob("*.py"))
        if path.stem != "__init__"
    }


def imported(tree: ast.Module, known: set[str]) -> set[str]:
    """The modules of `known` that `tree` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)  # `from lofte.web import pages` names a module too:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found & known


def import_graph() -> dict[str, set[str]]:
    modules = web_modules()
    return {name: imported(tree, set(modules)) - {name} for name, tree in modules.items()}


def a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle of `graph` (its modules in order, the first repeated at the end), or
    [] if it has none: a depth-first walk that meets a module still on its path."""
    done: set[str] = set()
    path: list[str] = []

    def walk(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if found := walk(target):
                return found
        path.pop()
        done.add(module)
        return []

    for start in sorted(graph):
        if found := walk(start):
            return found
    return []


def test_the_web_package_has_no_import_circle() -> None:
    graph = import_graph()
    assert len(graph) >= 15 and f"{PACKAGE}.services" in graph
    assert a_cycle(graph) == []


def test_only_the_factory_imports_the_blueprints_and_nothing_imports_the_factory() -> None:
    graph = import_graph()
    blueprints = {name for name in graph if name.endswith("_routes")} | {f"{PACKAGE}.pages"}
    assert blueprints <= graph[FACTORY]
    importers = {name: sorted(targets & blueprints) for name, targets in graph.items()}
    assert {name: found for name, found in importers.items() if found} == {
        FACTORY: sorted(blueprints)
    }
    assert [name for name, targets in graph.items() if FACTORY in targets] == []


def test_a_blueprint_importing_the_factory_is_caught_even_inside_a_function() -> None:
    graph = import_graph()
    deferred = ast.parse("def show():\n    from lofte.web.factory import create_app\n")
    graph[f"{PACKAGE}.answer_routes"] |= imported(deferred, set(graph))
    answers = f"{PACKAGE}.answer_routes"
    assert a_cycle(graph) == [answers, FACTORY, answers]


def test_blueprints_learn_who_is_signed_in_from_the_guard_only() -> None:
    """A page is told its viewer by `requires`; only the sign-in pages (by link and by identity
    provider) read the session (to start and end one), and no view reaches into the app's
    extensions itself."""
    modules = web_modules()
    readers = {
        name
        for name, tree in modules.items()
        if (name.endswith("_routes") or name == f"{PACKAGE}.pages")
        and (
            f"{PACKAGE}.session" in imported(tree, set(modules))
            or "extensions" in {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        )
    }
    assert readers == {f"{PACKAGE}.sign_in_routes", f"{PACKAGE}.oidc_routes"}
