"""The one clock. Engine code asks a Clock for the time and never reads the wall clock itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from workflow.kernel.errors import ConfigError


class Clock(Protocol):
    """Source of the current time, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """Time that only moves when told to: for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        moment = ensure_utc(moment)
        if moment < self._now:
            raise ValueError(
                f"den virtuella tiden kan inte gå bakåt från {self._now} till {moment}"
            )
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)


class FileClock:
    """Time read from a file holding one ISO 8601 timestamp.

    Lets a test drive a real `lofte run` process through virtual time: the test writes the
    time, the engine reads it on every tick.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self.now()

    def now(self) -> datetime:
        try:
            text = self._path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"klockfilen {self._path} går inte att läsa ({exc})") from exc
        try:
            return ensure_utc(datetime.fromisoformat(text))
        except ValueError as exc:
            raise ConfigError(
                f"klockfilen {self._path}: {text[:40]!r} är ingen ISO 8601-tidpunkt med tidszon"
            ) from exc


def ensure_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; naive datetimes are refused (they are ambiguous)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)
