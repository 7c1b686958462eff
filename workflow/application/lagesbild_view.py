"""The lägesbild of a unit for any period, for people: compiled by the core from the unit's
EST inventories (counts per category, area, place, week, weekday and hour band, the change
against the previous period of the same length, the 12-week trend per category, and every
observation in full). A police area's picture is its municipalities' together, with each
municipality's own numbers beside the others (`workflow.core.area_picture`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from lofte.kernel.errors import ConfigError
from lofte.kernel.timerules import STOCKHOLM, to_utc
from lofte.kernel.words import WEEKDAY_NAMES, plain_date
from lofte.workflow.application.app import Application
from lofte.workflow.application.csv_export import to_csv
from lofte.workflow.application.visibility import Viewer, can_see_unit, require_unit
from lofte.workflow.core.area_picture import picture_for, units_of
from lofte.workflow.core.observations import PART_WORDS, current, moment_of
from lofte.workflow.core.places import register_of
from lofte.workflow.core.work import Work

MAX_DAYS = 3700


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Stockholm time, as instants."""
    if end < start:
        raise ConfigError(f"perioden slutar ({end}) före den börjar ({start})")
    if (end - start).days > MAX_DAYS:
        raise ConfigError(f"högst {MAX_DAYS} dagar i en lägesbild")
    return (
        to_utc(datetime.combine(start, datetime.min.time()), STOCKHOLM),
        to_utc(datetime.combine(end + timedelta(days=1), datetime.min.time()), STOCKHOLM),
    )


def lagesbild(
    app: Application, viewer: Viewer, unit_id: str, start: date, end: date
) -> dict[str, Any]:
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    first, last = period_bounds(start, end)
    # A police area's picture holds the municipalities its reader may see (one with a role in
    # one municipality sees the police area, but not the other municipalities' observations).
    every = units_of(viewer.directory, unit)
    members = [u for u in every if can_see_unit(viewer, u)]

    def read(work: Work) -> dict[str, Any]:
        registers = [
            (u.id, u.name, register_of(work, u).places) for u in members if u.kind == "municipality"
        ]
        return picture_for(work, unit, members, first, last) | {"registers": registers}

    data = app.engine.inspect(read)
    left_out = [u.name for u in every if u not in members]
    return data | {
        "unit_name": unit.name,
        "unit_id": unit.id,
        "unit_kind": unit.kind,
        "left_out": left_out,
    }


HANDLING_WORDS = {"atgardat": "Åtgärdat direkt", "felanmalt": "Felanmält", "ingen": "Ingen åtgärd"}


def observations_csv(data: dict[str, Any]) -> str:
    """One row per observation (the rows behind every count). `Tidpunkt` sorts in Excel: the
    date, with the time when it is known."""
    names = {unit_id: name for unit_id, name, _ in data.get("registers", ())}
    combined = data.get("unit_kind") == "police_area"
    rows = []
    for shown in data["observations"]:
        o = current(shown)
        first = [names.get(str(o.get("unit")), str(o.get("unit") or ""))] if combined else []
        local = moment_of(o)
        moment = f"{o['date']} {o['clock']}".strip() if o.get("date") else ""
        rows.append(
            [
                *first,
                moment,
                PART_WORDS.get(str(o.get("part_of_day")), ("", ""))[0],
                f"{local.isocalendar()[1]}" if local else "",
                WEEKDAY_NAMES["sv"][local.weekday()] if local else "",
                o["category_label"],
                o["area"],
                o["place"],
                o.get("quantity") or 1,
                HANDLING_WORDS.get(str(o.get("handling")), ""),
                o.get("reported_to") or "",
                "" if o["assessment"] is None else o["assessment"],
                o["text"],
            ]
        )
    return to_csv(
        [
            *(["Kommun"] if combined else []),
            "Tidpunkt",
            "Del av dygnet",
            "Vecka",
            "Veckodag",
            "Kategori",
            "Område",
            "Plats",
            "Antal",
            "Åtgärd",
            "Felanmält till",
            "Bedömning",
            "Beskrivning",
        ],
        rows,
    )


def change(now: int, before: int) -> str:
    """`+3`, `−2`, `±0` (Swedish typography uses a real minus sign)."""
    diff = now - before
    return f"+{diff}" if diff > 0 else (f"\u2212{-diff}" if diff < 0 else "±0")


def headline(data: dict[str, Any]) -> str:
    first = datetime.fromisoformat(data["from"]).astimezone(STOCKHOLM).date()
    last = (datetime.fromisoformat(data["to"]) - timedelta(seconds=1)).astimezone(STOCKHOLM).date()
    return (
        f"Lägesbild {data['unit_name']} {plain_date(first)} – {plain_date(last)}: "
        f"{data['total']} iakttagelser "
        f"({change(data['total'], data['previous_total'])} mot perioden före), "
        f"{data['reports']} rapporter varav {data['nothing_to_report']} utan iakttagelser"
    )
