"""Storage: every persisted shape round-trips, timestamps stay aware UTC, the audit log is
append-only, migrations are idempotent. Against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, StatementError

from storage.database import is_migrated, make_engine, migrate
from storage.sql_store import SqlStore
from workflow.errors import ConfigError
from workflow.records import (
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    DefinitionVersion,
    InputRequest,
    MessageKind,
    OutboxMessage,
    Outcome,
    RequestStatus,
    StepRun,
    Submission,
    Timer,
    TimerKind,
    TimerStatus,
)

T0 = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # the night summer time starts


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)  # idempotent
    assert is_migrated(engine)
    yield SqlStore(engine)
    engine.dispose()


def test_every_record_round_trips(store: SqlStore) -> None:
    cet = timezone(timedelta(hours=1))
    with store.transaction() as tx:
        tx.add_definition(DefinitionVersion("est-mote", 1, "name: est-mote\n", "a" * 64, T0))
        stored_definition = tx.latest_definition("est-mote")
        instance = tx.add_instance(
            CycleInstance(
                "est-mote",
                1,
                "2027-W13",
                "v.13 2027",
                T0,
                T0.astimezone(cet),
                T0 + timedelta(14),
                T0,
                "mote",
                {"est-inventering": {"label": "Å ä ö", "answers": [{"x": 1}]}},
            )
        )
        step = tx.add_step_run(
            StepRun(instance.id or 0, "mote", T0, T0 + timedelta(2), T0 + timedelta(3))
        )
        request = tx.add_request(
            InputRequest(
                instance.id or 0,
                step.id or 0,
                "mote",
                "lars-berg",
                ("samordnare",),
                T0,
                T0 + timedelta(2),
                {"values": {"Insats": "Belysning"}},
            )
        )
        submission = tx.add_submission(
            Submission(
                request.id or 0,
                instance.id or 0,
                "mote",
                "lars-berg",
                T0,
                {"a": [1, "två"]},
                {"namn": "hemligt"},
            )
        )
        timer = Timer(
            "deadline:1",
            TimerKind.DEADLINE,
            T0,
            "est-mote",
            instance.id,
            step.id,
            request.id,
            {"number": 2},
        )
        assert tx.add_timer(timer) and not tx.add_timer(timer)
        message = OutboxMessage(
            "request:1",
            MessageKind.INPUT_REQUEST,
            "lars-berg",
            "lars.berg@sala.example.se",
            "sv",
            T0,
            {"deadline": "x"},
            instance.id,
            request.id,
        )
        assert tx.add_outbox(message) and not tx.add_outbox(message)
        tx.add_completion(
            CompletionRecord(
                instance.id or 0,
                Outcome.COMPLETED_LATE,
                "completed",
                T0,
                ({"person_id": "johan-sjo"},),
                2,
            )
        )
        tx.add_audit(
            AuditEvent(
                T0,
                "est-mote",
                1,
                "cycle_opened",
                "timer",
                instance.id,
                None,
                "mote",
                {"period": "2027-W13"},
            )
        )
    with store.transaction() as tx:
        assert tx.latest_definition("est-mote") == stored_definition
        loaded = tx.instance(instance.id or 0)
        assert loaded == instance
        assert loaded.opens_at.tzinfo is UTC and loaded.opens_at == T0
        assert tx.step_run(step.id or 0) == step
        assert tx.request(request.id or 0) == request
        assert tx.submissions_for_step(instance.id or 0, "mote") == [submission]
        claimed = tx.claim_due_timer(T0)
        assert claimed is not None and claimed == dataclasses_replace_id(timer, claimed.id)
        assert tx.requests_after(0) == [request]
    from storage import queries

    with store.reading() as session:
        assert queries.outbox(session) == [dataclasses_replace_id(message, 1)]
        record = queries.completions(session)[instance.id or 0]
        assert record.outcome is Outcome.COMPLETED_LATE and record.missing[0]["person_id"]
        assert queries.audit_events(session)[0].detail == {"period": "2027-W13"}


def dataclasses_replace_id(record: object, new_id: int | None) -> object:
    import dataclasses

    return dataclasses.replace(record, id=new_id)  # type: ignore[type-var]


def test_naive_timestamps_are_refused(store: SqlStore) -> None:
    with pytest.raises(StatementError, match="naive datetime"), store.transaction() as tx:
        tx.add_audit(AuditEvent(datetime(2027, 1, 1), "x", 1, "e", "a"))


def test_the_audit_log_is_append_only(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.add_audit(AuditEvent(T0, "est-mote", 1, "cycle_opened", "timer"))
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as c:
            c.execute(text(statement))
    with store.engine.connect() as c:
        assert c.execute(text("SELECT actor FROM audit_events")).scalar_one() == "timer"


def test_timer_claim_skips_timers_of_a_cycle_with_an_earlier_pending_one(
    store: SqlStore,
) -> None:
    with store.transaction() as tx:
        tx.add_timer(Timer("b", TimerKind.EXPIRY, T0 + timedelta(hours=2), "d", None))
        tx.add_timer(Timer("a", TimerKind.CYCLE_OPEN, T0 + timedelta(hours=1), "d", None))
    with store.transaction() as tx:
        first = tx.claim_due_timer(T0 + timedelta(hours=3))
        assert first is not None and first.key == "a"
        tx.finish_timer(dataclasses_replace_status(first))
    with store.transaction() as tx:
        second = tx.claim_due_timer(T0 + timedelta(hours=3))
        assert second is not None and second.key == "b"


def dataclasses_replace_status(timer: Timer) -> Timer:
    import dataclasses

    return dataclasses.replace(timer, status=TimerStatus.FIRED, fired_at=T0, fired_by="t")


def test_unsupported_or_broken_database_urls_are_explained() -> None:
    with pytest.raises(ConfigError, match="only sqlite:/// and postgresql://"):
        make_engine("mysql://root@localhost/x")
    with pytest.raises(ConfigError, match="not valid"):
        make_engine("not a url")
    with pytest.raises(ConfigError, match="does not exist"):
        make_engine("sqlite:////no/such/folder/lofte.db")


def test_request_status_values_are_stable() -> None:
    # Stored as text: renaming one would orphan rows, so the values are part of the schema.
    assert [s.value for s in RequestStatus] == ["open", "answered", "missing", "cancelled"]


def test_a_setting_made_by_racing_processes_ends_up_the_same_for_both(store: SqlStore) -> None:
    import threading

    barrier = threading.Barrier(2, timeout=30)
    results: list[str] = []

    def make(value: str) -> None:
        with store.transaction() as tx:
            barrier.wait()
            results.append(tx.setting_or_default("link_secret", value))

    threads = [threading.Thread(target=make, args=(v,)) for v in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2 and results[0] == results[1] in ("first", "second")
    with store.transaction() as tx:
        assert tx.setting("link_secret") == results[0]
