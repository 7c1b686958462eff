"""The import rule of docs/architecture.md, checked: dependencies point one way, kernel ←
definitions ← core ← application ← (storage, notifications, drivers, web) ← cli, every module
imported as `lofte.<layer>`. Also the size rules: no file over about 400 lines, no function
over about 50."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("kernel", "definitions", "workflow", "notifications", "storage", "cli", "web")
K, D, CORE, APP = (
    "lofte.kernel",
    "lofte.definitions",
    "lofte.workflow.core",
    "lofte.workflow.application",
)
LAYERS = {
    "lofte": set(),  # the package itself holds only the layers
    "lofte.workflow": set(),
    K: set(),
    D: {K},
    CORE: {K, D},
    APP: {K, D, CORE},
    "lofte.workflow.drivers": {K, D, CORE, APP},
    "lofte.storage": {K, D, CORE, APP},
    "lofte.notifications": {K, D, CORE, APP},
    "lofte.web": {K, D, CORE, APP},
    "lofte.cli": {
        K,
        D,
        CORE,
        APP,
        "lofte.workflow.drivers",
        "lofte.storage",
        "lofte.notifications",
        "lofte.web",
    },
}
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50


def layer_of(module: str) -> str | None:
    for layer in sorted(LAYERS, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def source_files() -> list[Path]:
    files = [ROOT / "lofte" / "__init__.py"]
    for folder in FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def module_name(path: Path) -> str:
    """The installed name: each layer's folder is `lofte.<folder>`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    dotted = ".".join(parts if parts[0] == "lofte" else ("lofte", *parts))
    return dotted.removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    """The project's modules `path` imports, by the names it uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {m for m in found if m.split(".")[0] in ("lofte", *FOLDERS)}


def test_imports_point_one_way() -> None:
    broken = []
    for path in source_files():
        own = layer_of(module_name(path))
        assert own is not None, f"{path} is in no layer"
        for imported in imports_of(path):
            target = layer_of(imported)
            if target is None or (target != own and target not in LAYERS[own]):
                broken.append(f"{module_name(path)} ({own}) imports {imported} ({target})")
    assert not broken, "\n".join(broken)


def test_nothing_imports_a_folder_by_its_own_name() -> None:
    """`workflow.core` from a checkout would load a second copy of `lofte.workflow.core` (its
    classes then differ): the code, the tests and the benchmarks import `lofte.` only."""
    files = source_files() + sorted((ROOT / "tests").rglob("*.py"))
    files += sorted((ROOT / "bench").rglob("*.py"))
    files += sorted((ROOT / "storage" / "migrations").rglob("*.py"))
    bare = [
        f"{path.relative_to(ROOT)}: {imported}"
        for path in files
        for imported in imports_of(path)
        if not imported.startswith("lofte")
    ]
    assert not bare, "\n".join(bare)


def test_the_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    """The checks above can fail: a kernel module importing the core, or a bare name."""
    bad = tmp_path / "bad.py"
    bad.write_text("from lofte.workflow.core.engine import Engine\nimport storage\n", "utf-8")
    assert imports_of(bad) == {"lofte.workflow.core.engine", "storage"}
    assert layer_of("lofte.workflow.core.engine") not in LAYERS[K]
    assert layer_of("storage") is None


def test_files_and_functions_stay_small() -> None:
    too_long = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_FILE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines"
                    )
    assert not too_long, "\n".join(too_long)


def test_the_core_draws_no_diagrams() -> None:
    """Diagrams are the application's (`mermaid_diagram`): the core imports no drawing code of
    `transitions` (GraphMachine pulls in its graph extensions)."""
    drawing = [
        f"{path.relative_to(ROOT)}: {imported}"
        for path in sorted((ROOT / "workflow" / "core").rglob("*.py"))
        for imported in _all_imports(path)
        if imported.startswith(("transitions.extensions", "graphviz", "pygraphviz"))
    ]
    assert not drawing, "\n".join(drawing)


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_every_dependency_is_imported() -> None:
    """A runtime dependency in pyproject.toml that no module imports is weight a deployment
    installs for nothing (and one more package whose files another can overwrite)."""
    import tomllib
    from importlib.metadata import packages_distributions

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = {
        re.split(r"[\s<>=!;\[~]", spec, maxsplit=1)[0].lower() for spec in declared["dependencies"]
    }
    imported = set().union(*(_all_imports(path) for path in source_files()))
    top = {name.split(".")[0] for name in imported}
    distributions = packages_distributions()
    used = {_normal(dist) for module in top for dist in distributions.get(module, [])}
    unused = sorted(name for name in names if _normal(name) not in used)
    assert not unused, f"declared but never imported: {unused}"


def _normal(distribution: str) -> str:
    """A distribution's name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()
