"""What delivery needs of a unit of work. `storage.unit_of_work.SqlUnitOfWork` provides it."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from workflow.core.ports import AuditLog, CatalogStore, Settings, StepContexts
from workflow.core.records import CycleInstance, InputRequest, OutboxMessage, OutboxStatus


class OutboxDelivery(Protocol):
    def add_many(self, messages: Sequence[OutboxMessage]) -> None: ...

    def claim(
        self, now: datetime, stale_before: datetime, by: str, limit: int
    ) -> list[OutboxMessage]: ...

    def mark_sent(
        self, sent: Sequence[tuple[OutboxMessage, str]], at: datetime, by: str
    ) -> None: ...

    def save(self, message: OutboxMessage) -> None: ...

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage: ...

    def with_status(
        self, status: OutboxStatus, person_id: str | None = None
    ) -> list[OutboxMessage]: ...

    def exists(self, key: str) -> bool: ...

    def failing_since(self) -> datetime | None: ...

    def open_tasks(self, person_id: str) -> list[tuple[InputRequest, CycleInstance]]: ...


class DeliveryWork(Protocol):
    @property
    def outbox(self) -> OutboxDelivery: ...

    @property
    def contexts(self) -> StepContexts: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def catalog(self) -> CatalogStore: ...


class DeliveryStore(Protocol):
    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[Any]: ...
