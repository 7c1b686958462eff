"""Email incidents sent again: one implementation (workflow.core.outbox_retry) behind the
engine (the web console), the dispatcher and `lofte outbox retry`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lofte.cli.main import main
from lofte.kernel.errors import LofteError, NotFound
from lofte.workflow.core.records import OutboxMessage, OutboxStatus
from tests.harness import Harness, utc


def make_incident(h: Harness, message: OutboxMessage) -> OutboxMessage:
    failed = dataclasses.replace(
        message,
        status=OutboxStatus.FAILED,
        attempts=7,
        first_attempt_at=h.clock.now(),
        claimed_by="dispatcher",
        claimed_at=h.clock.now(),
        last_error="421 tjänsten är nere",
    )
    with h.store.unit_of_work() as uow:
        uow.outbox.save(failed)
    return failed


def current(h: Harness, message_id: int | None) -> OutboxMessage:
    return next(m for m in h.outbox() if m.id == message_id)


def test_an_incident_is_queued_again_with_its_attempts_reset_and_audited(
    harness: Harness,
) -> None:
    h = harness
    h.run_until(utc(2027, 1, 4, 9))
    first, second = h.outbox("input_request")[:2]
    make_incident(h, first)
    queued = h.engine.retry_message(first.id or 0, "admin")
    again = current(h, first.id)
    assert again == queued
    assert again.status is OutboxStatus.PENDING and again.attempts == 0
    assert again.first_attempt_at is None and again.claimed_by is None
    assert again.last_error == "421 tjänsten är nere"  # kept: what went wrong last time
    event = h.audit()[-1]
    assert (event.event, event.actor, event.detail["message_id"]) == (
        "outbox_retry",
        "admin",
        first.id,
    )
    with pytest.raises(LofteError, match="ingen incident"):
        h.engine.retry_message(second.id or 0, "admin")
    with pytest.raises(NotFound, match="det finns inget meddelande"):
        h.engine.retry_message(999_999, "admin")
    assert h.audit()[-1] == event  # nothing more was audited


def test_all_incidents_are_queued_again_in_one_audited_change(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 1, 4, 9))
    for message in h.outbox("input_request")[:3]:
        make_incident(h, message)
    assert h.engine.retry_all_messages("admin") == 3
    assert not [m for m in h.outbox() if m.status is OutboxStatus.FAILED]
    assert h.audit()[-1].event == "outbox_retry_all" and h.audit()[-1].detail == {"messages": 3}
    before = len(h.audit())
    assert h.engine.retry_all_messages("admin") == 0
    assert len(h.audit()) == before  # nothing to do is not audited


def test_the_command_line_retries_through_the_same_implementation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lofte.cli.wiring import connect

    monkeypatch.chdir(tmp_path)
    clock = tmp_path / "clock"
    clock.write_text("2027-01-01T00:00:00+00:00")
    monkeypatch.setenv("LOFTE_CLOCK_FILE", str(clock))
    monkeypatch.delenv("LOFTE_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    clock.write_text("2027-01-04T10:00:00+01:00")
    wired = connect(None)
    wired.engine.run_due()
    messages = wired.app.reads.outbox("pending", 3)
    with wired.store.unit_of_work() as uow:
        for message in messages:
            uow.outbox.save(dataclasses.replace(message, status=OutboxStatus.FAILED, attempts=9))
    wired.close()
    capsys.readouterr()
    assert main(["outbox", "retry", str(messages[0].id), "--as", "alva"]) == 0
    assert f"Meddelande {messages[0].id}" in capsys.readouterr().out
    assert main(["outbox", "retry", "--all"]) == 0
    assert "2 incidenter köade igen" in capsys.readouterr().out
    wired = connect(None)
    events = [e for e in wired.app.reads.audit_events() if e.event.startswith("outbox_retry")]
    assert [(e.event, e.actor) for e in events] == [
        ("outbox_retry", "alva"),
        ("outbox_retry_all", "administrator"),
    ]
    assert wired.app.reads.outbox("failed", 10) == []
    wired.close()
