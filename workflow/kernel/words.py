"""How Löfte writes dates, times and small words in Swedish (the default) and English.

`mån 4 jan 2027 kl. 09.00` (Swedish style, Språkrådet's "kl." and a full stop between hours and
minutes), `Mon 4 Jan 2027 09:00` in English; always Stockholm wall-clock time.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from workflow.kernel.timerules import STOCKHOLM

WEEKDAYS = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
WEEKDAY_NAMES = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
YES_NO = {"sv": ("ja", "nej"), "en": ("yes", "no")}


def lang_of(language: str) -> str:
    return "en" if language == "en" else "sv"


def clock(local: datetime, language: str = "sv") -> str:
    return f"{local:%H:%M}" if lang_of(language) == "en" else f"kl. {local:%H.%M}"


def moment(value: datetime | str, language: str = "sv", tz: ZoneInfo = STOCKHOLM) -> str:
    """`mån 4 jan 2027 kl. 09.00` / `Mon 4 Jan 2027 09:00`."""
    if isinstance(value, str):  # as stored in a message: the same few for many emails
        return _moment_of_text(value, lang_of(language), tz)
    local = value.astimezone(tz)
    lang = lang_of(language)
    return f"{day(local.date(), lang)} {clock(local, lang)}"


@lru_cache(maxsize=4096)
def _moment_of_text(value: str, language: str, tz: ZoneInfo) -> str:
    return moment(datetime.fromisoformat(value), language, tz)


def moment_short(value: datetime | str, language: str = "sv", tz: ZoneInfo = STOCKHOLM) -> str:
    """Without the year: `ons 3 feb kl. 12.00`, for subject lines."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = when.astimezone(tz)
    lang = lang_of(language)
    return (
        f"{WEEKDAYS[lang][local.weekday()]} {local.day} {MONTHS[lang][local.month - 1]} "
        f"{clock(local, lang)}"
    )


def day(value: date | str, language: str = "sv") -> str:
    """`mån 4 jan 2027`."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    lang = lang_of(language)
    return f"{WEEKDAYS[lang][when.weekday()]} {when.day} {MONTHS[lang][when.month - 1]} {when.year}"


def plain_date(value: date | str, language: str = "sv") -> str:
    """`4 jan 2027`."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    lang = lang_of(language)
    return f"{when.day} {MONTHS[lang][when.month - 1]} {when.year}"


def yes_no(value: bool, language: str = "sv") -> str:
    yes, no = YES_NO[lang_of(language)]
    return yes if value else no


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
