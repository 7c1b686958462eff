"""What delivery needs of the store. `storage.unit_of_work.SqlStore` provides it structurally
(mypy checks that where the CLI builds the dispatcher, in `cli/wiring.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from lofte.workflow.core.ports import Outbox, UnitOfWork
from lofte.workflow.core.records import CycleInstance, InputRequest, OutboxMessage


class OutboxDelivery(Outbox, Protocol):
    """The engine's outbox plus the queries and updates of delivery."""

    def claim(
        self, now: datetime, stale_before: datetime, by: str, limit: int
    ) -> list[OutboxMessage]:
        """Mark up to `limit` due messages `sending` (one more attempt) and return them."""
        ...

    def claimable(self, now: datetime, stale_before: datetime) -> bool:
        """Whether `claim` would find anything now (a read: no lock is taken)."""
        ...

    def pending_retries(self) -> list[datetime]:
        """When the messages waiting for another try are due."""
        ...

    def mark_sent(self, sent: Sequence[tuple[OutboxMessage, str]], at: datetime, by: str) -> None:
        """Record (message, where it went) as sent, if `by` still holds each message."""
        ...

    def release(self, released: Sequence[tuple[OutboxMessage, str | None]], by: str) -> None:
        """Put messages `by` still holds back to waiting, due at once, their claim's try not
        counted; a note (not None) becomes the message's last error."""
        ...

    def exists(self, key: str) -> bool: ...

    def failing_since(self) -> datetime | None:
        """When the oldest message that is still being retried first failed."""
        ...

    def open_tasks(self, person_id: str) -> list[tuple[InputRequest, CycleInstance]]:
        """A person's open requests in every unit, with their cycles (for the digest)."""
        ...


class DeliveryWork(UnitOfWork, Protocol):
    """A unit of work whose outbox also delivers."""

    @property
    def outbox(self) -> OutboxDelivery: ...


class DeliveryStore(Protocol):
    def unit_of_work(self, *, read_only: bool = False) -> AbstractContextManager[DeliveryWork]: ...
