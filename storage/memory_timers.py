"""The in-memory store's timers and outbox (implement `Timers` of `workflow.core.ports` and
`OutboxDelivery` of `notifications.ports`, as `storage.repositories` does on SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lofte.kernel.errors import NotFound
from lofte.storage.memory_cycles import MemoryRequests
from lofte.storage.memory_tables import Journal, Table, fresh, fresh_all, replaced, utc
from lofte.workflow.core.records import (
    CycleInstance,
    InputRequest,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    RequestStatus,
    Timer,
    TimerKind,
    TimerStatus,
)
from lofte.workflow.core.work import CATCH_UP


def timer_table() -> Table[Timer]:
    return Table(lambda t: t.key, status=lambda t: t.status, instance=lambda t: t.instance_id)


def outbox_table() -> Table[OutboxMessage]:
    return Table(lambda m: m.key, status=lambda m: m.status)


class MemoryTimers:
    def __init__(self, table: Table[Timer], journal: Journal) -> None:
        self.table = table
        self.journal = journal
        self.writes = 0  # calls that added or changed timers (see `Writes`)

    def _pending(self) -> list[Timer]:
        return self.table.group("status", TimerStatus.PENDING)

    def _set(self, timer: Timer, **changes: object) -> Timer:
        changed = replaced(timer, **changes)
        self.table.replace(self.journal, changed)
        return changed

    def add_many(self, timers: Sequence[Timer]) -> None:
        if not timers:
            return
        self.writes += 1
        unique: dict[str, Timer] = {}
        for timer in timers:  # one per key (the first), in the order given
            unique.setdefault(timer.key, timer)
        for timer in unique.values():
            stored = self.table.find(timer.key)
            if stored is None:
                self.table.insert(self.journal, replaced(timer, note=None, id=None))
            elif stored.status is TimerStatus.CANCELLED and stored.kind is TimerKind.CYCLE_OPEN:
                # a cancelled opening scheduled again is pending again, with the new moment
                self._set(
                    stored,
                    status=TimerStatus(timer.status),
                    due_at=timer.due_at,
                    payload=timer.payload,
                    attempts=0,
                    next_attempt_at=None,
                    last_error=None,
                    fired_at=None,
                    fired_by=None,
                )

    def claim_due(self, now: datetime, by: str) -> Timer | None:
        now = utc(now)
        pending = sorted(self._pending(), key=lambda t: (t.due_at, t.id or 0))
        blocked: set[int] = set()  # cycles with an earlier pending timer
        for timer in pending:
            if timer.instance_id is not None and timer.instance_id in blocked:
                continue
            if timer.due_at > now:
                break
            if timer.next_attempt_at is None or timer.next_attempt_at <= now:
                self.writes += 1
                return fresh(self._set(timer, status=TimerStatus.FIRED, fired_at=now, fired_by=by))
            if timer.instance_id is not None:
                blocked.add(timer.instance_id)
        return None

    def save(self, timer: Timer) -> None:
        self.writes += 1
        stored = self.table.get(timer.id)
        if stored is not None:
            self._set(
                stored,
                status=TimerStatus(timer.status),
                attempts=timer.attempts,
                next_attempt_at=timer.next_attempt_at,
                last_error=timer.last_error,
            )

    def cancel_for_instance(self, instance_id: int) -> int:
        self.writes += 1
        found = [
            t for t in self.table.group("instance", instance_id) if t.status is TimerStatus.PENDING
        ]
        for timer in found:
            self._set(timer, status=TimerStatus.CANCELLED)
        return len(found)

    def move_pending(self, key: str, due_at: datetime | None) -> int:
        self.writes += 1
        timer = self.table.find(key)
        if timer is None or timer.status is not TimerStatus.PENDING:
            return 0
        if due_at is None:
            self._set(timer, status=TimerStatus.CANCELLED)
        else:
            self._set(timer, due_at=due_at)
        return 1

    def _openings(self, definition: str | None = None, unit: str | None = None) -> list[Timer]:
        return [
            t
            for t in self._pending()
            if t.kind is TimerKind.CYCLE_OPEN
            and (definition is None or (t.definition_name, t.unit_id) == (definition, unit))
        ]

    def cancel_openings(self, definition: str, unit: str) -> datetime | None:
        self.writes += 1
        found = self._openings(definition, unit)
        for timer in found:
            self._set(timer, status=TimerStatus.CANCELLED)
        return min((t.due_at for t in found), default=None)

    def pending_openings(self) -> set[tuple[str, str]]:
        return {(t.definition_name, t.unit_id) for t in self._openings()}

    def next_due(self) -> datetime | None:
        return min((t.next_attempt_at or t.due_at for t in self._pending()), default=None)

    def get(self, timer_id: int, *, lock: bool = False) -> Timer:
        found = self.table.get(timer_id)
        if found is None:
            raise NotFound("timer", timer_id)
        return fresh(found)


class MemoryOutbox:
    def __init__(
        self, table: Table[OutboxMessage], requests: MemoryRequests, journal: Journal
    ) -> None:
        self.table = table
        self.requests = requests
        self.journal = journal
        self.added = 0  # messages this unit of work queued (counted by the store at commit)

    def _with(self, status: OutboxStatus) -> list[OutboxMessage]:
        return self.table.group("status", status)

    def _set(self, message: OutboxMessage, **changes: object) -> OutboxMessage:
        changed = replaced(message, **changes)
        self.table.replace(self.journal, changed)
        return changed

    def add_many(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            if message.key not in self.table.by_unique:
                self.table.insert(self.journal, replaced(message, id=None))
        self.added += len(messages)

    def unreported_catch_up(self) -> list[OutboxMessage]:
        found = [
            m
            for m in self._with(OutboxStatus.EXPIRED)
            if m.last_error == CATCH_UP and m.reported_at is None
        ]
        return fresh_all(sorted(found, key=lambda m: (m.unit_id, m.id or 0)))

    def mark_reported(self, message_ids: Sequence[int], at: datetime) -> None:
        for message_id in message_ids:
            found = self.table.get(message_id)
            if found is not None:
                self._set(found, reported_at=at)

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage:
        found = self.table.get(message_id)
        if found is None:
            raise NotFound("meddelande", message_id)
        return fresh(found)

    def save(self, message: OutboxMessage) -> None:
        stored = self.table.get(message.id)
        if stored is not None:
            self._set(
                stored,
                status=OutboxStatus(message.status),
                attempts=message.attempts,
                first_attempt_at=message.first_attempt_at,
                next_attempt_at=message.next_attempt_at,
                claimed_by=message.claimed_by,
                claimed_at=message.claimed_at,
                sent_at=message.sent_at,
                last_error=message.last_error,
                delivery=message.delivery,
            )

    def with_status(
        self, status: OutboxStatus, person_id: str | None = None, *, lock: bool = False
    ) -> list[OutboxMessage]:
        return [
            fresh(m)
            for m in self._with(OutboxStatus(status))
            if person_id is None or m.person_id == person_id
        ]

    # delivery -----------------------------------------------------------------------------
    def _claimable(self, now: datetime, stale_before: datetime) -> list[OutboxMessage]:
        due = [
            m
            for m in self._with(OutboxStatus.PENDING)
            if (m.created_at <= now if m.next_attempt_at is None else m.next_attempt_at <= now)
        ]
        stale = [
            m
            for m in self._with(OutboxStatus.SENDING)
            if m.claimed_at is not None and m.claimed_at < stale_before
        ]
        return sorted(due + stale, key=lambda m: m.id or 0)

    def claim(
        self, now: datetime, stale_before: datetime, by: str, limit: int
    ) -> list[OutboxMessage]:
        now = utc(now)
        return [
            fresh(
                self._set(
                    m,
                    status=OutboxStatus.SENDING,
                    attempts=m.attempts + 1,
                    first_attempt_at=m.first_attempt_at or now,
                    claimed_by=by,
                    claimed_at=now,
                )
            )
            for m in self._claimable(now, stale_before)[:limit]
        ]

    def claimable(self, now: datetime, stale_before: datetime) -> bool:
        return bool(self._claimable(now, stale_before))

    def pending_retries(self) -> list[datetime]:
        return [
            m.next_attempt_at
            for m in self._with(OutboxStatus.PENDING)
            if m.next_attempt_at is not None
        ]

    def mark_sent(self, sent: Sequence[tuple[OutboxMessage, str]], at: datetime, by: str) -> None:
        for message, where in sent:
            stored = self.table.get(message.id)
            if stored is not None and stored.claimed_by == by:
                self._set(
                    stored,
                    status=OutboxStatus.SENT,
                    sent_at=at,
                    delivery=where[:500],
                    last_error=None,
                )

    def release(self, released: Sequence[tuple[OutboxMessage, str | None]], by: str) -> None:
        for message, note in released:
            stored = self.table.get(message.id)
            if stored is None or stored.claimed_by != by or stored.status != OutboxStatus.SENDING:
                continue
            self._set(
                stored,
                status=OutboxStatus.PENDING,
                attempts=stored.attempts - 1,
                first_attempt_at=stored.first_attempt_at if stored.attempts > 1 else None,
                claimed_by=None,
                claimed_at=None,
                last_error=stored.last_error if note is None else note[:2000],
            )

    def exists(self, key: str) -> bool:
        return key in self.table.by_unique

    def failing_since(self) -> datetime | None:
        return min(
            (
                m.first_attempt_at
                for m in self._with(OutboxStatus.PENDING)
                if m.attempts > 0
                and m.kind is not MessageKind.DELIVERY_ALERT
                and m.first_attempt_at is not None
            ),
            default=None,
        )

    def open_tasks(self, person_id: str) -> list[tuple[InputRequest, CycleInstance]]:
        found = []
        for request in self.requests.table.group("person", person_id):
            cycle = self.requests.cycles.get(request.instance_id)
            if request.status is RequestStatus.OPEN and cycle is not None and not cycle.closed_at:
                found.append((fresh(request), fresh(cycle)))
        return sorted(found, key=lambda rc: (rc[0].deadline_at, rc[0].id or 0))
