"""Trust: a verifiable audit log (tampering found even without the triggers), sensitive values
encrypted at rest with rotation and erasure, and a backup that restores and carries on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lofte.storage.audit_guard import ensure_audit_triggers, present_triggers
from lofte.storage.backup import backup, restore
from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_verify import verify
from lofte.workflow.application.show import show_cycle
from lofte.workflow.application.visibility import viewer_for
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc

LOLG_DECISION = {
    "brottsfenomen": "Bostadsinbrott",
    "platser": "Centrum",
    "motivering": "Ökning",
    "namngivna_personer": "Kalle Anka, född 1934",
}


def app_of(h: Harness) -> Application:
    return Application(h.engine, SqlReadModel(h.store.engine))


def run_some(h: Harness) -> None:
    h.run_until(utc(2027, 1, 5, 9))
    sala = h.cycle("est-inventering", "sala", "2027-W01")
    h.answer(sala, "rapportering", "maria-holm", {"inget_att_rapportera": True})
    h.run_until(utc(2027, 1, 6, 12))


def sql(h: Harness, statement: str) -> None:
    with h.store.engine.begin() as c:
        c.execute(text(statement))


def test_an_untouched_log_verifies_and_its_head_can_be_kept(harness: Harness) -> None:
    run_some(harness)
    verdict = verify(app_of(harness))
    assert verdict.ok and verdict.events == len(harness.audit()) > 20
    assert verify(app_of(harness), (verdict.head_seq, verdict.head_hash)).ok


def test_the_triggers_refuse_update_delete_and_truncate(harness: Harness) -> None:
    run_some(harness)
    statements = ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events WHERE seq = 2"]
    if harness.store.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            sql(harness, statement)


@pytest.mark.parametrize("tamper", ["delete", "alter", "insert", "truncate_tail"])
def test_tampering_without_the_triggers_is_found_at_the_first_broken_link(
    harness: Harness, tamper: str
) -> None:
    h = harness
    run_some(h)
    head = verify(app_of(h))
    postgres = h.store.engine.dialect.name == "postgresql"
    if postgres:
        sql(h, "ALTER TABLE audit_events DISABLE TRIGGER USER")
    else:
        sql(h, "DROP TRIGGER audit_events_no_update")
        sql(h, "DROP TRIGGER audit_events_no_delete")
    if tamper == "delete":
        sql(h, "DELETE FROM audit_events WHERE seq = 7")
    elif tamper == "alter":
        sql(h, "UPDATE audit_events SET actor = 'någon annan' WHERE seq = 9")
    elif tamper == "insert":
        sql(h, "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 12")
        sql(h, "UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1012")
        sql(
            h,
            "INSERT INTO audit_events (seq, at, unit_id, definition_name, definition_version, "
            "event, actor, "
            "detail, prev_hash, hash) SELECT 12, at, unit_id, definition_name, definition_version, "
            "'input_received', 'falsk', '{}', hash, hash FROM audit_events WHERE seq = 11",
        )
    else:
        sql(h, f"DELETE FROM audit_events WHERE seq > {head.head_seq - 3}")
    verdict = verify(app_of(h), (head.head_seq, head.head_hash))
    assert not verdict.ok
    expected = {"delete": 7, "alter": 9, "insert": 12, "truncate_tail": head.head_seq - 2}[tamper]
    assert verdict.broken_at == expected, verdict.problem
    # `lofte init` (migrate) puts the protection back and says so.
    restored = ensure_audit_triggers(h.store.engine)
    assert restored and set(restored) <= present_triggers(h.store.engine)


def test_sensitive_values_are_encrypted_viewed_on_record_and_erased_after_retention(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 6, 8))
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    h.run_until(utc(2027, 1, 6, 9))
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    h.answer(lolg, "beslut", "peter-nord", LOLG_DECISION)
    with h.store.reading() as c:
        stored = [p for (p,) in c.execute(text("SELECT payload FROM sensitive_values"))]
        dump = " ".join(str(r) for r in c.execute(text("SELECT * FROM input_requests")))
    assert stored and "Kalle" not in stored[0] and "Kalle" not in dump
    app = app_of(h)
    shown = show_cycle(app, viewer_for(app.directory(), "sara-strand"), lolg.id or 0)
    values = [v for s in shown.steps for r in s.requests for _, v in r.sensitive]
    assert "Kalle Anka, född 1934" in values
    viewed = [e for e in h.audit(lolg) if e.event == "sensitive_viewed"]
    assert viewed and viewed[-1].actor == "sara-strand"
    h.run_until(h.clock.now() + timedelta(days=91))
    assert "sensitive_erased" in h.events(lolg)
    shown = show_cycle(app, viewer_for(app.directory(), "sara-strand"), lolg.id or 0)
    assert "Kalle Anka, född 1934" not in [
        v for s in shown.steps for r in s.requests for _, v in r.sensitive
    ]


def test_a_backup_restores_verifies_and_the_cycles_carry_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    h = make_harness(url, utc(2027, 1, 1), packaged())
    run_some(h)
    copy = tmp_path / "backup.db"
    backup(h.store.engine, copy)
    with pytest.raises(Exception, match="finns redan"):
        backup(h.store.engine, copy)
    before = len(h.audit())
    h.close()
    restored = tmp_path / "restored.db"
    restore(copy, restored, overwrite=False)
    again = make_harness(  # the audit key is kept apart from the database, and comes along
        f"sqlite:///{restored}", utc(2027, 1, 5, 9), packaged(), h.store.audit_keys
    )
    assert verify(app_of(again)).ok and len(again.audit()) >= before
    again.run_until(utc(2027, 1, 19))
    assert len(again.cycles("est-inventering", "sala")) == 3
    assert verify(app_of(again)).ok
    again.close()
