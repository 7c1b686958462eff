"""The lägesbild page's data on the harness (four simulated weeks of the packaged police area):
a police area's picture is its municipalities' together and each municipality's own beside
it, with how its EST inventories went; the 12-week trend counts the observations of each
ISO week; the place plot puts every place of the register on its coordinates, sized by its
observations; and the police area's action register lists its municipalities' actions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from lofte.workflow.application.actions_view import list_actions
from lofte.workflow.application.app import Application
from lofte.workflow.application.lagesbild_page import page_parts
from lofte.workflow.application.lagesbild_view import lagesbild, observations_csv
from lofte.workflow.application.place_plot import place_counts, place_plot, plot_svg
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import packaged
from tests.harness import MEMORY, Harness, make_harness, utc

AREA = "lpo-norra-vastmanland"
START, END = date(2027, 1, 4), date(2027, 1, 31)


@pytest.fixture(scope="module")
def simulated() -> Iterator[tuple[Harness, Application]]:
    h = make_harness(MEMORY, utc(2027, 1, 1), packaged())
    app = h.app()
    Simulation(app, h.clock, response_rate=0.85, seed=7).run_until(utc(2027, 2, 2, 12))
    yield h, app
    h.close()


def test_the_police_areas_picture_is_its_municipalities_together(
    simulated: tuple[Harness, Application],
) -> None:
    _, app = simulated
    operator = app.viewer(None)
    area = lagesbild(app, operator, AREA, START, END)
    alone = {
        m: lagesbild(app, operator, m, START, END)
        for m in ("sala", "fagersta", "norberg", "skinnskatteberg", "surahammar")
    }
    assert area["total"] > 0
    assert area["total"] == sum(d["total"] for d in alone.values())
    assert area["previous_total"] == sum(d["previous_total"] for d in alone.values())
    assert area["reports"] == sum(d["reports"] for d in alone.values())
    sides = {m["unit_id"]: m for m in area["municipalities"]}
    assert set(sides) == set(alone)
    for unit_id, data in alone.items():
        assert sides[unit_id]["total"] == data["total"]
        assert sides[unit_id]["previous_total"] == data["previous_total"]
    klotter = [
        sum(c["count"] for c in d["by_category"] if c["value"] == "klotter") for d in alone.values()
    ]
    assert next(c["count"] for c in area["by_category"] if c["value"] == "klotter") == sum(klotter)
    # Two municipalities' "Centrum" stay two areas in the police area's picture.
    areas = [(a["unit"], a["name"]) for a in area["by_area"]]
    assert len(areas) == len(set(areas)) and len({u for u, _ in areas}) == 5
    assert observations_csv(area).splitlines()[0].startswith("\ufeffKommun;Tidpunkt")
    assert alone["sala"]["municipalities"] == []


def test_each_municipality_shows_how_its_inventories_went(
    simulated: tuple[Harness, Application],
) -> None:
    h, app = simulated
    area = lagesbild(app, app.viewer(None), AREA, START, END)
    sala = next(m for m in area["municipalities"] if m["unit_id"] == "sala")
    weeks = [
        c for c in h.cycles("est-inventering", "sala") if "2027-W01" <= c.period_key <= "2027-W04"
    ]
    assert sala["cycles_ran"] == len(weeks) == 4
    done = [c for c in weeks if c.outcome in ("completed_on_time", "completed_late")]
    assert sala["cycles_completed"] == len(done)
    answered = [r for c in weeks for r in h.requests(c, "rapportering") if r.status == "answered"]
    assert sala["answered"] == len(answered) > 0
    assert 0 < sala["answered"] <= sala["asked"]
    parts = page_parts(area, None)
    row = next(m for m in parts.municipalities if m["unit_id"] == "sala")
    assert row["answer_rate"] == round(100 * sala["answered"] / sala["asked"])
    counts = lagesbild(app, app.viewer(None), "sala", START, END)["by_category"]
    assert row["top_count"] == max(c["count"] for c in counts)
    assert row["top_category"]["value"] in {
        c["value"] for c in counts if c["count"] == row["top_count"]
    }


def test_the_trend_counts_twelve_iso_weeks_ending_with_the_period(
    simulated: tuple[Harness, Application],
) -> None:
    _, app = simulated
    data = lagesbild(app, app.viewer(None), "sala", START, END)
    weeks = data["trend"]["weeks"]
    assert len(weeks) == 12 and weeks[-1] == "2027-W04" and weeks[0] == "2026-W46"
    by_week = {w["week"]: w["count"] for w in data["by_week"]}
    for index, week in enumerate(weeks):
        if week >= "2027-W01":  # inside the period: the same observations as by_week
            total = sum(c["counts"][index] for c in data["trend"]["by_category"])
            assert total == by_week.get(week, 0), week
    trend = page_parts(data, None).trend
    assert trend and all(len(row["points"].split()) == 12 for row in trend)
    inside = [i for i, week in enumerate(weeks) if week >= "2027-W01"]  # 4 Jan to 31 Jan
    assert sum(row["counts"][i] for row in trend for i in inside) == data["total"]
    assert sum(row["total"] for row in trend) >= data["total"]


def test_the_plot_puts_every_place_on_its_coordinates_sized_by_its_observations(
    simulated: tuple[Harness, Application],
) -> None:
    _, app = simulated
    data = lagesbild(app, app.viewer(None), "sala", START, END)
    places, unplaced = place_counts(data["registers"], data["observations"])
    assert len(places) == 15 and sum(p.count for p in places) + unplaced == data["total"]
    plot = place_plot(places, unplaced)
    assert len(plot.points) == 15
    north = max(places, key=lambda p: p.place.lat)
    west = min(places, key=lambda p: p.place.lon)
    assert min(p.y for p in plot.points) == next(
        p.y for p in plot.points if p.name == north.place.name
    )
    assert next(p.x for p in plot.points if p.name == west.place.name) == 6.0
    counted = sorted((p for p in plot.points if p.count), key=lambda p: p.count)
    assert counted[-1].r > counted[0].r or counted[-1].count == counted[0].count
    labelled = [p for p in plot.points if p.label]
    assert len(labelled) == min(5, len(counted))
    assert min(p.count for p in labelled) >= max([p.count for p in counted if not p.label] + [0])
    svg = str(plot_svg(plot, "Platser <1>", "Beskrivning", "x"))
    assert svg.startswith('<svg class="chart place-plot" role="img"')
    assert svg.count("<circle") == 15 and "Platser &lt;1&gt;" in svg
    top = places[0]
    assert f"{top.place.name} ({top.place.area}), Sala kommun: {top.count} iakttagelser" in svg
    assert "style=" not in svg and "<script" not in svg


def test_the_category_filter_counts_only_the_chosen_categories(
    simulated: tuple[Harness, Application],
) -> None:
    _, app = simulated
    data = lagesbild(app, app.viewer(None), "sala", START, END)
    chosen = data["by_category"][0]["value"]
    places, unplaced = place_counts(data["registers"], data["observations"], [chosen])
    wanted = next(c["count"] for c in data["by_category"] if c["value"] == chosen)
    assert sum(p.count for p in places) + unplaced == wanted
    assert all(set(p.by_category) <= {chosen} for p in places)
    parts = page_parts(data, [chosen])
    total = sum(row["count"] for row in parts.table_rows)
    assert total == data["total"]  # the table keeps every category
    assert sum(sum(row["by_category"].values()) for row in parts.table_rows) == data["total"]


def test_the_police_areas_action_register_lists_its_municipalities_actions(
    simulated: tuple[Harness, Application],
) -> None:
    h, app = simulated
    lines = list_actions(app, app.viewer(None), AREA)
    municipal = [a for a in h.actions() if a.unit_id != AREA]
    assert municipal and {line.action.id for line in lines} >= {a.id for a in municipal}
    names = {line.unit_name for line in lines}
    assert "Sala kommun" in names
    sala = list_actions(app, app.viewer(None), "sala")
    assert {line.action.unit_id for line in sala} == {"sala"}
    assert not re.search("lpo", " ".join(line.unit_name for line in sala))
