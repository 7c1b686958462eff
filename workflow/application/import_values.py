"""Reading one cell of an exported table as what the field needs: a date, a time of day, a
part of the day, a number, a coordinate, a category, a handling. Each reader returns the
value or raises `BadCell` with a Swedish message (the row and column are added by the
caller). Cells come as text (CSV) or as Excel's own values (XLSX: numbers, dates, times)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from lofte.definitions.places import normalised
from lofte.definitions.steps import PARTS_OF_DAY, UNKNOWN_TIME


class BadCell(ValueError):
    """A cell that cannot be read; its message says why, in Swedish."""


def text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_CLOCK = re.compile(r"^(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?$")


def day_and_clock(cell: Any) -> tuple[date, str]:
    """A date, with the clock time if the cell holds one too (`2027-01-05 21:30`)."""
    if isinstance(cell, datetime):
        clock = "" if cell.time() == time(0) else cell.strftime("%H:%M")
        return cell.date(), clock
    if isinstance(cell, date):
        return cell, ""
    value = text(cell)
    if match := _DMY.match(value):
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day), ""
        except ValueError:
            pass
    else:
        try:
            if len(value) == 10:
                return date.fromisoformat(value), ""
            moment = datetime.fromisoformat(value.replace("T", " "))
            return moment.date(), moment.strftime("%H:%M")
        except ValueError:
            pass
    raise BadCell(f"”{value}” är inget datum (ÅÅÅÅ-MM-DD)")


def clock(cell: Any) -> str:
    """`21:30` from a time, `21.30`, `kl. 21.30`, `21:30:00` or Excel's fraction of a day."""
    if isinstance(cell, time | datetime):
        return cell.strftime("%H:%M")
    if isinstance(cell, float) and 0 <= cell < 1:
        minutes = round(cell * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    value = text(cell).casefold()
    match = _CLOCK.match(value)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return f"{int(match[1]):02d}:{match[2]}"
    raise BadCell(f"”{text(cell)}” är inget klockslag (TT:MM)")


PART_WORDS = {
    "natt": "natt",
    "night": "natt",
    "morgon": "morgon",
    "förmiddag": "morgon",
    "morning": "morgon",
    "dag": "dag",
    "eftermiddag": "dag",
    "day": "dag",
    "afternoon": "dag",
    "kväll": "kvall",
    "kvall": "kvall",
    "evening": "kvall",
    "okänd tid": UNKNOWN_TIME,
    "okänd": UNKNOWN_TIME,
    "okand": UNKNOWN_TIME,
    "unknown": UNKNOWN_TIME,
    "unknown time": UNKNOWN_TIME,
}


def part_of_day(cell: Any) -> str:
    """natt, morgon, dag, kvall or okand, from a word (`Kväll (18–24)` too)."""
    value = normalised(text(cell))
    found = PART_WORDS.get(value) or PART_WORDS.get(value.split("(")[0].strip())
    if found is None:
        raise BadCell(
            f"”{text(cell)}” är ingen del av dygnet (natt, morgon, dag, kväll, okänd tid)"
        )
    assert found in PARTS_OF_DAY or found == UNKNOWN_TIME
    return found


def number(cell: Any) -> float:
    """A number: `12`, `12,5`, `1 234` (a space or a non-breaking space between thousands)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    value = text(cell).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(value)
    except ValueError:
        raise BadCell(f"”{text(cell)}” är inget tal") from None


def quantity(cell: Any) -> int:
    value = number(cell)
    if not value.is_integer() or not 1 <= value <= 999:
        raise BadCell(f"”{text(cell)}” ska vara ett heltal från 1 till 999")
    return int(value)


def degrees(cell: Any, low: float, high: float) -> float:
    value = number(cell)
    if not low <= value <= high:
        raise BadCell(f"”{text(cell)}” ska vara grader mellan {low:g} och {high:g} (WGS 84)")
    return value


HANDLING_WORDS = {
    "åtgärdat": "atgardat",
    "åtgärdat direkt": "atgardat",
    "atgardat": "atgardat",
    "sanerat": "atgardat",
    "dealt with": "atgardat",
    "dealt with at once": "atgardat",
    "fixed": "atgardat",
    "felanmält": "felanmalt",
    "felanmalt": "felanmalt",
    "reported": "felanmalt",
    "reported as a fault": "felanmalt",
    "ingen": "ingen",
    "ingen åtgärd": "ingen",
    "ingen åtgärd ännu": "ingen",
    "none": "ingen",
    "no action": "ingen",
    "no action yet": "ingen",
}


def handling(cell: Any) -> str:
    value = normalised(text(cell))
    found = HANDLING_WORDS.get(value)
    if found is None:
        raise BadCell(f"”{text(cell)}” är ingen åtgärd (åtgärdat direkt, felanmält, ingen åtgärd)")
    return found


class Categories:
    """The inventory's categories, found by id, Swedish or English label (case aside), by a
    part of a label (`Brand` for `Brand/anlagd brand`) when only one category has it, or by
    the mapping file's word."""

    def __init__(self, options: Sequence[Mapping[str, str]], mapped: Mapping[str, str]) -> None:
        self.labels = [o.get("sv") or o["value"] for o in options]
        words: dict[str, str] = {}
        parts: dict[str, set[str]] = {}
        for option in options:
            for word in (option["value"], option.get("sv") or "", option.get("en") or ""):
                if word:
                    words.setdefault(normalised(word), option["value"])
                    for part in re.split(r"[/,]|\(", word):
                        parts.setdefault(normalised(part.strip(" )")), set()).add(option["value"])
        for part, values in parts.items():
            if part and len(values) == 1:
                words.setdefault(part, next(iter(values)))
        self.known = {o["value"] for o in options}
        self.words = words
        self.mapped = {}
        for word, target in mapped.items():
            found = words.get(normalised(target))
            if found is None:
                raise ValueError(f"{target!r} är ingen kategori i inventeringen")
            self.mapped[word] = found

    def find(self, cell: Any) -> str:
        value = normalised(text(cell))
        found = self.mapped.get(value) or self.words.get(value)
        if found is None:
            known = ", ".join(self.labels)
            raise BadCell(
                f"”{text(cell)}” är ingen känd kategori (kända: {known}); koppla den i en "
                "mappningsfil under categories:"
            )
        return found
