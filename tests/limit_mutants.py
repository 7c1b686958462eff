"""Mutation testing of the limits in `definitions/checks/bounds.py`, which mutmut leaves alone
(it changes code inside functions, not module constants).

Each limit is moved one step up and one step down (a character, an item, a second, a year),
and the bounds tests are run against it in this process. A limit whose move no test notices
is a surviving mutant. Run: `.venv/bin/python -m tests.limit_mutants` (a few seconds); it
exits non-zero if one survives. See docs/testing.md.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from lofte.definitions.checks import bounds
from lofte.kernel.durations import IsoDuration
from tests.definitions import test_bounds

# Too costly to build past in a test (2,001 units, 100,001 people): listed in docs/testing.md.
NOT_TRIED = {"MAX_UNITS", "MAX_PEOPLE"}


def moved(value: Any) -> list[Any]:
    """The limit one step up and one step down."""
    if isinstance(value, IsoDuration):
        return [IsoDuration(value.months, value.days, value.seconds + d) for d in (1, -1)]
    if isinstance(value, re.Pattern):
        low, high = (int(n) for n in re.findall(r"\{(\d+),(\d+)\}", value.pattern)[0])
        return [
            re.compile(value.pattern.replace(f"{{{low},{high}}}", f"{{{low},{h}}}"))
            for h in (high + 1, high - 1)
        ]
    if isinstance(value, float):
        return [value * (1 + 1e-6), value * (1 - 1e-6)]
    return [value + 1, value - 1]


@contextmanager
def limit_set(name: str, value: Any) -> Iterator[None]:
    original = getattr(bounds, name)
    setattr(bounds, name, value)
    try:
        yield
    finally:
        setattr(bounds, name, original)


def checks() -> list[tuple[str, Callable[[], None]]]:
    """Every bounds test as a call that raises AssertionError when it fails."""
    found: list[tuple[str, Callable[[], None]]] = []
    for name, *case in test_bounds.LIMITS:
        found.append(
            (
                name,
                lambda case=case: (
                    test_bounds.test_a_definition_at_a_limit_loads_and_one_past_it_is_refused(*case)
                ),
            )
        )
    for name in dir(test_bounds):
        if (
            name.startswith("test_")
            and name != "test_a_definition_at_a_limit_loads_and_one_past_it_is_refused"
        ):
            found.append((name, getattr(test_bounds, name)))
    return found


def failing(tests: list[tuple[str, Callable[[], None]]]) -> list[str]:
    names = []
    for name, test in tests:
        try:
            test()
        except AssertionError:
            names.append(name)
    return names


def main() -> int:
    tests = checks()
    assert not failing(tests), "the bounds tests fail on the real limits"
    limits = [n for n in vars(bounds) if n.isupper() and n not in NOT_TRIED]
    survivors = []
    for name in sorted(limits):
        for value in moved(getattr(bounds, name)):
            with limit_set(name, value):
                caught = failing(tests)
            shown = value.pattern if isinstance(value, re.Pattern) else value
            print(f"{name} = {shown}: {'killed by ' + caught[0] if caught else 'SURVIVED'}")
            if not caught:
                survivors.append(name)
    print(
        f"{len(limits) * 2 - len(survivors)} of {len(limits) * 2} moved limits caught; "
        f"not tried: {', '.join(sorted(NOT_TRIED))}"
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
