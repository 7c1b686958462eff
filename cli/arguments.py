"""Argument types that turn bad input into clear Swedish argparse errors."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def local_moment(text: str) -> datetime:
    """A date or date-time; without an offset it is Stockholm local time."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} är inget datum (ÅÅÅÅ-MM-DD) eller ingen tidpunkt (ÅÅÅÅ-MM-DDTTT:MM)"
        ) from None
    if not 2000 <= value.year <= 2100:
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: året måste ligga mellan 2000 och 2100")
    if value.tzinfo is None:
        value = value.replace(tzinfo=STOCKHOLM)
    return value.astimezone(UTC)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} är inget heltal") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} måste vara minst 1")
    if value > 2**62:
        raise argparse.ArgumentTypeError(f"{text[:40]} är för stort")
    return value


def bounded_int(low: int, high: int) -> argparse.Action | object:
    def parse(text: str) -> int:
        value = positive_int(text) if low >= 1 else _int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} måste ligga mellan {low} och {high}")
        return value

    return parse


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} är inget heltal") from None


def weeks(text: str) -> int:
    value = positive_int(text)
    if value > 520:
        raise argparse.ArgumentTypeError(f"{text} veckor är mer än tio år; högst 520")
    return value


def rate(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} är inget tal mellan 0 och 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} ligger inte mellan 0 och 1")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} är inget antal sekunder") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError("mellan 0 och 86400 sekunder")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} är inget datum (ÅÅÅÅ-MM-DD)") from None


def identifier(text: str) -> str:
    if not IDENTIFIER.match(text):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} är ingen giltig id (små bokstäver a–z, siffror, - och _)"
        )
    return text


def year(text: str) -> int:
    value = _int(text)
    if not 2000 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"{text} måste ligga mellan 2000 och 2100")
    return value


DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"


def add_database(parser: argparse.ArgumentParser, **options: Any) -> None:
    """The `--database URL` every command that reads or writes the database takes."""
    parser.add_argument("--database", metavar="URL", help=DATABASE_HELP, **options)
