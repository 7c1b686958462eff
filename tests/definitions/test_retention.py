"""The retention of ordinary personal data (gallring) in the files: a definition's own, the
organisation's default, their bounds, and stored definitions that do not name one keeping
their content hash."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from lofte.definitions.loader import (
    PACKAGED_DIR,
    parse_definition,
    parse_organisation,
    stored_text,
)
from lofte.kernel.errors import DefinitionError

INVENTORY = yaml.safe_load((PACKAGED_DIR / "est-inventering.yaml").read_text(encoding="utf-8"))
ORGANISATION = yaml.safe_load((PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8"))


def problems(document: dict[str, Any], *, organisation: bool = False) -> list[str]:
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        if organisation:
            parse_organisation(text, "organisation.yaml")
        else:
            parse_definition(text, "est-inventering.yaml")
    except DefinitionError as exc:
        return [f"{p.path}: {p.message}" for p in exc.problems]
    return []


def with_retention(base: dict[str, Any], value: str) -> dict[str, Any]:
    document = copy.deepcopy(base)
    document["retention"] = value
    return document


def test_a_retention_of_a_day_to_fifty_years_loads_and_others_are_refused() -> None:
    for base, organisation in ((INVENTORY, False), (ORGANISATION, True)):
        for good in ("P1D", "P18M", "P2Y", "P50Y"):
            assert problems(with_retention(base, good), organisation=organisation) == []
        for bad, said in (("PT1H", "för kort"), ("P51Y", "för lång"), ("-P1Y", "positiv")):
            found = problems(with_retention(base, bad), organisation=organisation)
            assert found and all(p.startswith("retention") for p in found), found
            assert said in found[0]
        found = problems(with_retention(base, "två år"), organisation=organisation)
        assert found and "ISO 8601" in found[0]


def test_a_definition_without_a_retention_is_stored_as_before() -> None:
    plain = parse_definition(yaml.safe_dump(INVENTORY, allow_unicode=True), "a.yaml")
    text = stored_text(plain.definition)
    assert '"retention"' not in text
    kept = parse_definition(
        yaml.safe_dump(with_retention(INVENTORY, "P3Y"), allow_unicode=True), "a.yaml"
    )
    assert '"retention":"P3Y"' in stored_text(kept.definition).replace(" ", "")
