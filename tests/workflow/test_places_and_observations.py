"""The place register and the observation shape: names, aliases and the coordinator's
mappings are one place in every count; an observation has a date with a clock time, a part of
the day or okänd tid, and only those with a time of day count in the hour bands; answers of
the earlier shape (one date and time) are upgraded as they are read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lofte.definitions.checks.place_checks import place_problems
from lofte.definitions.organisation import PlaceSpec
from lofte.definitions.places import PlaceDecisions, PlaceRegister, normalised
from lofte.definitions.steps import ObservationSource
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.core.lagesbild import by_place, compile_lagesbild
from lofte.workflow.core.observations import (
    current,
    from_row,
    moment_of,
    row_problems,
    when_text,
)
from lofte.workflow.core.places import resolve

NEW = ObservationSource(
    field="iakttagelser",
    category="kategori",
    place="plats",
    area="omrade",
    date="datum",
    time="klockslag",
    part_of_day="dygnsdel",
    text="beskrivning",
    quantity="antal",
    handling="atgard",
    reported_to="felanmalt_till",
)
OLD = ObservationSource(
    field="iakttagelser",
    category="kategori",
    place="plats",
    area="omrade",
    time="tidpunkt",
    text="beskrivning",
)


def place(place_id: str, name: str, *aliases: str, area: str = "Centrum") -> PlaceSpec:
    return PlaceSpec(
        id=place_id, name=name, area=area, kind="torg", lat=59.92, lon=16.6, aliases=aliases
    )


TORGET = place("stora-torget", "Stora torget", "Torget", "Stortorget")
STATION = place("resecentrum", "Sala resecentrum", "Stationen", area="Sala centrum")


def test_a_name_an_alias_and_a_mapped_text_are_one_place_whatever_the_case_and_spaces() -> None:
    register = PlaceRegister(
        (TORGET, STATION), PlaceDecisions(mapped={"torg et i sala": "stora-torget"})
    )
    assert register.resolve("  stora   TORGET ") is TORGET
    assert register.resolve("stortorget") is TORGET
    assert register.resolve("Torg et i Sala") is TORGET
    assert register.resolve("Bakom Folkets hus") is None
    assert register.names(TORGET) == ("Stora torget", "Torget", "Stortorget", "torg et i sala")
    assert register.unknown(["Bakom  Folkets hus", "bakom folkets hus", "Torget"]) == [
        "Bakom Folkets hus"
    ]


def test_a_place_the_coordinator_added_is_in_the_register_with_the_text_it_came_from() -> None:
    register = PlaceRegister((TORGET,))
    added = place("folkets-hus", "Folkets hus baksida", area="Norr")
    decisions = register.with_place(added, "Bakom Folkets hus")
    after = PlaceRegister((TORGET,), decisions)
    assert [p.id for p in after.places] == ["stora-torget", "folkets-hus"]
    assert after.resolve("bakom folkets hus") == added
    assert PlaceDecisions.model_validate_json(decisions.model_dump_json()) == decisions


def test_the_register_refuses_two_places_answering_to_one_name_and_coordinates_off_the_globe() -> (
    None
):
    bad = (
        TORGET,
        place("torget-2", "Torget"),
        PlaceSpec(id="x", name="X", area="", lat=91, lon=200),
        place("stora-torget", "Annat"),
    )
    messages = [message for _, message, _ in place_problems(bad)]
    assert "namnet 'Torget' betyder redan platsen 'stora-torget'" in messages
    assert any("latitud 91" in m for m in messages) and any("longitud 200" in m for m in messages)
    assert "platsen 'stora-torget' finns två gånger" in messages
    assert place_problems((TORGET, STATION)) == []


def test_an_earlier_answer_is_upgraded_to_a_date_a_clock_time_and_a_part_of_the_day() -> None:
    old = {"kategori": "skadegorelse", "plats": "Torget", "tidpunkt": "2027-01-16T23:15+01:00"}
    read = from_row(old, OLD)
    assert read["v"] == 2 and "time" not in read
    assert (read["date"], read["clock"], read["part_of_day"]) == ("2027-01-16", "23:15", "kvall")
    unreadable = from_row({"plats": "Torget", "tidpunkt": "i går"}, OLD)
    assert (unreadable["date"], unreadable["part_of_day"]) == ("", "okand")
    # a lägesbild stored with a step before this release: its observations carry no version
    stored = current({"time": "2027-01-16T05:00:00+01:00", "place": "Torget"})
    assert stored["part_of_day"] == "natt" and when_text(stored) == "lör 16 jan 2027 kl. 05.00"
    with pytest.raises(ValueError, match="nyare"):
        current({"v": 3})


def test_a_new_answer_has_a_clock_time_or_a_part_of_the_day_or_unknown_time() -> None:
    by_clock = from_row({"datum": "2027-01-16", "klockslag": "07:30"}, NEW)
    assert by_clock["part_of_day"] == "morgon" and by_clock["quantity"] == 1
    by_part = from_row({"datum": "2027-01-16", "dygnsdel": "kvall", "antal": 4}, NEW)
    assert by_part["quantity"] == 4 and by_part["clock"] == ""
    assert moment_of(by_part) == datetime(2027, 1, 16, 18, tzinfo=STOCKHOLM)
    assert when_text(by_part) == "lör 16 jan 2027, kväll"
    assert when_text(from_row({"datum": "2027-01-16", "dygnsdel": "okand"}, NEW), "en") == (
        "Sat 16 Jan 2027, unknown time"
    )


def test_a_row_without_a_time_of_day_or_with_one_that_disagrees_is_refused() -> None:
    answer = {
        "iakttagelser": [
            {"datum": "2027-01-16"},
            {"datum": "2027-01-16", "klockslag": "23:00", "dygnsdel": "morgon"},
            {"datum": "2027-01-16", "klockslag": "08:00", "dygnsdel": "morgon"},
            {"datum": "2027-01-16", "dygnsdel": "okand", "atgard": "felanmalt"},
        ]
    }
    problems = row_problems(answer, NEW, {"dygnsdel": "Del av dygnet"})
    assert [(p.path, p.code) for p in problems] == [
        ("iakttagelser[0].dygnsdel", "time_of_day_missing"),
        ("iakttagelser[1].dygnsdel", "part_of_day_mismatch"),
        ("iakttagelser[3].felanmalt_till", "reported_to_missing"),
    ]
    assert problems[1].text() == "klockslaget 23:00 är inte morgon; välj kväll eller lämna tomt"


def observation(written: str, part: str = "dag", category: str = "klotter") -> dict[str, Any]:
    return from_row(
        {"kategori": category, "plats": written, "datum": "2027-01-16", "dygnsdel": part}, NEW
    )


def compiled(observations: list[dict[str, Any]]) -> dict[str, Any]:
    return compile_lagesbild(
        observations,
        [],
        start=datetime(2027, 1, 11, tzinfo=STOCKHOLM),
        end=datetime(2027, 1, 18, tzinfo=STOCKHOLM),
        categories=[],
        reports=1,
        nothing_to_report=0,
    )


def test_hour_bands_count_only_what_has_a_time_of_day_and_places_merge_their_names() -> None:
    seen = [observation("Torget", "natt"), observation("stortorget", "kvall")]
    seen += [observation("Stationen", "okand"), observation("Bakom Folkets hus", "kvall")]
    resolve(seen, PlaceRegister((TORGET, STATION)))
    data = compiled(seen)
    assert [b["count"] for b in data["by_hour_band"]] == [1, 0, 0, 2]
    assert data["unknown_time"] == 1 and data["total"] == 4
    assert [(p["place_id"], p["place"], p["count"]) for p in data["by_place"]] == [
        ("stora-torget", "Stora torget", 2),
        ("", "Bakom Folkets hus", 1),
        ("resecentrum", "Sala resecentrum", 1),
    ]


# Hypothesis: whatever aliases and mappings an administrator adds ---------------------------
WORDS = st.sampled_from(
    ["Torget", "Stationen", "Parken", "Tunneln", "Skolgården", "Gallerian", "Bakom ICA", "Ån"]
)


@st.composite
def registers_and_reports(draw: st.DrawFn) -> tuple[PlaceRegister, list[str]]:
    names = draw(st.lists(WORDS, min_size=1, max_size=5, unique=True))
    free = [w for w in WORDS.elements if w not in names]  # type: ignore[attr-defined]
    aliases = {
        n: draw(st.lists(st.sampled_from(free) if free else st.nothing(), max_size=2, unique=True))
        for n in names
    }
    used: set[str] = set()
    places = []
    for index, name in enumerate(names):
        own = tuple(a for a in aliases[name] if a not in used)
        used.update(own)
        places.append(place(f"p{index}", name, *own))
    mapped = draw(
        st.dictionaries(
            st.sampled_from([*WORDS.elements, "bakom  ica", "ÅN"]),
            st.sampled_from([f"p{i}" for i in range(len(names))] + ["gone"]),
            max_size=4,
        )  # type: ignore[attr-defined]
    )
    register = PlaceRegister(
        tuple(places), PlaceDecisions(mapped={k.casefold(): v for k, v in mapped.items()})
    )
    written = draw(
        st.lists(st.sampled_from([*WORDS.elements, "torget ", "BAKOM ICA", ""]), max_size=40)
    )  # type: ignore[attr-defined]
    return register, written


@given(registers_and_reports())
def test_per_place_counts_sum_to_the_total_and_no_observation_is_lost_or_counted_twice(
    drawn: tuple[PlaceRegister, list[str]],
) -> None:
    register, written = drawn
    seen = [observation(text) for text in written]
    resolve(seen, register)
    counted = by_place(seen)
    assert sum(c["count"] for c in counted) == len(written)
    keys = [(c["place_id"], c["place"] if not c["place_id"] else "") for c in counted]
    assert len(keys) == len(set(keys))  # each place (or written text) once
    for entry in counted:
        if entry["place_id"]:
            expected = sum(
                1
                for text in written
                if (found := register.resolve(text)) is not None and found.id == entry["place_id"]
            )
        else:
            expected = sum(
                1
                for text in written
                if register.resolve(text) is None and normalised(text) == normalised(entry["place"])
            )
        assert entry["count"] == expected
