"""ISO 8601 durations applied in local wall-clock time (months and days are calendar units)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_PATTERN = re.compile(
    r"^(?P<sign>[-+])?P(?!$)"
    r"(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)

ALIASES = {
    "weekly": "P1W",
    "two-weekly": "P2W",
    "biweekly": "P2W",
    "monthly": "P1M",
    "quarterly": "P3M",
    "yearly": "P1Y",
}


@dataclass(frozen=True)
class IsoDuration:
    """A calendar duration: months, days and seconds kept apart, as ISO 8601 intends."""

    months: int = 0
    days: int = 0
    seconds: int = 0
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> IsoDuration:
        """Parse `P1W`, `P3M`, `P2DT3H`, `-P1D`, or an alias such as `weekly`."""
        if len(text) > 40:
            raise ValueError(f"{text[:40]!r}… är för lång för en varaktighet")
        raw = ALIASES.get(text.strip().lower(), text.strip())
        match = _PATTERN.match(raw)
        if not match:
            raise ValueError(
                f"{text[:40]!r} är ingen ISO 8601-varaktighet (exempel: P1W, P2W, P3M, P2DT3H) "
                f"och inte heller ett av {', '.join(ALIASES)}"
            )
        part = {k: int(v) for k, v in match.groupdict().items() if k != "sign" and v}
        sign = -1 if match.group("sign") == "-" else 1
        months = part.get("years", 0) * 12 + part.get("months", 0)
        days = part.get("weeks", 0) * 7 + part.get("days", 0)
        seconds = part.get("hours", 0) * 3600 + part.get("minutes", 0) * 60
        seconds += part.get("seconds", 0)
        return cls(sign * months, sign * days, sign * seconds, text.strip())

    @property
    def is_zero(self) -> bool:
        return self.months == 0 and self.days == 0 and self.seconds == 0

    @property
    def is_negative(self) -> bool:
        """True for `-P1D` and the like (the sign applies to the whole duration)."""
        return min(self.months, self.days, self.seconds) < 0

    def times(self, factor: int) -> IsoDuration:
        return IsoDuration(self.months * factor, self.days * factor, self.seconds * factor)

    def negated(self) -> IsoDuration:
        return self.times(-1)

    def add_to(self, local: datetime) -> datetime:
        """Add to a wall-clock datetime: months first (day clamped to month end), then the rest."""
        month_index = local.year * 12 + (local.month - 1) + self.months
        year, month = divmod(month_index, 12)
        month += 1
        day = min(local.day, calendar.monthrange(year, month)[1])
        moved = local.replace(year=year, month=month, day=day)
        return moved + timedelta(days=self.days, seconds=self.seconds)

    def approx_seconds(self) -> float:
        return self.months * 30.44 * 86400 + self.days * 86400 + self.seconds

    def __str__(self) -> str:
        return self.text or f"P{self.months}M{self.days}DT{self.seconds}S"
