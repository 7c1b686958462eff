"""Imported observations and indicators as the engine and the application see them: the
lägesbild of a step counts imported observations at their own time and resolves their places
through the register; the quarterly analysis shows the unit's indicators beside the EST
picture; importing any shuffled subset of a file twice never changes the count."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lofte.storage.memory import MemoryStore  # noqa: F401  (the harness's store)
from lofte.workflow.application.context_blocks import blocks
from lofte.workflow.application.import_indicators import read_indicators, store_indicator_import
from lofte.workflow.application.import_observations import (
    preview_observations,
    store_observation_import,
)
from lofte.workflow.application.indicators_view import indicators_for
from lofte.workflow.core.context import lagesbild_for
from lofte.workflow.core.imported import imported_between
from tests.conftest import MEMORY, packaged
from tests.harness import Harness, make_harness, utc

HEADER = "Id;Kategori;Plats;Datum;Klockslag;Del av dygnet;Beskrivning"
POOL = [  # a few rows, some alike: identical rows of one file are kept apart
    "Klotter;Stationen;2026-11-10;21:30;;Tags.",
    "Klotter;Stationen;2026-11-10;21:30;;Tags.",
    "Skadegörelse;Torget;2026-11-11;;natt;Ruta.",
    "Sprutfynd;Bakom Folkets hus;2026-11-12;;;Spruta.",
    "Alkohol;Parken;2026-11-13;23:00;;Fest.",
]
INDICATORS = (
    "År;Indikator;Värde;Enhet;Källa\n"
    "2025;Anmälda skadegörelsebrott;412;antal;Brå\n"
    "2026;Anmälda skadegörelsebrott;380;antal;Brå\n"
    "2026;Otrygg på kvällen;23,5;procent;Polisens trygghetsmätning\n"
)


@pytest.fixture
def h() -> Iterator[Harness]:
    built = make_harness(MEMORY, utc(2026, 11, 30), packaged())
    yield built
    built.close()


def csv_of(rows: list[str], ids: list[str] | None = None) -> bytes:
    """A Swedish export of `rows`, with an id column when `ids` are given (one per row)."""
    lines = [HEADER if ids is not None else HEADER.removeprefix("Id;")]
    lines += rows if ids is None else [f"{i};{row}" for i, row in zip(ids, rows, strict=True)]
    return "\n".join(lines).encode("utf-8")


def imported_count(h: Harness) -> int:
    return h.engine.inspect(
        lambda work: len(imported_between(work, "sala", utc(2000, 1, 1), utc(2100, 1, 1)))
    )


def import_rows(h: Harness, data: bytes, who: str = "lars-berg") -> int:
    app = h.app()
    viewer = app.viewer(who)
    found = preview_observations(app, viewer, "sala", "export.csv", data)
    assert not found.bad, found.messages()
    return store_observation_import(app, viewer, found)


def test_the_analysis_shows_indicators_and_imported_observations(h: Harness) -> None:
    app = h.app()
    viewer = app.viewer("lars-berg")  # Sala's coordinator
    found = read_indicators(app, viewer, "sala", "bra.csv", INDICATORS.encode())
    outcome = store_indicator_import(app, viewer, found)
    assert (outcome.added, outcome.changed, outcome.unchanged) == (3, 0, 0)
    assert import_rows(h, csv_of(POOL)) == 5
    h.run_until(utc(2026, 12, 1, 9))  # the first quarter's direction decision opens
    cycle = h.cycle("inriktningsbeslut", "sala", "2027-Q1")
    with h.store.unit_of_work() as uow:
        context = uow.contexts.get(cycle.id or 0, "analys")
    assert context is not None
    picture = next(i for i in context["items"] if i["kind"] == "lagesbild")
    assert picture["parts"][0]["total"] == 5  # the quarter to date: imported ones count
    places = {p["place"]: p["count"] for p in picture["parts"][0]["by_place"]}
    assert places["Sala resecentrum"] == 2 and places["Stora torget"] == 1  # aliases resolved
    item = next(i for i in context["items"] if i["kind"] == "indicators")
    entries = item["parts"][0]["entries"]
    assert [(e["year"], e["name"], e["value"], e["previous"]) for e in entries] == [
        (2025, "Anmälda skadegörelsebrott", 412.0, None),
        (2026, "Anmälda skadegörelsebrott", 380.0, 412.0),
        (2026, "Otrygg på kvällen", 23.5, None),
    ]
    lines = next(b for b in blocks(context, "sv") if b["title"].startswith("Indikatorer"))["lines"]
    assert "2026 Anmälda skadegörelsebrott: 380 antal (2025: 412; Brå)" in lines
    assert "2026 Otrygg på kvällen: 23,5 procent (Polisens trygghetsmätning)" in lines
    english = next(b for b in blocks(context, "en") if b["title"].startswith("Indicators"))
    assert "2026 Otrygg på kvällen: 23.5 procent (Polisens trygghetsmätning)" in english["lines"]
    # what the yearly report calls
    assert [e["name"] for e in indicators_for(app, "sala", 2026)] == [
        "Anmälda skadegörelsebrott",
        "Otrygg på kvällen",
    ]
    events = [e for e in h.audit() if e.event in ("observations_imported", "indicators_imported")]
    assert [(e.event, e.actor, e.detail["file"]) for e in events] == [
        ("indicators_imported", "lars-berg", "bra.csv"),
        ("observations_imported", "lars-berg", "export.csv"),
    ]
    assert events[1].detail["rows"] == 5 and events[1].detail["added"] == 5


def test_a_changed_indicator_is_a_new_version_and_the_same_value_changes_nothing(
    h: Harness,
) -> None:
    app = h.app()
    viewer = app.viewer("admin")
    store_indicator_import(
        app, viewer, read_indicators(app, viewer, "sala", "a.csv", INDICATORS.encode())
    )
    again = store_indicator_import(
        app, viewer, read_indicators(app, viewer, "sala", "a.csv", INDICATORS.encode())
    )
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    changed = INDICATORS.replace(";380;", ";385;").encode()
    outcome = store_indicator_import(
        app, viewer, read_indicators(app, viewer, "sala", "b.csv", changed)
    )
    assert (outcome.added, outcome.changed, outcome.unchanged) == (0, 1, 2)
    latest = {e["name"]: e for e in indicators_for(app, "sala", 2026)}
    assert latest["Anmälda skadegörelsebrott"]["value"] == 385.0
    assert latest["Anmälda skadegörelsebrott"]["version"] == 2


def test_only_the_coordinator_or_an_administrator_imports(h: Harness) -> None:
    from lofte.kernel.errors import AccessDenied

    app = h.app()
    with pytest.raises(AccessDenied, match="kan läsa in"):
        preview_observations(app, app.viewer("tove-lind"), "sala", "x.csv", csv_of(POOL))
    with pytest.raises(AccessDenied):
        read_indicators(app, app.viewer("tove-lind"), "sala", "x.csv", INDICATORS.encode())


def test_the_lagesbild_counts_imported_observations_at_their_own_time(h: Harness) -> None:
    import_rows(h, csv_of(POOL))
    picture = h.engine.inspect(
        lambda work: lagesbild_for(
            work,
            h.engine.catalog.current(h.store).directory.unit("sala"),  # type: ignore[arg-type]
            utc(2026, 11, 10, 23),  # 11 November 00:00 in Stockholm
            utc(2026, 11, 13, 23),
        )
    )
    assert picture["total"] == 3 and picture["imported"] == 3  # 11, 12 and 13 November
    assert picture["previous_total"] == 2  # the two of 10 November, in the period before
    counted = {c["value"]: (c["count"], c["previous"]) for c in picture["by_category"]}
    assert counted == {
        "klotter": (0, 2),
        "skadegorelse": (1, 0),
        "sprutfynd": (1, 0),
        "alkohol": (1, 0),
    }
    assert picture["by_hour_band"][3]["count"] == 1 and picture["unknown_time"] == 1


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picked=st.lists(st.integers(0, len(POOL) - 1), max_size=12),
    seed=st.integers(0, 2**16),
    with_ids=st.booleans(),
)
def test_importing_any_shuffled_subset_twice_never_changes_the_count(
    h: Harness, picked: list[int], seed: int, with_ids: bool
) -> None:
    """A subset of the pool (rows may repeat), shuffled, imported; then imported again in
    another order: the second import adds nothing. The store is shared by the examples, so
    earlier subsets are there too (what one example added, the next may find again)."""
    rows = [(f"R{i}", POOL[i]) for i in picked]  # an id names its row in any order
    random.Random(seed).shuffle(rows)

    def file() -> bytes:
        return csv_of([r for _, r in rows], [i for i, _ in rows] if with_ids else None)

    before = imported_count(h)
    added = import_rows(h, file()) if rows else 0
    assert imported_count(h) == before + added and added <= len(rows)
    random.Random(seed + 1).shuffle(rows)
    assert (import_rows(h, file()) if rows else 0) == 0
    assert imported_count(h) == before + added
