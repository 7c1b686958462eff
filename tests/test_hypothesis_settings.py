"""Under CI every Hypothesis test draws the same examples on every run (the `ci` profile of
tests/conftest.py). A test's own `@settings` may change how many examples it draws or its
deadline, never take the derandomisation or the example database back."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import settings

TESTS = Path(__file__).resolve().parent
PROFILE_KEYS = {"derandomize", "database"}


def test_the_ci_profile_is_derandomised_without_a_database() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize is True and ci.database is None and ci.deadline is None


def test_no_test_takes_the_profile_back() -> None:
    overrides = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "conftest.py":
            continue  # where the profiles are made
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "settings"):
                continue
            for keyword in node.keywords:
                value = keyword.value
                keeps = isinstance(value, ast.Constant) and value.value in (True, None)
                if keyword.arg in PROFILE_KEYS and not keeps:
                    overrides.append(f"{path.relative_to(TESTS)}:{node.lineno} {keyword.arg}")
                if keyword.arg is None or keyword.arg == "parent":
                    overrides.append(f"{path.relative_to(TESTS)}:{node.lineno} **/parent")
    assert overrides == []
