"""One time axis: an observation belongs to the period its own time falls in, whichever
inventory reported it, in the lägesbild (page data, CSV, what a meeting sees), the answers
export, the yearly report and its chart; an inventory cannot report what lies far from its
period; CSV gives dates and times as ISO 8601 that Swedish Excel sorts."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from lofte.kernel.errors import SubmissionError
from lofte.workflow.application.actions_view import actions_csv, list_actions
from lofte.workflow.application.exports import export_answers
from lofte.workflow.application.lagesbild_view import lagesbild, observations_csv
from lofte.workflow.application.visibility import viewer_for
from lofte.workflow.application.yearly_report import render_report, report_data
from tests.harness import Harness, utc
from tests.workflow.test_chain import _monday, app_of, report, row


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def two_weeks_reported(h: Harness) -> None:
    """Saturday 16 Jan is reported in week 3's inventory, Saturday 23 Jan in week 4's."""
    h.run_until(utc(2027, 1, 18, 9))
    report(h, "sala", "2027-W03", [row("Torget", "2027-01-16T23:00")])
    h.run_until(utc(2027, 1, 25, 9))
    report(h, "sala", "2027-W04", [row("Stationen", "2027-01-23T22:30")])


def test_a_week_holds_the_observations_made_in_it_whichever_report_brought_them(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    two_weeks_reported(h)
    app = app_of(h)
    viewer = viewer_for(app.directory(), None)
    week = lagesbild(app, viewer, "sala", date(2027, 1, 18), date(2027, 1, 24))
    assert {o["place"] for o in week["observations"]} == {
        "Sala resecentrum"
    }  # "Stationen" is one of its names
    assert week["total"] == 5 and week["previous_total"] == 5  # five reporters, one row each
    assert week["by_week"] == [{"week": "2027-W03", "count": 5}]
    assert week["reports"] == 5  # week 3's reports (they told of the week before)
    listed = rows_of(observations_csv(week))
    assert {r["Plats"] for r in listed} == {"Sala resecentrum"}
    assert {r["Tidpunkt"] for r in listed} == {"2027-01-23 22:30"}


def test_an_export_for_dates_holds_the_observations_made_then(memory_harness: Harness) -> None:
    h = memory_harness
    two_weeks_reported(h)
    app = app_of(h)
    viewer = viewer_for(app.directory(), None)
    text = export_answers(
        app, viewer, "sala", "est-inventering", date(2027, 1, 18), date(2027, 1, 24)
    )
    observations = [r for r in rows_of(text) if r.get("Lista") == "Iakttagelser"]
    assert {r["Plats"] for r in observations} == {"Stationen"} and len(observations) == 5
    assert {(r["Datum"], r["Klockslag"]) for r in observations} == {("2027-01-23", "22:30")}


def test_a_year_holds_only_that_year(memory_harness: Harness) -> None:
    """New Year's Eve 2026, reported in the first inventory of 2027, was counted as December
    2027."""
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    report(h, "sala", "2027-W01", [row("Torget", "2026-12-31T23:30")])
    h.run_until(utc(2027, 1, 11, 9))
    report(h, "sala", "2027-W02", [row("Stationen", "2027-01-09T12:00")])
    app = app_of(h)
    viewer = viewer_for(app.directory(), None)
    year = report_data(app, viewer, "sala", 2027)
    assert year["lagesbild"]["total"] == 5
    assert {o["place"] for o in year["lagesbild"]["observations"]} == {"Sala resecentrum"}
    assert [m["count"] for m in year["trend"]] == [5] + [0] * 11
    last_year = report_data(app, viewer, "sala", 2026)
    assert [m["count"] for m in last_year["trend"]][-1] == 5


def test_an_inventory_does_not_take_what_lies_far_from_its_period(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    cycle = h.cycle("est-inventering", "sala", "2027-W01")
    request = h.request(cycle, "rapportering", "lars-berg")
    far = {"iakttagelser": [row("Torget", "2027-01-06T20:00"), row("Torget", "2027-06-01T20:00")]}
    with pytest.raises(SubmissionError) as refused:
        h.engine.submit(request.id or 0, "lars-berg", far)
    (problem,) = refused.value.problems
    assert problem.path == "iakttagelser[1].datum"
    assert "mellan 4 okt 2026 och 25 jan 2027" in problem.text()
    assert "between 4 Oct 2026 and 25 Jan 2027" in problem.text("en")
    assert h.request(cycle, "rapportering", "lars-berg").answer is None  # nothing stored


def test_csv_dates_and_times_sort_in_excel_and_a_follow_up_is_not_lost(
    memory_harness: Harness,
) -> None:
    """The action register's CSV and the yearly report left out an action's (first)
    follow-up, and gave dates in words ("15 feb 2027")."""
    h = memory_harness
    h.run_until(utc(2027, 1, 15, 15))
    meeting = h.cycle("est-mote", "surahammar", "2027-W02")
    decided = {
        "gemensam_lagesbild": "Klotter vid stationen.",
        "insatser": [
            {
                "insats": "Sanera tunneln",
                "plats": "Stationen",
                "ansvarig": "mikael-hed",
                "klart_senast": "2027-02-15",
            }
        ],
    }
    h.answer(meeting, "mote", "anna-sundin", decided)
    h.run_until(_monday("2027-W04") + timedelta(hours=2))
    later = h.cycle("est-mote", "surahammar", "2027-W04")
    follow = h.request(later, "uppfoljning_insatser", "mikael-hed")
    h.engine.submit(follow.id or 0, "mikael-hed", {"status": "pagar", "effekt": "Mindre klotter"})
    app = app_of(h)
    viewer = viewer_for(app.directory(), None)
    (line,) = rows_of(actions_csv(list_actions(app, viewer, "surahammar")))
    assert line["Klart senast"] == "2027-02-15"
    assert line["Senaste uppföljning"] == "2027-01-25 12:00"
    assert line["Effekt"] == "Mindre klotter"
    html = render_report(report_data(app, viewer, "surahammar", 2027))
    assert "pågår – Mindre klotter" in html


def test_each_compilation_sees_what_happened_since_the_last_one_the_weekend_included(
    memory_harness: Harness,
) -> None:
    """What a compilation shows is read by the observations' own time, from where the week
    before's compilation ended: Saturday's graffiti, reported on Monday, is in the next week's
    compilation, and nothing is in two."""
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    report(h, "sala", "2027-W01", [row("Torget", "2027-01-03T20:00")])
    h.run_until(utc(2027, 1, 11, 9))
    report(h, "sala", "2027-W02", [row("Stationen", "2027-01-09T23:00")])  # last Saturday
    h.run_until(utc(2027, 1, 18, 9))
    report(h, "sala", "2027-W03", [row("Parken", "2027-01-17T01:00")])

    def compiled(week: str) -> list[str]:
        cycle = h.cycle("est-inventering", "sala", week)
        with h.store.unit_of_work() as uow:
            context = uow.contexts.get(cycle.id or 0, "sammanstallning")
        assert context is not None
        [part] = context["items"][0]["parts"]
        return sorted({o["place"] for o in part["observations"]})

    assert compiled("2027-W01") == ["Stora torget"]
    assert compiled("2027-W02") == ["Sala resecentrum"]
    assert compiled("2027-W03") == ["Stadsparken"]
