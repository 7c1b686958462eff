"""CSV that opens in Swedish Excel: UTF-8 with a byte order mark and `;` between columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from lofte.kernel.timerules import STOCKHOLM

BOM = "\ufeff"


def csv_moment(moment: datetime | None) -> str:
    """A moment as Excel sorts it: ISO 8601 in Stockholm time, `2027-01-04 08:00`."""
    return "" if moment is None else moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def csv_date(day: date | None) -> str:
    """A date as Excel sorts it: `2027-01-04`."""
    return "" if day is None else day.isoformat()


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if cell is None else _cell(cell) for cell in row])
    return out.getvalue()


def _cell(value: object) -> str:
    text = str(value)
    # A cell starting with = + - @ would be run as a formula by Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
