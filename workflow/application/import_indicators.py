"""`lofte import indicators`: yearly figures from outside the EST inventories (reported crimes
per category from Brå's or the police's statistics, trygghetsmätning results), one row each:
År, Indikator, Värde, Enhet, Källa (or Year, Indicator, Value, Unit, Source). Stored as the
unit's indicators with their source; a re-import of the same year, indicator and source with
another value adds a new version, with the same value changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lofte.definitions.directory import Unit
from lofte.workflow.application import import_values as read
from lofte.workflow.application.app import Application
from lofte.workflow.application.import_fields import (
    ColumnMapping,
    Columns,
    Requirement,
    header_key,
    match_columns,
)
from lofte.workflow.application.import_observations import ImportRowsError, require_importer
from lofte.workflow.application.import_table import read_table
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.imported import Figure, IndicatorOutcome, store_indicators

FIRST_YEAR, LAST_YEAR = 1975, 2100
WORDS = {
    "year": ("år", "year", "årtal"),
    "name": ("indikator", "indicator", "mått", "measure name", "brottskategori", "fråga"),
    "value": ("värde", "value", "antal", "andel"),
    "measure": ("enhet", "unit", "måttenhet"),
    "source": ("källa", "source"),
}
HEADERS = {
    "year": "År",
    "name": "Indikator",
    "value": "Värde",
    "measure": "Enhet",
    "source": "Källa",
}
REQUIRED: tuple[Requirement, ...] = tuple(
    (((name,),), f"kolumnen {HEADERS[name]} saknas") for name in ("year", "name", "value", "source")
)


@dataclass(frozen=True)
class IndicatorImport:
    unit: Unit
    file: str
    figures: tuple[tuple[int, Figure], ...]  # (row number, figure)
    problems: tuple[str, ...]  # "rad 3, kolumn ”Värde”: ..."
    rows: int


def read_indicators(
    app: Application, viewer: Viewer, unit_id: str, name: str, data: bytes
) -> IndicatorImport:
    unit = app.require_unit(unit_id)
    require_importer(viewer, unit)
    table = read_table(name, data)
    mapping = ColumnMapping(
        {header_key(word): field for field, words in WORDS.items() for word in words}
    )
    columns = match_columns(table.headers, mapping, REQUIRED)
    figures, problems = [], []
    for row in table.rows:
        figure, wrong = _figure(row.cells, columns)
        if wrong:
            problems += [f"rad {row.number}, {w}" for w in wrong]
        elif figure is not None:
            figures.append((row.number, figure))
    once, twice = _once(figures)
    return IndicatorImport(unit, table.name, once, tuple(problems + twice), len(table.rows))


def _figure(cells: Sequence[Any], columns: Columns) -> tuple[Figure | None, list[str]]:
    wrong: list[str] = []

    def cell(name: str) -> Any:
        position = columns.index.get(name)
        return None if position is None else cells[position]

    def complain(name: str, message: str) -> None:
        wrong.append(f"kolumn ”{columns.header(name)}”: {message}")

    values = {k: read.text(cell(k)) for k in HEADERS}
    for name in ("year", "name", "value", "source"):
        if not values[name]:
            complain(name, f"{HEADERS[name].lower()} saknas")
    year = value = None
    try:
        year = int(read.number(cell("year"))) if values["year"] else None
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            complain("year", f"”{values['year']}” är inget år ({FIRST_YEAR}–{LAST_YEAR})")
    except read.BadCell as exc:
        complain("year", str(exc))
    try:
        value = read.number(cell("value")) if values["value"] else None
    except read.BadCell as exc:
        complain("value", str(exc))
    for name, limit in (("name", 200), ("source", 200), ("measure", 60)):
        if len(values[name]) > limit:
            complain(name, f"högst {limit} tecken")
    if wrong or year is None or value is None:
        return None, wrong
    return Figure(year, values["name"], values["source"], value, values["measure"]), []


def _once(
    figures: Sequence[tuple[int, Figure]],
) -> tuple[tuple[tuple[int, Figure], ...], list[str]]:
    """The figures with the first row of each (year, indicator, source), and a problem for
    each row that repeats one."""
    first: dict[tuple[int, str, str], int] = {}
    problems = []
    for number, f in figures:
        key = (f.year, f.name, f.source)
        if key in first:
            problems.append(
                f"rad {number}: {f.name} {f.year} ({f.source}) finns redan på rad {first[key]}"
            )
        first.setdefault(key, number)
    kept = set(first.values())
    return tuple((n, f) for n, f in figures if n in kept), problems


def store_indicator_import(
    app: Application,
    viewer: Viewer,
    found: IndicatorImport,
    *,
    skip_bad: bool = False,
    dry_run: bool = False,
) -> IndicatorOutcome:
    """Store the figures (or, with `dry_run`, say what storing would do)."""
    require_importer(viewer, found.unit)
    if found.problems and not skip_bad:
        raise ImportRowsError(
            f"{found.file}: {len(found.problems)} fel; ingenting sparades:\n"
            + "\n".join(found.problems)
        )
    figures = [f for _, f in found.figures]
    if dry_run:
        return app.engine.inspect(
            lambda work: store_indicators(
                work, found.unit.id, figures, file=found.file, dry_run=True
            )
        )
    return app.engine.act(
        viewer.label, lambda work: store_indicators(work, found.unit.id, figures, file=found.file)
    )
