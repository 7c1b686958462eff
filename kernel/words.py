"""How Löfte writes dates, times and small words in Swedish (the default) and English.

`mån 4 jan 2027 kl. 09.00` (Swedish style, Språkrådet's "kl." and a full stop between hours and
minutes), `Mon 4 Jan 2027 09:00` in English; always Stockholm wall-clock time.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from lofte.kernel.durations import IsoDuration
from lofte.kernel.timerules import STOCKHOLM

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


# Durations in words ------------------------------------------------------------------------
# (singular, plural) per unit and language; months, weeks, days, hours, minutes, seconds.
_UNITS = {
    "sv": (
        ("år", "år"),
        ("månad", "månader"),
        ("vecka", "veckor"),
        ("dag", "dagar"),
        ("timme", "timmar"),
        ("minut", "minuter"),
        ("sekund", "sekunder"),
    ),
    "en": (
        ("year", "years"),
        ("month", "months"),
        ("week", "weeks"),
        ("day", "days"),
        ("hour", "hours"),
        ("minute", "minutes"),
        ("second", "seconds"),
    ),
}
_AND = {"sv": "och", "en": "and"}
_ORDINALS_SV: tuple[str, ...] = ("", "", "annan", "tredje", "fjärde", "femte", "sjätte")
_ORDINALS_SV += ("sjunde", "åttonde", "nionde", "tionde", "elfte", "tolfte")


def _parts(duration: IsoDuration) -> list[int]:
    """Years, months, weeks, days, hours, minutes, seconds of a non-negative duration."""
    years, months = divmod(abs(duration.months), 12)
    weeks, days = (
        divmod(abs(duration.days), 7) if duration.days % 7 == 0 else (0, abs(duration.days))
    )
    hours, rest = divmod(abs(duration.seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return [years, months, weeks, days, hours, minutes, seconds]


def duration(value: IsoDuration | str, language: str = "sv") -> str:
    """`2 dagar och 3 timmar`, `1 vecka`, `3 månader`; `2 days and 3 hours` in English.

    For everything shown to a person instead of ISO 8601 text (`P2DT3H`)."""
    found = IsoDuration.parse(value) if isinstance(value, str) else value
    lang = lang_of(language)
    names = _UNITS[lang]
    said = [count(n, *names[i]) for i, n in enumerate(_parts(found)) if n]
    if not said:
        return count(0, *names[5])
    if len(said) == 1:
        return said[0]
    return f"{', '.join(said[:-1])} {_AND[lang]} {said[-1]}"


def every(value: IsoDuration | str, language: str = "sv") -> str:
    """How often: `varje vecka`, `varannan vecka`, `var tredje månad`, `var 10:e dag`;
    `every week`, `every other week`, `every 3 months`. Falls back to `var 2 dagar och 3
    timmar` for a mixed period."""
    found = IsoDuration.parse(value) if isinstance(value, str) else value
    lang = lang_of(language)
    numbers = _parts(found)
    used = [(i, n) for i, n in enumerate(numbers) if n]
    if len(used) != 1:
        said = duration(found, lang)
        return f"en gång per {said}" if lang == "sv" else f"once every {said}"
    unit, n = used[0]
    one = _UNITS[lang][unit][0]
    if lang == "en":
        if n == 1:
            return f"every {one}"
        return f"every other {one}" if n == 2 else f"every {n} {_UNITS[lang][unit][1]}"
    neuter = unit == 0  # ett år: "vart", "vartannat"
    if n == 1:
        return f"varje {one}"
    word = _ORDINALS_SV[n] if n < len(_ORDINALS_SV) else f"{n}:e"
    if n == 2:
        return f"{'vartannat' if neuter else 'varannan'} {one}"
    return f"{'vart' if neuter else 'var'} {word} {one}"
