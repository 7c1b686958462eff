"""What operations watch: an engine's heartbeat, readiness and the figures `/metrics` shows.

An engine process writes its heartbeat into the settings table (one row, the latest beat of
any engine wins), so a web process on another machine can tell whether some engine is alive.
The figures are read from the database at the moment they are asked for, never counted in a
process: every web process then shows the same numbers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from lofte.kernel.clock import Clock
from lofte.workflow.core.ports import Settings, Store

log = logging.getLogger("lofte.operations")

HEARTBEAT_KEY = "engine_heartbeat"
HEARTBEAT_EVERY = timedelta(seconds=30)  # how often a running engine writes it
HEARTBEAT_STALE = timedelta(minutes=2)  # older than this: no engine is taken to be alive
OVERDUE_AFTER = timedelta(minutes=1)  # a pending timer due longer ago than this is overdue
ANSWERS_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class EngineBeat:
    """The latest heartbeat: which engine wrote it, and when (by its clock)."""

    engine_id: str
    at: datetime


def beat_text(beat: EngineBeat) -> str:
    return json.dumps({"engine": beat.engine_id, "at": beat.at.isoformat()})


def read_beat(text: str | None) -> EngineBeat | None:
    """The heartbeat stored as `text`; None if there is none or it cannot be read."""
    if not text:
        return None
    try:
        data = json.loads(text)
        return EngineBeat(str(data["engine"]), datetime.fromisoformat(data["at"]))
    except (ValueError, KeyError, TypeError):
        return None


def latest_beat(settings: Settings) -> EngineBeat | None:
    return read_beat(settings.get(HEARTBEAT_KEY))


class Heartbeat:
    """An engine's heartbeat writer: `beat()` writes at most once per `every` of the clock's
    time, and never lets a failure reach the engine's loop (the next beat tries again)."""

    def __init__(
        self, store: Store, clock: Clock, engine_id: str, every: timedelta = HEARTBEAT_EVERY
    ) -> None:
        self.store = store
        self.clock = clock
        self.engine_id = engine_id
        self.every = every
        self.written: datetime | None = None

    def beat(self) -> None:
        now = self.clock.now()
        if self.written is not None and now - self.written < self.every:
            return
        try:
            with self.store.unit_of_work() as uow:
                uow.settings.put(HEARTBEAT_KEY, beat_text(EngineBeat(self.engine_id, now)))
        except Exception as exc:  # the database is away: the loop goes on, readiness tells
            log.warning("could not write the engine heartbeat: %s", type(exc).__name__)
            return
        self.written = now


@dataclass(frozen=True)
class OperationsFigures:
    """What `/metrics` shows, read in one transaction at `now`."""

    now: datetime
    timers: dict[str, int]  # by status: pending and failed
    timers_overdue: int
    messages: dict[str, int]  # by status: pending, sending, held and failed
    oldest_waiting_at: datetime | None
    open_cycles: dict[str, int]  # by definition
    answers_last_day: int
    beat: EngineBeat | None
    audit_head: int


class OperationsReads(Protocol):
    """The reads operations need (implemented in storage)."""

    def figures(self, now: datetime) -> OperationsFigures:
        """Every figure, in one read-only transaction."""

    def schema_current(self) -> bool:
        """Whether the database's schema is this Löfte's newest (raises if it cannot be
        reached)."""

    def beat(self) -> EngineBeat | None:
        """The latest engine heartbeat (raises if the database cannot be reached)."""


@dataclass(frozen=True)
class Readiness:
    """Whether this process can serve: each check's name and its verdict in Swedish."""

    ready: bool
    checks: dict[str, str] = field(default_factory=dict)


def readiness(reads: OperationsReads, now: datetime) -> Readiness:
    """Ready when the database answers, its schema is current and an engine's heartbeat is
    younger than `HEARTBEAT_STALE`."""
    try:
        current = reads.schema_current()
        beat = reads.beat() if current else None
    except Exception as exc:
        log.warning("readiness: the database does not answer (%s)", type(exc).__name__)
        return Readiness(False, {"databas": "svarar inte"})
    if not current:
        return Readiness(False, {"databas": "svarar", "schema": "inte aktuellt: kör `lofte init`"})
    checks = {"databas": "svarar", "schema": "aktuellt"}
    engine_ok = beat is not None and now - beat.at < HEARTBEAT_STALE
    if beat is None:
        checks["motor"] = "ingen motor har skrivit något hjärtslag (`lofte run`)"
    else:
        age = int((now - beat.at).total_seconds())
        state = "lever" if engine_ok else "tyst för länge (högst 120 s)"
        checks["motor"] = f"{state}: senaste hjärtslag för {age} s sedan från {beat.engine_id}"
    return Readiness(engine_ok, checks)
