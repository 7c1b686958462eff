"""Property: a packaged file changed at random either loads or is refused with a DefinitionError,
never with another exception; what loads survives its stored form.

Each example does what `load_bundle` does for one changed file (parse it, then check it against
the unchanged others) without reading the others again, so 300 examples take seconds.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lofte.definitions.checks import check_bundle
from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory
from lofte.definitions.loader import (
    PACKAGED_DIR,
    Bundle,
    DefinitionSource,
    parse_definition,
    parse_organisation,
    read_stored_definition,
    stored_text,
)
from lofte.kernel.errors import DefinitionError
from tests.definitions.support import packaged

FILES = sorted(p.name for p in PACKAGED_DIR.glob("*.yaml"))
WORDS = st.sampled_from(
    [
        "format", "kind", "type", "id", "steps", "fields", "columns", "deadline", "reminders",
        "meeting", "context", "window", "inputs", "collect", "decision", "follow_up", "rows",
        "choice", "samordnare", "kommunpolis", "polis", "completed", "expired", "decided",
        "P99999999Y", "-P1D", "PT0S", "P1M1D", "weekly", "2027-01-04T02:30", "2027-13-40T09:00",
        "9999-01-01T00:00", "lagesbild", "this_cycle", "surahammar", "deployment", "est-mote",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(),
    st.text(max_size=12),
    WORDS,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORDS, inner, max_size=3),
    max_leaves=6,
)
OPERATIONS = ("delete", "replace", "grow", "copy")
DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@cache
def original(name: str) -> Any:
    return yaml.safe_load((PACKAGED_DIR / name).read_text(encoding="utf-8"))


def paths(node: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if here:
        yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*here, index))


def at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def mutate(tree: Any, data: st.DataObject) -> None:
    """One random change: delete, replace, add a sibling, or copy another part of the file."""
    everywhere = list(paths(tree))
    if not everywhere:
        return
    path = data.draw(st.sampled_from(everywhere))
    parent, key = at(tree, path[:-1]), path[-1]
    operation = data.draw(st.sampled_from(OPERATIONS))
    if operation == "delete":
        del parent[key]
    elif operation == "replace":
        parent[key] = data.draw(VALUES)
    elif operation == "grow" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif operation == "grow":
        parent[data.draw(WORDS)] = data.draw(VALUES)
    else:
        parent[key] = copy.deepcopy(at(tree, data.draw(st.sampled_from(everywhere))))


def load_changed(name: str, text: str) -> Bundle:
    """`load_bundle` of the packaged files with `name` replaced by `text`."""
    unchanged = packaged()
    if name == "organisation.yaml":
        organisation = parse_organisation(text, name)
        definitions = list(unchanged.definitions)
    else:
        organisation = unchanged.organisation
        changed = parse_definition(text, name)
        definitions = [s for s in unchanged.definitions if not s.file.endswith(f"/{name}")]
        if any(s.definition.name == changed.definition.name for s in definitions):
            raise DefinitionError([changed.document.problem(("name",), "namnet används redan")])
        definitions.append(changed)
    directory = Directory(organisation.spec)
    problems = check_bundle(
        [(s.definition, s.document) for s in definitions], directory, organisation.document
    )
    if problems:
        raise DefinitionError(problems)
    return Bundle(tuple(_sorted(definitions)), organisation, directory)


def _sorted(definitions: list[DefinitionSource]) -> list[DefinitionSource]:
    return sorted(definitions, key=lambda s: s.definition.name)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is never red by chance
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(name=st.sampled_from(FILES), data=st.data())
def test_a_changed_file_loads_or_raises_a_definition_error(name: str, data: st.DataObject) -> None:
    tree = copy.deepcopy(original(name))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        mutate(tree, data)
    text = yaml.dump(tree, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
    try:
        bundle = load_changed(name, text)
    except DefinitionError as refused:
        assert refused.problems
        assert all(isinstance(p.message, str) and p.message for p in refused.problems)
        return
    changed = tree.get("name") if name != "organisation.yaml" else None
    for definition, unit in bundle.effective():
        if changed is not None and definition.name != changed:
            continue  # untouched by this change
        back = read_stored_definition(stored_text(definition), f"{definition.name}@{unit.id}")
        assert isinstance(back, CycleDefinition)
        assert back == definition
