"""The setup check that nobody is booked in two meetings at once and no room twice: a clash is
refused at the meeting a unit moved (or the definition's), naming both meetings, their units,
the first time they clash and the person or the room; the packaged week has none."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from lofte.definitions.checks.meeting_clashes import Placed, Series, _layout, meeting_series
from lofte.kernel.timerules import STOCKHOLM
from tests.definitions.support import (
    line_of,
    loads,
    only_problem,
    packaged,
    packaged_copy,
    replace_in,
)

ORGANISATION = "organisation.yaml"
SKINNSKATTEBERG_PATH = "police_areas[0].municipalities[3]"
SKINNSKATTEBERG_STEERING = (
    "overrides: {inriktningsbeslut: {steps: {beslut: {meeting: {starts: P20DT4H}}}}}}"
)


def skinnskatteberg_with(setup: Path, overrides: str) -> str:
    """Skinnskatteberg's steering group keeps its day; `overrides` (flow YAML) are added."""
    return replace_in(
        setup / ORGANISATION,
        SKINNSKATTEBERG_STEERING,
        "overrides: {inriktningsbeslut: {steps: {beslut: {meeting: {starts: P20DT4H}}}},\n"
        f"                     {overrides}}}}}",
    )


def test_a_person_in_two_meetings_at_once_is_refused_at_the_meeting_the_unit_moved(
    tmp_path: Path,
) -> None:
    setup = packaged_copy(tmp_path)
    # Omar Said is Norberg's and Skinnskatteberg's kommunpolis; Norberg's EST meeting is at 15:00.
    text = skinnskatteberg_with(setup, "est-mote: {steps: {mote: {meeting: {starts: P4DT6H}}}}")
    problem = only_problem(setup)
    assert problem.file == str(setup / ORGANISATION)
    assert problem.path == f"{SKINNSKATTEBERG_PATH}.overrides.est-mote.steps.mote.meeting"
    assert problem.line == line_of(text, "id: skinnskatteberg") + 2  # the override's line
    assert problem.message == (
        "mötet EST-möte i Skinnskattebergs kommun (fre 15 jan 2027 kl. 15.00–16.30) krockar med "
        "mötet EST-möte i Norbergs kommun (fre 15 jan 2027 kl. 15.00–16.30): Omar Said är kallad "
        "till båda; flytta det ena mötet (meeting.starts, för en enhet under overrides i "
        "organisationsfilen) eller ändra vilka som kallas"
    )


def test_a_room_booked_twice_is_refused_naming_the_room(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    # Fagersta's EST meeting is at the same hour (Friday 13:00); nobody sits in both.
    skinnskatteberg_with(
        setup, "est-mote: {steps: {mote: {meeting: {location: Stadshuset Fagersta}}}}"
    )
    problem = only_problem(setup)
    assert problem.path == f"{SKINNSKATTEBERG_PATH}.overrides.est-mote.steps.mote.meeting"
    assert "mötet EST-möte i Skinnskattebergs kommun (fre 15 jan 2027 kl. 13.00–14.30)" in (
        problem.message
    )
    assert "mötet EST-möte i Fagersta kommun (fre 15 jan 2027 kl. 13.00–14.30)" in problem.message
    assert ": båda hålls i Stadshuset Fagersta;" in problem.message


def test_the_template_is_blamed_when_no_unit_moved_either_meeting(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    # Without its own day, Fagersta's steering group meets when Surahammar's does (the template):
    # the LPO chief is invited to both, and the two units share nothing else.
    replace_in(
        setup / ORGANISATION,
        "website: https://www.fagersta.example.se,\n"
        "         overrides: {inriktningsbeslut: {steps: {beslut: {meeting: {starts: P17DT6H}}}}}}",
        "website: https://www.fagersta.example.se}",
    )
    text = (setup / "inriktningsbeslut.yaml").read_text(encoding="utf-8")
    problem = only_problem(setup)
    assert problem.file == str(setup / "inriktningsbeslut.yaml")
    assert problem.path == "steps[1].meeting"
    assert problem.line == line_of(text, "meeting:")
    assert "Inriktningsbeslut i Surahammars kommun (mån 15 mars 2027 kl. 15.00–17.00)" in (
        problem.message
    )
    assert "Inriktningsbeslut i Fagersta kommun (mån 15 mars 2027 kl. 15.00–17.00)" in (
        problem.message
    )
    assert ": Peter Nord är kallad till båda;" in problem.message


def test_a_unit_that_switched_the_cycle_off_books_nobody(tmp_path: Path) -> None:
    setup = packaged_copy(tmp_path)
    skinnskatteberg_with(
        setup, "est-mote: {enabled: false, steps: {mote: {meeting: {starts: P4DT6H}}}}"
    )
    running = {u.id for d, u in loads(setup).effective() if d.name == "est-mote"}
    assert running == {"sala", "fagersta", "norberg", "surahammar"}


def steering_days() -> dict[str, dict[str, date]]:
    """Per quarter of 2027, the day each steering group meets, as the check lays them out."""
    bundle = packaged()
    placed = {s.definition.name: Placed(s.document, s.document, {}) for s in bundle.definitions}
    pairs = [(d, u) for d, u in bundle.effective() if d.name == "inriktningsbeslut"]
    days: dict[str, dict[str, date]] = defaultdict(dict)
    for series in meeting_series(pairs, bundle.directory, placed):
        for start, _ in layout_2027(series):
            local = start.astimezone(STOCKHOLM)
            days[f"{local.year}-{local.month:02d}"][series.unit.id] = local.date()
    return days


def layout_2027(series: Series) -> tuple[tuple[datetime, datetime], ...]:
    return _layout(series, datetime(2027, 1, 1), datetime(2028, 1, 1))


def test_the_packaged_steering_groups_meet_on_five_different_days_every_quarter() -> None:
    days = steering_days()
    assert sorted(days) == ["2027-03", "2027-06", "2027-09", "2027-12"]
    for month, by_unit in days.items():
        assert len(by_unit) == 5 and len(set(by_unit.values())) == 5, (month, by_unit)
        assert all(d.day <= 23 for d in by_unit.values()), by_unit  # before Midsummer, Christmas
    march = {unit: f"{d:%a %d}" for unit, d in days["2027-03"].items()}
    assert march == {
        "sala": "Tue 09",
        "norberg": "Fri 12",
        "surahammar": "Mon 15",
        "fagersta": "Thu 18",
        "skinnskatteberg": "Mon 22",  # Sunday the 21st moves to Monday
    }
