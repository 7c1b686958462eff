"""Firing due timers: the one path `lofte run`'s loop, the simulation, the tests and the
benchmarks take (`Engine.run_due`).

Due timers are claimed and fired in batches: up to `TOGETHER` in one unit of work, each with
its own audit events, timers and outbox rows, in the order one at a time would fire them
(every municipality's Monday inventory falls due at the same minute, say). A batch that meets
a concurrent change is done again whole, as every unit of work is. A batch in which a timer
raises keeps nothing; it is fired again in smaller batches, down to the timer that raised
alone, whose failure is then recorded on it (retried with backoff, an incident after
`MAX_TIMER_ATTEMPTS`). A failure is only ever recorded on a timer that failed on its own, so
a timer never pays for another's fault, and the others' work is done again, never lost.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol, TypeVar

from lofte.kernel.clock import Clock
from lofte.workflow.core.ports import UnitOfWork
from lofte.workflow.core.records import AuditEvent, Timer, TimerStatus
from lofte.workflow.core.timer_handlers import fire
from lofte.workflow.core.work import TIMER_ACTOR, Work

log = logging.getLogger("lofte.engine")
T = TypeVar("T")
TOGETHER = 20  # due timers fired in one unit of work (SQLite's write lock: ~2 ms each)
MAX_TIMER_ATTEMPTS = 5
MAX_TIMER_BACKOFF = timedelta(hours=1)


class Unit(Protocol):
    """The engine's unit of work, done again when another process changed the same first."""

    def __call__(self, work: Callable[[UnitOfWork], T]) -> T: ...


MakeWork = Callable[[UnitOfWork, str], Work]  # the engine's Work within a unit of work


def _always() -> bool:
    return True


def _nothing(_timer: Timer) -> None:
    return None


@dataclasses.dataclass
class _Attempt:
    """How far a batch's unit of work got: the timers claimed, those whose handler returned,
    and whether every handler ran (what raised after that, raised at COMMIT)."""

    claimed: list[Timer] = dataclasses.field(default_factory=list)
    done: list[Timer] = dataclasses.field(default_factory=list)
    handled: bool = False

    def reset(self) -> None:
        self.claimed, self.done, self.handled = [], [], False


@dataclasses.dataclass
class _Batch:
    """What a batch did: the timers it fired (or the lone one whose failure it recorded);
    if it raised, the sizes of the batches to fire instead (the last one alone)."""

    fired: list[Timer]
    failed: bool = False
    instead: list[int] = dataclasses.field(default_factory=list)


