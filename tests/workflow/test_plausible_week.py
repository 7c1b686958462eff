"""The packaged example runs a plausible week: the EST meeting comes after the week's compilation
and shows the compilations made since the last meeting, each once; the meetings the engine books
over a quarter are the ones the setup check lays out, and nobody is in two of them at once."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from itertools import pairwise

from lofte.definitions.checks.meeting_clashes import Placed, _layout, meeting_series
from lofte.workflow.core.records import Meeting
from tests.conftest import packaged
from tests.harness import MEMORY, Harness, make_harness, utc

MONDAYS = {"2027-W01": 4, "2027-W02": 11, "2027-W03": 18, "2027-W04": 25}


def compile_weeks(h: Harness, unit: str, coordinator: str) -> None:
    """Each week of January: everyone reports, the coordinator compiles the week's picture
    on Friday morning, and the engine runs until that Friday's EST meetings have begun."""
    for week, monday in MONDAYS.items():
        h.run_until(utc(2027, 1, monday, 9))
        inventory = h.cycle("est-inventering", unit, week)
        for request in h.requests(inventory, "rapportering"):
            h.engine.submit(request.id or 0, request.person_id, {"inget_att_rapportera": True})
        h.run_until(utc(2027, 1, monday + 4, 9))  # Friday 10:00, the compilation's day
        h.answer(inventory, "sammanstallning", coordinator, {"veckans_bild": f"Bilden {week}"})
        h.run_until(utc(2027, 1, monday + 4, 15))  # Friday 16:00: every meeting has begun


def test_the_est_meeting_shows_each_compilation_made_before_it_once(harness: Harness) -> None:
    h = harness
    compile_weeks(h, "norberg", "jonas-ek")
    for week, shown in (
        ("2027-W02", ["2027-W01", "2027-W02"]),
        ("2027-W04", ["2027-W03", "2027-W04"]),
    ):
        meeting = h.cycle("est-mote", "norberg", week)
        with h.store.unit_of_work() as uow:
            booked = uow.meetings.get(meeting.id or 0, "mote")
            context = uow.contexts.get(meeting.id or 0, "mote")
        assert booked is not None and context is not None
        [compilations] = [i for i in context["items"] if "sammanställningar" in i["label"]["sv"]]
        seen = {e["cycle"]["sv"]: e["fields"] for e in compilations["entries"]}
        assert sorted(seen) == [f"EST-inventering v. {int(w[-2:])} 2027" for w in shown]
        assert all(
            f"Bilden {w}" in str(seen[f"EST-inventering v. {int(w[-2:])} 2027"]) for w in shown
        )
        for label in shown:
            inventory = h.cycle("est-inventering", "norberg", label)
            [made] = h.requests(inventory, "sammanstallning")
            assert made.answered_at is not None and made.answered_at < booked.starts_at


def test_every_est_meeting_starts_after_the_compilation_of_its_week_is_due(
    harness: Harness,
) -> None:
    h = harness
    h.run_until(utc(2027, 1, 16))  # two weeks: nobody reports, every compilation step opens
    meetings = h.cycles("est-mote")
    assert {c.unit_id for c in meetings} == {
        "sala",
        "fagersta",
        "norberg",
        "skinnskatteberg",
        "surahammar",
    }
    for cycle in meetings:
        inventory = h.cycle("est-inventering", cycle.unit_id, cycle.period_key)
        [compilation] = h.requests(inventory, "sammanstallning")
        with h.store.unit_of_work() as uow:
            booked = uow.meetings.get(cycle.id or 0, "mote")
        assert booked is not None and compilation.deadline_at < booked.starts_at, cycle.key


def booked_meetings(h: Harness) -> list[Meeting]:
    found = []
    with h.store.unit_of_work() as uow:
        for cycle in h.cycles():
            definition = h.bundle.definition(cycle.definition_name)
            for step in definition.meeting_steps():
                meeting = uow.meetings.get(cycle.id or 0, step.id)
                if meeting is not None:
                    found.append(meeting)
    return found


def test_the_engine_books_the_meetings_the_check_lays_out_and_nobody_twice() -> None:
    h = make_harness(MEMORY, utc(2027, 1, 3), packaged())
    try:
        h.run_until(utc(2027, 3, 24))  # every steering group of the quarter has met
        booked = booked_meetings(h)
    finally:
        h.close()
    bundle = packaged()
    placed = {s.definition.name: Placed(s.document, s.document, {}) for s in bundle.definitions}
    laid_out = set()
    for series in meeting_series(bundle.effective(), bundle.directory, placed):
        for start, end in _layout(series, datetime(2027, 1, 3), datetime(2027, 3, 24)):
            laid_out.add((series.unit.id, series.step.id, start, end))
    assert {(m.unit_id, m.step_id, m.starts_at, m.ends_at) for m in booked} <= laid_out
    assert len([m for m in booked if m.step_id == "beslut"]) == 5 + 6  # steering groups, LOLG
    by_person: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in booked:
        for person in meeting.participants:
            by_person[person].append(meeting)
    for person, theirs in by_person.items():
        theirs.sort(key=lambda m: m.starts_at)
        for before, after in pairwise(theirs):
            assert before.ends_at <= after.starts_at, (person, before.uid, after.uid)
    peter = sorted(
        m.starts_at for m in by_person["peter-nord"] if m.unit_id != "lpo-norra-vastmanland"
    )
    assert len({m.date() for m in peter}) == 5 and peter[-1] - peter[0] < timedelta(days=14)
