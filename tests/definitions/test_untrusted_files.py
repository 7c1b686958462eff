"""Files are untrusted input: a YAML bomb, a huge file, deep nesting or bytes that are not
UTF-8 are refused quickly, within little memory, with file and line; a set without an
organisation is refused as a whole."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.kernel.untrusted import MAX_BYTES, MAX_DEPTH
from tests.definitions.support import line_of, only_problem, packaged_copy, problems, replace_in


class Cost:
    peak_bytes = 0


@contextmanager
def measured() -> Iterator[Cost]:
    cost = Cost()
    tracemalloc.start()
    try:
        yield cost
    finally:
        cost.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def billion_laughs() -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) strings once expanded."""
    lines = ["format: 1", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_in_little_memory(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    (setup / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    with measured() as cost:
        problem = only_problem(setup)
    assert problem.file == str(setup / "bomb.yaml")
    assert "för många värden" in problem.message and "alias" in problem.message
    assert problem.line is not None
    assert cost.peak_bytes < 20_000_000  # expanded, it would take gigabytes


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    with measured() as without:
        load_bundle([setup])  # what loading the rest of the set costs
    big = setup / "big.yaml"
    big.write_bytes(b"format: 1\n" + b"#" * MAX_BYTES)
    with measured() as cost:
        problem = only_problem(setup)
    assert problem.file == str(big)
    assert problem.message == "filen är för stor (5.0 MB; högst 5.0 MB)"
    assert cost.peak_bytes < without.peak_bytes + MAX_BYTES // 10  # it was never read


def test_nesting_deeper_than_the_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    deep = setup / "deep.yaml"
    nested = "\n".join("  " * level + f"k{level}:" for level in range(MAX_DEPTH + 5))
    text = f"format: 1\nname: deep\n{nested} x\n"
    deep.write_text(text, encoding="utf-8")
    problem = only_problem(setup)
    assert problem.file == str(deep)
    assert problem.message == f"för djupt nästlad (mer än {MAX_DEPTH} nivåer)"
    # the first value at depth MAX_DEPTH + 1: key k39 (the root is depth 1) or the mapping under it
    assert problem.line in (line_of(text, f"k{MAX_DEPTH - 1}:"), line_of(text, f"k{MAX_DEPTH}:"))


def test_bytes_that_are_not_utf8_are_named_with_their_line(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = (PACKAGED_DIR / "est-mote.yaml").read_text(encoding="utf-8")
    (setup / "est-mote.yaml").write_bytes(text.encode("latin-1", errors="replace"))
    problem = only_problem(setup)
    assert problem.file == str(setup / "est-mote.yaml")
    assert problem.message.startswith("inte UTF-8-text (byte ")
    assert "spara filen som UTF-8" in problem.message
    assert problem.line == line_of(text, "(samverkansmöte)")  # the first "ö"


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    text = replace_in(setup / "uppfoljning.yaml", "  every: P3M", "  every: [P3M")
    problem = only_problem(setup)
    assert problem.message.startswith("inte giltig YAML")
    assert problem.line is not None and problem.line >= line_of(text, "every: [P3M")


def test_a_set_without_organisation_yaml_is_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    (setup / "organisation.yaml").unlink()
    problem = only_problem(setup)
    assert problem.file == str(setup)
    assert problem.message == "organisation.yaml saknas (enheter, roller, personer)"


def test_a_set_without_definitions_is_refused(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    for path in setup.glob("*.yaml"):
        if path.stem != "organisation":
            path.unlink()
    assert only_problem(setup).message == "inga definitioner (.yaml-filer) hittades"


def test_a_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    found = problems(PACKAGED_DIR, tmp_path / "saknas.yaml")
    assert [p.file for p in found] == [str(tmp_path / "saknas.yaml")]
    assert found[0].message.startswith("kan inte läsa filen")