class Firing:
    def __init__(self, clock: Clock, engine_id: str, unit: Unit, work: MakeWork) -> None:
        self.clock = clock
        self.engine_id = engine_id
        self._unit = unit
        self._work = work

    def fire_due(
        self,
        limit: int | None = None,
        *,
        keep_going: Callable[[], bool] = _always,
        on_fired: Callable[[Timer], None] = _nothing,
    ) -> list[Timer]:
        """Fire the timers due now, earliest first, in batches, until none is due, `limit`
        have fired or `keep_going()` says stop (asked before each batch). `on_fired` hears
        of each timer once its batch has committed (a timer whose failure was recorded
        included). Raises what keeps a unit of work from even claiming a timer."""
        fired: list[Timer] = []
        sizes: list[int] = []  # after a failed batch: the smaller ones to fire instead
        while keep_going() and (limit is None or len(fired) < limit):
            size = sizes.pop(0) if sizes else TOGETHER
            size = size if limit is None else min(size, limit - len(fired))
            batch = self._fire_batch(size)
            sizes = batch.instead or sizes
            for timer in batch.fired:
                log.info("fired %s %s: %s", timer.kind.value, timer.key, timer.note)
                on_fired(timer)
            fired.extend(batch.fired)
            if not batch.failed and len(batch.fired) < size:
                break  # nothing more was due (or it is another engine's to fire)
        return fired

    def _fire_batch(self, size: int) -> _Batch:
        """Claim and fire up to `size` due timers in one unit of work. If one raises, nothing
        of the batch is kept: a lone timer has its failure recorded, a larger batch is split
        into the timers before the one that raised and that one alone."""
        attempt = _Attempt()

        def work(uow: UnitOfWork) -> list[Timer]:
            attempt.reset()  # a unit of work done again starts afresh
            events: list[AuditEvent] = []  # the batch's, appended together at its end
            while len(attempt.done) < size:
                timer = self._fire_one(uow, attempt.claimed, events)
                if timer is None:
                    break
                attempt.done.append(timer)
            attempt.handled = True  # what raises after this is no one timer's
            if events:
                uow.audit.append(events)
            return attempt.done

        try:
            return _Batch(self._unit(work))
        except Exception as exc:
            if not attempt.claimed:
                raise
            return self._after_failure(attempt, exc)

    def _after_failure(self, attempt: _Attempt, exc: Exception) -> _Batch:
        """What to fire instead of a batch that raised `exc`. Only a timer that was alone in
        its unit of work is blamed: one whose handler raised, or whose COMMIT failed."""
        claimed = attempt.claimed
        in_handler = len(claimed) > len(attempt.done)
        if len(claimed) == 1 and (in_handler or attempt.handled):
            return _Batch([self._record_failure(claimed[0], exc)], failed=True)
        if in_handler:
            before = len(claimed) - 1  # then the one whose handler raised, alone
        elif attempt.handled:
            before = 0  # the COMMIT failed: no telling which; the first alone, then on
        else:
            before = len(claimed)  # claiming the next one failed: these were fine
        log.warning(
            "a batch of %s due timers failed (%s: %s); fired again in smaller batches",
            len(claimed),
            type(exc).__name__,
            exc,
        )
        return _Batch([], failed=True, instead=[before, 1] if before else [1])

    def _fire_one(
        self, uow: UnitOfWork, claimed: list[Timer], events: list[AuditEvent]
    ) -> Timer | None:
        """Claim the next due timer (noted in `claimed`) and fire it, within `uow`; its audit
        events are added to `events`, in order, for the batch to append at its end: on
        PostgreSQL the first append takes the chain's lock until COMMIT, so appended per
        timer it would hold another engine's batch back for all the rest of this one."""
        timer = uow.timers.claim_due(self.clock.now(), self.engine_id)
        if timer is None:
            return None
        claimed.append(timer)
        job = self._work(uow, TIMER_ACTOR)
        note = fire(job, timer)
        events.extend(job.events)
        job.events = []
        job.flush()
        return dataclasses.replace(timer, note=note[:500])

    def _record_failure(self, timer: Timer, exc: Exception) -> Timer:
        reason = f"{exc.__class__.__name__}: {exc}"[:1000]
        log.warning("timer %s failed (attempt %s): %s", timer.key, timer.attempts + 1, reason)

        def work(uow: UnitOfWork) -> Timer:
            now = self.clock.now()
            current = uow.timers.get(timer.id or 0, lock=True)
            attempts = current.attempts + 1
            incident = attempts >= MAX_TIMER_ATTEMPTS
            backoff = min(timedelta(seconds=60 * 2 ** (attempts - 1)), MAX_TIMER_BACKOFF)
            failed = dataclasses.replace(
                current,
                attempts=attempts,
                status=TimerStatus.FAILED if incident else TimerStatus.PENDING,
                next_attempt_at=None if incident else now + backoff,
                last_error=reason,
            )
            uow.timers.save(failed)
            if incident:
                job = self._work(uow, TIMER_ACTOR)
                job.audit(
                    None,
                    "timer_incident",
                    {
                        "timer": timer.key,
                        "kind": timer.kind.value,
                        "attempts": attempts,
                        "error": reason,
                    },
                    unit_id=timer.unit_id,
                )
                job.flush()
            return failed

        return self._unit(work)
