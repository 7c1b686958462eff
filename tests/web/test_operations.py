"""`/healthz`, `/readyz` and `/metrics` through real HTTP on Flask's test client, over the engine
in virtual time: readiness follows the engine's heartbeat, the figures are the database's at the
moment of the scrape, and only the configured addresses or the token may read them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from lofte.storage import rows
from lofte.storage.database import make_engine
from lofte.storage.operations_read import SqlOperationsReads
from lofte.storage.repositories.audit import A as AUDIT
from lofte.web.operations_settings import Operations, from_environment
from lofte.workflow.application.operations import HEARTBEAT_KEY, Heartbeat, readiness
from tests.harness import Harness, utc
from tests.web.support import web_app

TOKEN = "t0k3n-" + "a" * 40


@pytest.fixture
def web(harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    """On SQLite and on PostgreSQL."""
    h = harness
    h.run_until(utc(2027, 1, 4, 9))
    settings = from_environment(
        {"LOFTE_METRICS_FROM": "127.0.0.1, 10.20.0.0/16", "LOFTE_METRICS_TOKEN": TOKEN}
    )
    reads = SqlOperationsReads(h.store.engine)
    yield h, web_app(h, operations=Operations(settings, reads))


def scrape(app: Flask, address: str = "127.0.0.1", **headers: str) -> dict[str, float]:
    response = app.test_client().get(
        "/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    figures = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        assert family.documentation, family.name  # every figure says what it counts
        for sample in family.samples:
            label = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            figures[sample.name + (f"{{{label}}}" if label else "")] = sample.value
    return figures


def test_healthz_answers_while_the_process_runs_and_is_never_stored(
    web: tuple[Harness, Flask],
) -> None:
    _, app = web
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_readiness_follows_the_engines_heartbeat_in_virtual_time(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "redo": False,
        "kontroller": {
            "databas": "svarar",
            "schema": "aktuellt",
            "motor": "ingen motor har skrivit något hjärtslag (`lofte run`)",
        },
    }
    heartbeat = Heartbeat(h.store, h.clock, "motor-1")
    heartbeat.beat()
    assert client.get("/readyz").status_code == 200
    h.clock.advance(timedelta(seconds=119))
    assert client.get("/readyz").status_code == 200
    h.clock.advance(timedelta(seconds=2))  # 121 s since the beat
    stale = client.get("/readyz")
    assert stale.status_code == 503 and stale.headers["Cache-Control"] == "no-store"
    assert stale.json["kontroller"]["motor"].startswith("tyst för länge")  # type: ignore[index]
    assert "121 s sedan från motor-1" in stale.json["kontroller"]["motor"]  # type: ignore[index]
    heartbeat.beat()  # the engine is back
    assert client.get("/readyz").status_code == 200


def test_a_heartbeat_is_written_at_most_every_30_seconds(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    heartbeat = Heartbeat(h.store, h.clock, "motor-1")

    def stored() -> str | None:
        with h.store.unit_of_work(read_only=True) as uow:
            return uow.settings.get(HEARTBEAT_KEY)

    heartbeat.beat()
    first = stored()
    h.clock.advance(timedelta(seconds=29))
    heartbeat.beat()
    assert stored() == first
    h.clock.advance(timedelta(seconds=1))
    heartbeat.beat()
    assert stored() != first and h.clock.now().isoformat() in (stored() or "")


def test_readiness_says_so_when_the_schema_is_not_current_or_the_database_is_away(
    sqlite_harness: Harness, tmp_path: object
) -> None:
    h = sqlite_harness
    Heartbeat(h.store, h.clock, "motor-1").beat()
    empty = SqlOperationsReads(make_engine(f"sqlite:///{tmp_path}/tom.db"))
    verdict = readiness(empty, h.clock.now())
    assert not verdict.ready and verdict.checks["schema"] == "inte aktuellt: kör `lofte init`"
    away = SqlOperationsReads(make_engine("postgresql://postgres@127.0.0.1:1/finns-inte"))
    verdict = readiness(away, h.clock.now())
    assert not verdict.ready and verdict.checks == {"databas": "svarar inte"}


def test_the_figures_are_the_databases_at_the_moment_of_the_scrape(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    with h.store.reading() as c:
        pending = c.execute(
            select(func.count()).where(rows.TIMERS.c.status == "pending")
        ).scalar_one()
        waiting = c.execute(
            select(func.count(), func.min(rows.OUTBOX.c.created_at)).where(
                rows.OUTBOX.c.status == "pending"
            )
        ).one()
        head = c.execute(select(func.max(AUDIT.c.seq))).scalar_one()
    cycles = [c for c in h.cycles() if c.closed_at is None]
    figures = scrape(app)
    assert figures["lofte_timers_pending"] == pending > 0
    assert figures["lofte_timers_overdue"] == 0  # the harness fired everything due
    assert figures["lofte_timer_incidents"] == 0
    assert figures["lofte_messages_waiting"] == waiting[0] > 0  # nothing delivers here
    oldest = (h.clock.now() - waiting[1].replace(tzinfo=h.clock.now().tzinfo)).total_seconds()
    assert figures["lofte_messages_oldest_waiting_age_seconds"] == oldest
    assert figures["lofte_message_incidents"] == 0
    for name in {c.definition_name for c in cycles}:
        count = sum(1 for c in cycles if c.definition_name == name)
        assert figures[f"lofte_cycles_open{{definition={name}}}"] == count
    assert figures["lofte_answers_last_24h"] == 0
    assert figures["lofte_engine_heartbeat_age_seconds"] == float("inf")
    assert figures["lofte_audit_head_sequence"] == head > 0

    week = h.cycle("est-inventering", "sala", "2027-W01")
    h.answer(week, "rapportering", "tove-lind", {"inget_att_rapportera": True})
    Heartbeat(h.store, h.clock, "motor-1").beat()
    h.clock.advance(timedelta(minutes=50))  # nothing fires meanwhile
    figures = scrape(app)
    assert figures["lofte_answers_last_24h"] == 1
    assert figures["lofte_engine_heartbeat_age_seconds"] == 3000
    assert figures["lofte_audit_head_sequence"] > head
    assert figures["lofte_messages_oldest_waiting_age_seconds"] == oldest + 3000
    with h.store.unit_of_work(read_only=True) as uow:
        due = uow.timers.next_due()
    assert due is not None
    h.clock.set(due + timedelta(minutes=2))  # the engine is not running: the timer waits
    figures = scrape(app)
    with h.store.reading() as c:
        overdue = c.execute(
            select(func.count()).where(
                rows.TIMERS.c.status == "pending",
                rows.TIMERS.c.due_at < h.clock.now() - timedelta(minutes=1),
            )
        ).scalar_one()
    assert figures["lofte_timers_overdue"] == overdue > 0
    h.clock.advance(timedelta(hours=24))
    assert scrape(app)["lofte_answers_last_24h"] == 0


def test_metrics_answer_only_the_configured_addresses_or_the_token(
    web: tuple[Harness, Flask],
) -> None:
    _, app = web
    client = app.test_client()

    def status(address: str, authorization: str | None = None) -> int:
        headers = {"Authorization": authorization} if authorization else {}
        response = client.get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)
        assert response.headers["Cache-Control"] == "no-store"
        return response.status_code

    assert status("127.0.0.1") == 200
    assert status("10.20.3.4") == 200  # in 10.20.0.0/16
    assert status("::ffff:10.20.3.4") == 200  # the same, as IPv6
    assert status("10.21.0.1") == 403
    assert status("192.0.2.7") == 403
    assert status("192.0.2.7", "Bearer fel-token-" + "b" * 40) == 403
    assert status("192.0.2.7", f"Basic {TOKEN}") == 403
    assert status("192.0.2.7", f"Bearer {TOKEN}") == 200
    refused = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert "LOFTE_METRICS_FROM" in refused.get_data(as_text=True)
    assert "lofte_" not in refused.get_data(as_text=True)


def test_without_configuration_metrics_answer_nobody(sqlite_harness: Harness) -> None:
    app = web_app(sqlite_harness)
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 403
