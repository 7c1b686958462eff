"""Answers given under the earlier EST inventory (one mandatory date and time per observation)
stay in the picture after the setup moves to dates with parts of the day: each is read with
the definition version it was answered under and upgraded to a date, a clock time and a part of
the day, so the hour bands, the weeks and the places count old and new alike."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lofte.definitions.loader import PACKAGED_DIR, Bundle, SourceText, load_texts
from lofte.workflow.application.lagesbild_view import lagesbild, observations_csv
from lofte.workflow.application.visibility import viewer_for
from tests.conftest import packaged
from tests.harness import make_harness, utc
from tests.workflow.test_chain import app_of, report, row
from tests.workflow.test_time_axis import rows_of

BEFORE = Path(__file__).parents[1] / "data" / "est-inventering-before-places.yaml"


def setup_with_earlier_inventory() -> Bundle:
    sources = [
        SourceText(path.name, path.read_text(encoding="utf-8"), path.name == "organisation.yaml")
        for path in sorted(PACKAGED_DIR.glob("*.yaml"))
        if path.name != "est-inventering.yaml"
    ]
    sources.append(SourceText(BEFORE.name, BEFORE.read_text(encoding="utf-8"), False))
    return load_texts(sources, "test")


def earlier_row(place: str, when: str) -> dict[str, object]:
    return {
        "kategori": "skadegorelse",
        "plats": place,
        "omrade": "Centrum",
        "tidpunkt": when,
        "beskrivning": f"Klotter vid {place}.",
    }


def test_answers_of_the_earlier_shape_count_beside_new_ones(sqlite_url: str) -> None:
    h = make_harness(sqlite_url, utc(2027, 1, 1), setup_with_earlier_inventory())
    try:
        h.run_until(utc(2027, 1, 4, 9))
        report(h, "sala", "2027-W01", [earlier_row("Torget", "2027-01-02T23:15")])
        h.engine.register(packaged())  # the inventory now asks for a date and a part of the day
        h.run_until(utc(2027, 1, 11, 9))
        new = dict(row("Stortorget", "2027-01-09T00:00"), klockslag="")
        report(h, "sala", "2027-W02", [new | {"dygnsdel": "kvall"}])
        app = app_of(h)
        viewer = viewer_for(app.directory(), None)
        both = lagesbild(app, viewer, "sala", date(2027, 1, 1), date(2027, 1, 10))
    finally:
        h.close()
    reporters = 5
    assert both["total"] == 2 * reporters
    upgraded = [o for o in both["observations"] if o["date"] == "2027-01-02"]
    assert len(upgraded) == reporters
    assert {(o["v"], o["clock"], o["part_of_day"]) for o in upgraded} == {(2, "23:15", "kvall")}
    assert [b["count"] for b in both["by_hour_band"]] == [0, 0, 0, 2 * reporters]
    assert both["unknown_time"] == 0
    assert [(p["place"], p["count"]) for p in both["by_place"]] == [("Stora torget", 10)]
    listed = rows_of(observations_csv(both))
    assert {r["Tidpunkt"] for r in listed} == {"2027-01-02 23:15", "2027-01-09"}
    assert {r["Del av dygnet"] for r in listed} == {"kväll"}
