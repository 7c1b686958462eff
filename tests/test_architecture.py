"""The import rule of docs/architecture.md, checked: dependencies point one way, kernel ←
definitions ← core ← application ← (storage, notifications, drivers, web) ← cli. Also the size
rules: no file over about 400 lines, no function over about 50."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflow", "definitions", "notifications", "storage", "cli", "web")
LAYERS = {
    "workflow": set(),  # the package itself only holds the layers below
    "workflow.kernel": set(),
    "definitions": {"workflow.kernel"},
    "workflow.core": {"workflow.kernel", "definitions"},
    "workflow.application": {"workflow.kernel", "definitions", "workflow.core"},
    "workflow.drivers": {"workflow.kernel", "definitions", "workflow.core", "workflow.application"},
    "storage": {"workflow.kernel", "definitions", "workflow.core", "workflow.application"},
    "notifications": {"workflow.kernel", "definitions", "workflow.core", "workflow.application"},
    "web": {"workflow.kernel", "definitions", "workflow.core", "workflow.application"},
    "cli": {
        "workflow.kernel",
        "definitions",
        "workflow.core",
        "workflow.application",
        "workflow.drivers",
        "storage",
        "notifications",
        "web",
    },
}
MAX_FILE_LINES = 420
MAX_FUNCTION_LINES = 60


def layer_of(module: str) -> str | None:
    if module == "workflow":
        return "workflow"
    for layer in sorted((k for k in LAYERS if k != "workflow"), key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def source_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        folder = ROOT / package
        if folder.is_dir():
            files += [p for p in folder.rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {m for m in found if m.split(".")[0] in PACKAGES}


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


def test_the_rule_catches_a_wrong_import(tmp_path: Path) -> None:
    """The check above can fail: a kernel module importing the core is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from workflow.core.engine import Engine\n", encoding="utf-8")
    assert imports_of(bad) == {"workflow.core.engine"}
    assert layer_of("workflow.core.engine") not in LAYERS["workflow.kernel"]


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
