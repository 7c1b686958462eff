"""Delivery records what happened, once. The engine and the delivery job append to the audit
log from stores of their own (as from two processes); when recording a delivered batch
collides with the engine's appends, the recording is done again, so nothing delivered is sent
a second time; a message whose recording fails for good becomes an incident, never a silent
re-send. Counted at a real SMTP server that refuses one address."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher
from lofte.notifications.transports import transport_for
from lofte.storage.database import make_engine
from lofte.storage.repositories.outbox import SqlOutbox
from lofte.storage.sensitive_keys import throwaway_cipher
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.core.records import OutboxStatus
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.notifications.conftest import SmtpServer

REFUSED = "maria.holm@sala.example.se"


@pytest.fixture
def engine_and_delivery(db_url: str) -> Iterator[tuple[Harness, SqlStore]]:
    h = make_harness(db_url, utc(2027, 1, 1), packaged())
    delivery = SqlStore(make_engine(db_url), throwaway_cipher())
    yield h, delivery
    delivery.close()
    h.close()


def deliver_alongside(
    h: Harness, store: SqlStore, server: SmtpServer, weeks: int, **env: str
) -> Dispatcher:
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "7", **server.env(**env)})
    dispatcher = Dispatcher(
        store, h.clock, transport_for(settings), settings, lease=timedelta(minutes=10)
    )
    end = h.clock.now() + timedelta(weeks=weeks)
    while h.clock.now() < end:
        h.run_until(h.clock.now() + timedelta(minutes=20))  # the engine appends ...
        dispatcher.run_once()  # ... and so does the delivery job, from its own store
    return dispatcher


def test_a_collision_with_the_engine_while_recording_sends_nothing_twice(
    engine_and_delivery: tuple[Harness, SqlStore], smtp_server: Any
) -> None:
    h, store = engine_and_delivery
    server: SmtpServer = smtp_server("plain")
    server.mailbox.refused = {REFUSED}
    deliver_alongside(h, store, server, weeks=2)
    delivered = Counter(server.mailbox.message_ids())
    assert delivered and max(delivered.values()) == 1, delivered.most_common(3)
    outbox = h.outbox()
    assert not [m for m in outbox if m.status is OutboxStatus.SENDING]
    refused = [m for m in outbox if m.recipient == REFUSED]
    assert refused and {m.status for m in refused} <= {OutboxStatus.FAILED, OutboxStatus.EXPIRED}
    sent = {m.key for m in outbox if m.status is OutboxStatus.SENT}
    assert len(sent) == len(delivered)
    incidents = [e for e in h.audit() if e.event == "outbox_incident"]
    assert len(incidents) == len([m for m in refused if m.status is OutboxStatus.FAILED])


def test_when_every_address_is_refused_nothing_stays_sending(
    engine_and_delivery: tuple[Harness, SqlStore], smtp_server: Any
) -> None:
    """Every message, the daily digests of people who want them included, ends as an incident
    (it was: a digest stayed `sending` for good)."""
    h, store = engine_and_delivery
    server: SmtpServer = smtp_server("plain")
    server.mailbox.answer = "550 5.7.1 Inget tas emot"
    deliver_alongside(h, store, server, weeks=1)
    h.run_until(h.clock.now() + timedelta(minutes=20))
    outbox = h.outbox()
    assert server.mailbox.received == []
    assert [m.kind.value for m in outbox if m.kind.value == "digest"]
    stuck = [(m.kind.value, m.recipient) for m in outbox if m.status is OutboxStatus.SENDING]
    assert stuck == []
    assert {m.status for m in outbox} <= {
        OutboxStatus.FAILED,
        OutboxStatus.EXPIRED,
        OutboxStatus.DIGESTED,
        OutboxStatus.HELD,  # for tomorrow's digest
        OutboxStatus.PENDING,  # made in the last run of the engine, not yet due
    }


def test_a_batch_that_cannot_be_recorded_becomes_incidents_not_a_second_delivery(
    engine_and_delivery: tuple[Harness, SqlStore], smtp_server: Any, monkeypatch: Any
) -> None:
    """Recording fails for good (a fault put into `mark_sent`): the delivered messages become
    incidents an administrator can send again; none is delivered a second time."""
    h, store = engine_and_delivery
    server: SmtpServer = smtp_server("plain")
    h.run_until(utc(2027, 1, 4, 8))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("raden kan inte skrivas")

    monkeypatch.setattr(SqlOutbox, "mark_sent", broken)
    dispatcher = deliver_alongside(h, store, server, weeks=0)
    report = dispatcher.run_once()
    monkeypatch.undo()
    assert report.incidents == len(server.mailbox.received) > 0
    failed = [m for m in h.outbox() if m.status is OutboxStatus.FAILED]
    assert len(failed) == report.incidents
    assert all(m.last_error and "kunde inte registreras" in m.last_error for m in failed)
    deliver_alongside(h, store, server, weeks=1)
    delivered = Counter(server.mailbox.message_ids())
    assert max(delivered.values()) == 1


def test_results_kept_while_the_store_is_unreachable_are_recorded_first_and_sent_once(
    engine_and_delivery: tuple[Harness, SqlStore], smtp_server: Any, monkeypatch: Any
) -> None:
    h, store = engine_and_delivery
    server: SmtpServer = smtp_server("plain")
    h.run_until(utc(2027, 1, 4, 8))
    dispatcher = deliver_alongside(h, store, server, weeks=0)
    opened = store.unit_of_work
    unreachable = True

    def sometimes(*, read_only: bool = False) -> Any:
        if unreachable and not read_only:
            raise OperationalError("COMMIT", {}, Exception("servern svarar inte"))
        return opened(read_only=read_only)

    claimed = []
    real_claim = SqlOutbox.claim

    def claim_then_fail(self: Any, *args: Any, **kwargs: Any) -> Any:
        found = real_claim(self, *args, **kwargs)
        claimed.extend(found)
        monkeypatch.setattr(store, "unit_of_work", sometimes)  # lost once the batch is claimed
        return found

    monkeypatch.setattr(SqlOutbox, "claim", claim_then_fail)
    dispatcher.run_once()
    monkeypatch.setattr(SqlOutbox, "claim", real_claim)
    sent_before = len(server.mailbox.received)
    assert sent_before > 0 and claimed
    handed = {m.id for m in h.outbox() if m.status is OutboxStatus.SENDING}
    assert len(handed) == sent_before and handed <= {c.id for c in claimed}
    unreachable = False
    h.clock.set(h.clock.now() + timedelta(hours=2))  # past the lease: nothing is sent again
    dispatcher.run_once()
    assert {m.status for m in h.outbox() if m.id in handed} == {OutboxStatus.SENT}
    assert max(Counter(server.mailbox.message_ids()).values()) == 1
