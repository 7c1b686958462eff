"""Places on their coordinates, drawn without a map: an SVG plot a page shows without
JavaScript and without tiles, and the printed report uses. The unit's bounding box is
projected equirectangularly (longitude and latitude linear); each place is a circle sized by
its number of observations (a place without any is a small ring), and the places reported
most carry their name. Everything the plot shows is also in text (each circle's `<title>`, and
the table beside it), so the plot itself is a picture of that table.

`place_counts` joins a unit's register with the observations of a period; `place_plot` lays
them out; `plot_svg` writes the SVG (`templates/_place_plot.svg.j2`, no script, no style
attribute: it fits the pages' CSP and a standalone report alike)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from lofte.definitions.organisation import PlaceSpec

TEMPLATES = Path(__file__).with_name("templates")
WIDTH = 640  # px: the width the plot's height is proportioned to
MIN_HEIGHT, MAX_HEIGHT = 220, 420  # px
MARGIN = 28  # px above and below; 6 % left and right
LABELLED = 5  # the places reported most carry their name on the plot
LABEL_WRAP = 14  # characters on a line of a label (with its circle, within half of 288 px at 13 px)
TEXT = 13  # px
SMALLEST, LARGEST = 5.0, 16.0  # px: the radius of the least and the most reported place


@dataclass(frozen=True)
class PlaceCount:
    """A place of a register with its observations in a period (per category too)."""

    unit_id: str
    unit_name: str
    place: PlaceSpec
    count: int
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlotPoint:
    name: str
    area: str
    unit_name: str
    count: int
    x: float  # % of the plot's width
    y: float  # px from the top
    r: float  # px
    label: tuple[str, ...] = ()  # lines of the name shown beside it (empty: none)
    anchor: str = "start"  # where the label stands: after the circle, or before it ("end")


@dataclass(frozen=True)
class PlacePlot:
    height: int
    points: tuple[PlotPoint, ...]  # the most reported last, so it is drawn on top
    unplaced: int  # observations at places without coordinates ("annan plats")


def place_counts(
    registers: Sequence[tuple[str, str, Sequence[PlaceSpec]]],
    observations: Sequence[dict[str, Any]],
    categories: Collection[str] | None = None,
) -> tuple[list[PlaceCount], int]:
    """(every place of the registers [(unit id, unit name, places)] with its observations of
    `categories` (None: all), the number of those observations at no place of a register)."""
    counted: dict[tuple[str, str], Counter[str]] = {}
    unplaced = 0
    for o in observations:
        if categories is not None and o["category"] not in categories:
            continue
        if not o.get("place_id"):
            unplaced += 1
            continue
        counted.setdefault((o.get("unit") or "", o["place_id"]), Counter())[o["category"]] += 1
    found = []
    for unit_id, unit_name, places in registers:
        for place in places:
            by_category = counted.get((unit_id, place.id), Counter())
            found.append(
                PlaceCount(unit_id, unit_name, place, sum(by_category.values()), dict(by_category))
            )
    found.sort(key=lambda p: (-p.count, p.unit_name, p.place.name))
    return found, unplaced


def place_plot(places: Sequence[PlaceCount], unplaced: int = 0) -> PlacePlot:
    """The places laid out on the bounding box of their coordinates."""
    if not places:
        return PlacePlot(MIN_HEIGHT, (), unplaced)
    south, north = min(p.place.lat for p in places), max(p.place.lat for p in places)
    west, east = min(p.place.lon for p in places), max(p.place.lon for p in places)
    across = (east - west) * math.cos(math.radians((north + south) / 2))
    tall = north - south
    height = round(min(MAX_HEIGHT, max(MIN_HEIGHT, WIDTH * tall / across if across else 0)))
    most = max(p.count for p in places)
    ranked = sorted(places, key=lambda p: (-p.count, p.place.name))
    named = {id(p) for p in ranked[:LABELLED] if p.count}
    box = (west, east, south, north)
    points = [
        _point(p, box, height, most, id(p) in named)
        for p in sorted(places, key=lambda p: (p.count, p.place.name))
    ]
    return PlacePlot(height, tuple(points), unplaced)


def _point(
    p: PlaceCount, box: tuple[float, float, float, float], height: int, most: int, named: bool
) -> PlotPoint:
    west, east, south, north = box
    x = 50.0 if east == west else 6 + 88 * (p.place.lon - west) / (east - west)
    inner = height - 2 * MARGIN
    y = height / 2 if north == south else MARGIN + inner * (north - p.place.lat) / (north - south)
    r = SMALLEST + (LARGEST - SMALLEST) * math.sqrt(p.count / most) if p.count else 3.0
    return PlotPoint(
        p.place.name,
        p.place.area,
        p.unit_name,
        p.count,
        round(x, 2),
        round(y, 1),
        round(r, 1),
        _lines(f"{p.place.name} ({p.count})") if named else (),
        "end" if x > 50 else "start",
    )


def _lines(text: str) -> tuple[str, ...]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_WRAP:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return tuple(lines)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "j2")),
    )


def plot_svg(
    plot: PlacePlot, title: str, description: str, ident: str = "platser", language: str = "sv"
) -> Markup:
    """The plot as an `<svg role="img">` with `title` and `description` (ids `ident-titel`,
    `ident-beskrivning`), ready to put in a page or a report."""
    template = _environment().get_template("_place_plot.svg.j2")
    return Markup(  # autoescaped template output
        template.render(
            plot=plot,
            title=title,
            description=description,
            ident=ident,
            en=language == "en",
            text=TEXT,
            line=TEXT + 4,
        )
    )
