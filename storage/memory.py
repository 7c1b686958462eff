"""A second store: the ports of `workflow.core.ports` kept in plain Python structures, for
tests of the engine's rules that need no database (and to show the ports are the boundary).

Units of work run one at a time (a lock, as SQLite's BEGIN IMMEDIATE serialises writers).
Every change goes through the unit of work's journal; an exception (any, a `BaseException`
too) undoes the journal, so nothing of a failed unit of work stays. A unit of work nested in
another of the same thread (the lock is re-entrant) sees the outer one's writes and undoes
only its own; unlike SQL's, an outer one that fails afterwards also puts back what it had
changed before the nested one wrote there. Nothing outlives the process; ids are counted per
table as SQLite counts them (an id a failed unit of work took is taken again).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from lofte.storage.audit_keys import throwaway_audit_keys
from lofte.storage.memory_cycles import (
    MemoryCycles,
    MemoryRequests,
    MemorySensitiveValues,
    SensitiveEntry,
    cycle_table,
    request_table,
)
from lofte.storage.memory_imports import MemoryImports, imported_table, indicator_table
from lofte.storage.memory_inbound import MemoryInboundMails, inbound_table
from lofte.storage.memory_misc import (
    MemoryActions,
    MemoryAuditLog,
    MemoryCatalogStore,
    MemoryMeetings,
    MemorySettings,
    MemoryStepContexts,
    VersionKey,
)
from lofte.storage.memory_people import MemoryPersonalRecords
from lofte.storage.memory_tables import Journal, Table
from lofte.storage.memory_timers import MemoryOutbox, MemoryTimers, outbox_table, timer_table
from lofte.workflow.core.ports import Store, StoredDocument, StoredVersion, Writes
from lofte.workflow.core.records import Action, ActionEvent, AuditEvent, Meeting

NOTHING = Writes()


class MemoryDatabase:
    """Everything a memory store holds, table by table."""

    def __init__(self) -> None:
        self.cycles = cycle_table()
        self.requests = request_table()
        self.sensitive: dict[int, dict[int, SensitiveEntry]] = {}
        self.timers = timer_table()
        self.outbox = outbox_table()
        self.audit: dict[int, AuditEvent] = {}  # by sequence number, from 1
        self.audit_keys = throwaway_audit_keys()
        self.meetings: Table[Meeting] = Table(lambda m: (m.instance_id, m.step_id))
        self.actions: Table[Action] = Table(lambda a: a.key, unit=lambda a: a.unit_id)
        self.action_events: Table[ActionEvent] = Table(action=lambda e: e.action_id)
        self.contexts: dict[tuple[int, str], object] = {}
        self.documents: dict[str, StoredDocument] = {}
        self.versions: dict[VersionKey, StoredVersion] = {}
        self.settings: dict[str, str] = {}
        self.imported = imported_table()
        self.indicators = indicator_table()
        self.inbound = inbound_table()


class MemoryUnitOfWork:
    """Everything written through it commits together or not at all (`MemoryStore`)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.journal = Journal()

    @cached_property
    def cycles(self) -> MemoryCycles:
        return MemoryCycles(self.db.cycles, self.journal)

    @cached_property
    def requests(self) -> MemoryRequests:
        return MemoryRequests(self.db.requests, self.db.cycles, self.journal)

    @cached_property
    def sensitive(self) -> MemorySensitiveValues:
        return MemorySensitiveValues(self.db.sensitive, self.db.requests, self.journal)

    @cached_property
    def timers(self) -> MemoryTimers:
        return MemoryTimers(self.db.timers, self.journal)

    @cached_property
    def outbox(self) -> MemoryOutbox:
        return MemoryOutbox(self.db.outbox, self.requests, self.journal)

    @cached_property
    def audit(self) -> MemoryAuditLog:
        return MemoryAuditLog(self.db.audit, self.db.audit_keys, self.journal)

    @cached_property
    def meetings(self) -> MemoryMeetings:
        return MemoryMeetings(self.db.meetings, self.journal)

    @cached_property
    def actions(self) -> MemoryActions:
        return MemoryActions(self.db.actions, self.db.action_events, self.journal)

    @cached_property
    def contexts(self) -> MemoryStepContexts:
        return MemoryStepContexts(self.db.contexts, self.journal)

    @cached_property
    def catalog(self) -> MemoryCatalogStore:
        return MemoryCatalogStore(self.db.documents, self.db.versions, self.journal)

    @cached_property
    def settings(self) -> MemorySettings:
        return MemorySettings(self.db.settings, self.journal)

    @cached_property
    def people(self) -> MemoryPersonalRecords:
        return MemoryPersonalRecords(
            self.db.requests, self.db.actions, self.db.sensitive, self.db.outbox, self.journal
        )

    @cached_property
    def imports(self) -> MemoryImports:
        return MemoryImports(self.db.imported, self.db.indicators, self.journal)

    @cached_property
    def inbound(self) -> MemoryInboundMails:
        return MemoryInboundMails(self.db.inbound, self.journal)

    def writes(self) -> Writes:
        """What this unit of work wrote, as `Store.writes` counts it."""
        made = self.__dict__
        outbox, timers, requests = made.get("outbox"), made.get("timers"), made.get("requests")
        return Writes(
            0 if outbox is None else outbox.added,
            0 if timers is None else timers.writes,
            0 if requests is None else requests.added,
        )


class MemoryStore:
    """Opens units of work on a `MemoryDatabase` (a new, empty one unless given)."""

    retryable: tuple[type[Exception], ...] = ()  # only ConcurrentUpdate, which the engine knows

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db or MemoryDatabase()
        self.audit_keys = self.db.audit_keys
        self._lock = threading.RLock()
        self._writes = Writes()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[MemoryUnitOfWork]:
        with self._lock:
            work = MemoryUnitOfWork(self.db)
            try:
                yield work
            except BaseException:
                work.journal.undo()
                raise
            wrote = work.writes()
            if wrote != NOTHING:
                self._writes += wrote

    def writes(self) -> Writes:
        """What this store's committed units of work wrote so far (`workflow.core.ports`)."""
        return self._writes

    def close(self) -> None:
        """Nothing to release (the data goes with the object)."""


if TYPE_CHECKING:  # mypy checks that the memory store implements every port
    _STORE: Store = MemoryStore()
