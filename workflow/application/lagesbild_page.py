"""What the lägesbild page shows beyond the compiled counts: the places on the SVG plot and on
the map (grouped per place, counted per category, filtered by category), the category × place
table, the 12-week trend per category with a sparkline, and for a police area its
municipalities side by side. Every number is a number of observations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from lofte.workflow.application.lagesbild_view import change
from lofte.workflow.application.place_plot import PlaceCount, place_counts, place_plot, plot_svg
from lofte.workflow.core.lagesbild import place_key

SPARK_WIDTH, SPARK_HEIGHT = 96, 20  # px


@dataclass(frozen=True)
class PageParts:
    plot: Markup  # the SVG
    unplaced: int  # observations (of the chosen categories) at no place of the register
    places: list[PlaceCount]  # every place of the register(s), most reported first
    map_places: list[dict[str, Any]]  # what the map script draws (places with coordinates)
    table_columns: list[dict[str, Any]]  # categories with observations, in the field's order
    table_rows: list[dict[str, Any]]  # places with observations: unit, name, area, counts
    trend: list[dict[str, Any]]  # per category: counts per week, total, sparkline points
    weeks: list[str]  # the trend's weeks, as "v. 5"
    municipalities: list[dict[str, Any]]  # a police area's municipalities side by side


def page_parts(
    data: dict[str, Any], chosen: Collection[str] | None, language: str = "sv"
) -> PageParts:
    """The page's parts from `lagesbild_view.lagesbild`'s data; `chosen`: the categories the
    plot and the map show (None: all)."""
    en = language == "en"
    places, unplaced = place_counts(data["registers"], data["observations"], chosen)
    title = "Places on their coordinates" if en else "Platserna på sina koordinater"
    description = (
        "Each circle is a place, sized by its number of observations; a ring had none. "
        "The table of categories per place has the same numbers."
        if en
        else "Varje cirkel är en plats, större ju fler iakttagelser; en ring hade inga. "
        "Tabellen med kategorier per plats har samma siffror."
    )
    return PageParts(
        plot=plot_svg(place_plot(places, unplaced), title, description, "platser", language),
        unplaced=unplaced,
        places=places,
        map_places=[_on_map(p) for p in places],
        table_columns=[c for c in data["by_category"] if c["count"]],
        table_rows=_table_rows(data),
        trend=[_trend_row(row) for row in data["trend"]["by_category"] if sum(row["counts"])],
        weeks=[f"v.\u00a0{int(w[-2:])}" for w in data["trend"]["weeks"]],
        municipalities=[_side(m) for m in data.get("municipalities", ())],
    )


def _on_map(p: PlaceCount) -> dict[str, Any]:
    return {
        "name": p.place.name,
        "area": p.place.area,
        "unit": p.unit_name,
        "lat": p.place.lat,
        "lon": p.place.lon,
        "count": p.count,
        "by_category": p.by_category,
    }


def _table_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Places with observations in the period (most first), counted per category."""
    names = {unit_id: name for unit_id, name, _ in data["registers"]}
    per: dict[tuple[str, str, str], Counter[str]] = {}
    for o in data["observations"]:
        per.setdefault(place_key(o), Counter())[o["category"]] += 1
    return [
        {
            "unit": names.get(row["unit"], row["unit"]),
            "place": row["place"] or "(plats saknas)",
            "area": row["area"],
            "other": not row["place_id"],
            "count": row["count"],
            "by_category": per.get((row["unit"], row["place_id"], _text_key(row)), Counter()),
        }
        for row in data["by_place"]
        if row["count"]
    ]


def _text_key(row: dict[str, Any]) -> str:
    return "" if row["place_id"] else place_key({"place": row["place"]})[2]


def _trend_row(row: dict[str, Any]) -> dict[str, Any]:
    counts: Sequence[int] = row["counts"]
    top = max(counts) or 1
    step = SPARK_WIDTH / max(len(counts) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * n / top:.1f}"
        for i, n in enumerate(counts)
    )
    return row | {"total": sum(counts), "points": points}


def _side(m: dict[str, Any]) -> dict[str, Any]:
    asked = m["asked"]
    return m | {
        "change": change(m["total"], m["previous_total"]),
        "answer_rate": round(100 * m["answered"] / asked) if asked else None,
    }
