"""Yearly indicators for people: the figures `lofte import indicators` brought in (reported
crimes per category from Brå's or the police's statistics, a trygghetsmätning's results),
each with its source, beside the EST picture. `indicators_for` is what the yearly report and
pages call; a step's context carries the same lines (`workflow.core.imported`)."""

from __future__ import annotations

from typing import Any

from lofte.workflow.application.app import Application
from lofte.workflow.application.visibility import Viewer, require_unit
from lofte.workflow.core import imported


def indicators_for(
    app: Application, unit_id: str, year: int, *, viewer: Viewer | None = None
) -> list[dict[str, Any]]:
    """The unit's indicators of `year` (latest version of each), by name and source, each
    with `previous`, the value of the year before (None when not imported): keys `year`,
    `name`, `source`, `value`, `measure`, `previous`, `version`."""
    unit = app.require_unit(unit_id)
    if viewer is not None:
        require_unit(viewer, unit)
    return app.engine.inspect(lambda work: imported.indicators_for(work, unit.id, [year]))


def figure(value: float | None, lang: str = "sv") -> str:
    """`1 234`, `12,5` (Swedish: a space between thousands, a decimal comma); `–` for none."""
    if value is None:
        return "–"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    if lang == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def indicator_line(entry: dict[str, Any], lang: str = "sv") -> str:
    """`2026 Anmälda skadegörelsebrott: 412 antal (2025: 380; Brå)`."""
    measure = f" {entry['measure']}" if entry.get("measure") else ""
    before = entry.get("previous")
    earlier = f"{entry['year'] - 1}: {figure(before, lang)}; " if before is not None else ""
    return (
        f"{entry['year']} {entry['name']}: {figure(entry['value'], lang)}{measure} "
        f"({earlier}{entry['source']})"
    )
