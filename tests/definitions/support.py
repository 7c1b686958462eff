"""Helpers for definition tests: a private copy of the packaged files to break, and the problems
loading it reports."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from lofte.definitions.loader import PACKAGED_DIR, Bundle, load_bundle, load_packaged
from lofte.kernel.errors import DefinitionError, DefinitionProblem

DATA = Path(__file__).resolve().parent.parent / "data"
FORMAT0 = DATA / "format0"
FORMAT0_ONE_MUNICIPALITY = DATA / "format0-one-municipality"


@cache
def packaged() -> Bundle:
    """The packaged setup, loaded once (a bundle is frozen: tests may share it)."""
    return load_packaged()


def packaged_copy(directory: Path) -> Path:
    """The packaged definitions and organisation, copied into `directory/setup`."""
    target = directory / "setup"
    shutil.copytree(PACKAGED_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str) -> str:
    """Replace the one occurrence of `old` in the file; the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    changed = text.replace(old, new)
    path.write_text(changed, encoding="utf-8")
    return changed


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the one line that contains `needle`."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def problems(*paths: Path) -> list[DefinitionProblem]:
    """The problems loading `paths` reports (the load must fail)."""
    with pytest.raises(DefinitionError) as caught:
        load_bundle(list(paths))
    return list(caught.value.problems)


def only_problem(*paths: Path) -> DefinitionProblem:
    found = problems(*paths)
    assert len(found) == 1, "\n".join(str(p) for p in found)
    return found[0]


def loads(*paths: Path) -> Bundle:
    return load_bundle(list(paths))
