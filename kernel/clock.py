"""The one clock. Engine code asks a Clock for the time and never reads the wall clock itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from lofte.kernel.errors import ConfigError


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


RUNNING_SINCE = " running since "


class FileClock:
    """Time read from a file, on every call.

    The file holds one ISO 8601 timestamp: the time stands there, and a test drives a real
    `lofte run` process through virtual time by writing it. Or it holds `T running since W`:
    the clock read T at the real moment W and moves on with the real clock from there (the
    demo's clock: its simulated Monday, moving from when the demo was made, shared by every
    command pointed at the file).
    """

    def __init__(self, path: Path, wall: Clock | None = None) -> None:
        self._path = path
        self._wall = wall or SystemClock()
        self.now()

    def now(self) -> datetime:
        try:
            text = self._path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"klockfilen {self._path} går inte att läsa ({exc})") from exc
        shown, _, since = text.partition(RUNNING_SINCE)
        try:
            moment = ensure_utc(datetime.fromisoformat(shown))
            if not since:
                return moment
            return moment + (self._wall.now() - ensure_utc(datetime.fromisoformat(since)))
        except ValueError as exc:
            raise ConfigError(
                f"klockfilen {self._path}: {text[:80]!r} är ingen ISO 8601-tidpunkt med tidszon "
                "(eller `TIDPUNKT running since TIDPUNKT`)"
            ) from exc


def running_clock_text(shown: datetime, since: datetime) -> str:
    """The text of a clock file whose clock reads `shown` at the real moment `since` and moves
    on with the real clock."""
    return f"{ensure_utc(shown).isoformat()}{RUNNING_SINCE}{ensure_utc(since).isoformat()}\n"


def ensure_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; naive datetimes are refused (they are ambiguous)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)
