"""The keyed audit chain and the head kept outside the database: with the triggers dropped,
an owner of the database without the audit key cannot shorten, empty, rewrite or extend the
log unnoticed; a wrong key is named as such; old unkeyed events keep verifying; missing or
altered triggers are reported. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text

from lofte.storage import rows
from lofte.storage.audit_check import verify_store
from lofte.storage.audit_guard import ensure_audit_triggers, trigger_problems
from lofte.storage.audit_head_file import HeadFile
from lofte.storage.audit_keys import throwaway_audit_keys
from lofte.storage.read_model import SqlReadModel
from lofte.storage.tables import AuditRow
from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_verify import Verdict, verify
from lofte.workflow.core.audit_chain import GENESIS, AuditKey, chain_hash, hashed_values
from lofte.workflow.core.records import AuditEvent
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc

A = rows.table(AuditRow)


@pytest.fixture
def h(db_url: str, tmp_path: Path) -> Any:
    """An engine that writes its head to a file, after a week of cycles."""
    built = make_harness(db_url, utc(2027, 1, 1), packaged())
    built.store.head_file = HeadFile(tmp_path / "lofte-audit.head")
    built.run_until(utc(2027, 1, 5, 9))
    sala = built.cycle("est-inventering", "sala", "2027-W01")
    built.answer(sala, "rapportering", "maria-holm", {"inget_att_rapportera": True})
    built.run_until(utc(2027, 1, 6, 12))
    yield built
    built.close()


def check(h: Harness) -> Verdict:
    return verify_store(Application(h.engine, SqlReadModel(h.store.engine)), h.store)


def sql(h: Harness, statement: str) -> None:
    with h.store.engine.begin() as c:
        c.execute(text(statement))


def drop_triggers(h: Harness) -> None:
    if h.store.engine.dialect.name == "postgresql":
        sql(h, "ALTER TABLE audit_events DISABLE TRIGGER USER")
    else:
        sql(h, "DROP TRIGGER audit_events_no_update")
        sql(h, "DROP TRIGGER audit_events_no_delete")


def stored(h: Harness) -> list[dict[str, Any]]:
    with h.store.engine.connect() as c:
        return [dict(r) for r in c.execute(select(A).order_by(A.c.seq)).mappings()]


def rewrite(h: Harness, chain: list[dict[str, Any]]) -> None:
    """What an owner of the database can do: put any rows in the table."""
    with h.store.engine.begin() as c:
        c.execute(delete(A))
        if chain:
            c.execute(insert(A), chain)


def forged(after: dict[str, Any] | None, seq: int, key: AuditKey | None = None) -> dict[str, Any]:
    """An event that follows `after` with a correctly computed hash: without a key (version
    1, as anyone can), or claiming version 2 with `key` (a guessed one)."""
    event = AuditEvent(at=utc(2027, 1, 6, 13), event="input_received", actor="falsk")
    values = hashed_values(event)
    prev = after["hash"] if after else GENESIS
    digest = chain_hash(prev, seq, values, key)
    version, key_id = (1, "") if key is None else (2, key.key_id)
    return values | {
        "seq": seq,
        "prev_hash": prev,
        "hash": digest,
        "chain_version": version,
        "key_id": key_id,
    }


def test_the_chain_is_keyed_and_verifies_against_the_head_file(h: Harness) -> None:
    verdict = check(h)
    assert verdict.ok, verdict.problem
    assert verdict.keyed == verdict.events > 20
    assert verdict.outside is not None and verdict.outside.seq == verdict.head_seq
    assert {r["key_id"] for r in stored(h)} == {h.store.audit_keys.current.key_id}


@pytest.mark.parametrize("left", [20, 0])
def test_deleting_the_last_events_or_all_is_reported_by_the_head_file(
    h: Harness, left: int
) -> None:
    total = check(h).head_seq
    drop_triggers(h)
    sql(h, f"DELETE FROM audit_events WHERE seq > {left}")
    verdict = check(h)
    assert not verdict.ok
    assert (
        f"granskningsloggen slutar vid händelse {left} men huvudet utanför databasen"
        in verdict.problem
    )
    assert f"säger {total}" in verdict.problem
    assert verdict.guard  # the dropped triggers are reported too


def test_a_head_file_removed_with_the_events_is_reported(h: Harness) -> None:
    drop_triggers(h)
    sql(h, "DELETE FROM audit_events WHERE seq > 10")
    assert h.store.head_file is not None
    h.store.head_file.path.unlink()
    verdict = check(h)
    assert not verdict.ok and "saknas fast loggen har 10 nyckelsignerade händelser" in (
        verdict.problem
    )


def test_an_empty_log_beside_cycles_fails_even_without_a_head_file(h: Harness) -> None:
    drop_triggers(h)
    sql(h, "DELETE FROM audit_events")
    h.store.head_file = None
    verdict = check(h)
    assert not verdict.ok and "granskningsloggen är tom men databasen har" in verdict.problem
    assert "cykler" in verdict.problem


def test_an_event_appended_with_the_unkeyed_formula_is_refused(h: Harness) -> None:
    chain = stored(h)
    drop_triggers(h)
    rewrite(h, [*chain, forged(chain[-1], len(chain) + 1)])
    verdict = check(h)
    assert verdict.broken_at == len(chain) + 1
    assert "saknar nyckel" in verdict.problem


def test_an_event_claiming_the_key_without_it_is_refused(h: Harness) -> None:
    chain = stored(h)
    guessed = AuditKey(b"guessed")
    row = forged(chain[-1], len(chain) + 1, guessed) | {"key_id": chain[-1]["key_id"]}
    drop_triggers(h)
    rewrite(h, [*chain, row])
    verdict = check(h)
    assert verdict.broken_at == len(chain) + 1 and "har ändrats" in verdict.problem


def test_a_chain_rewritten_whole_without_the_key_is_caught_by_the_head_file(h: Harness) -> None:
    chain = stored(h)
    drop_triggers(h)
    again: list[dict[str, Any]] = []
    for row in chain:  # every event recomputed as version 1, as anyone can
        again.append(forged(again[-1] if again else None, row["seq"]))
    rewrite(h, again)
    verdict = check(h)
    assert not verdict.ok
    assert f"händelse nr {len(chain)} har inte den hash som huvudet utanför" in verdict.problem


def test_old_unkeyed_events_still_verify_and_keyed_ones_follow_them(h: Harness) -> None:
    old = []
    for seq in range(1, 4):  # as Löfte wrote them before the chain had a key
        old.append(forged(old[-1] if old else None, seq))
    h.store.head_file = None
    drop_triggers(h)
    rewrite(h, old)
    ensure_audit_triggers(h.store.engine)
    h.store.audit_head.set(None)  # the process's cached head is gone with the rows
    h.run_until(utc(2027, 1, 12, 12))
    verdict = check(h)
    assert verdict.ok, verdict.problem
    assert verdict.events > verdict.keyed > 0 and verdict.events - verdict.keyed == 3


def test_a_wrong_key_is_named_not_blamed_on_the_first_event(h: Harness) -> None:
    app = Application(h.engine, SqlReadModel(h.store.engine))
    verdict = verify(app, keys=throwaway_audit_keys())
    assert not verdict.ok and verdict.broken_at == 1
    assert verdict.problem.startswith("fel granskningsnyckel: händelse nr 1 är signerad med")
    assert "har ändrats" not in verdict.problem


def test_missing_and_altered_triggers_are_reported_and_init_restores_them(h: Harness) -> None:
    assert trigger_problems(h.store.engine) == []
    if h.store.engine.dialect.name == "postgresql":
        sql(h, "DROP TRIGGER audit_events_no_truncate ON audit_events")
        sql(
            h,
            "CREATE OR REPLACE FUNCTION lofte_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
        )
        expected = {"audit_events_no_truncate": "saknas", "audit_events_no_update": "är ändrad"}
    else:
        sql(h, "DROP TRIGGER audit_events_no_delete")
        sql(h, "DROP TRIGGER audit_events_no_update")
        sql(
            h,
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT 1; END",
        )
        expected = {"audit_events_no_delete": "saknas", "audit_events_no_update": "är ändrad"}
    verdict = check(h)
    assert not verdict.ok and not verdict.problem  # the chain itself is whole
    for name, state in expected.items():
        assert any(f"skyddstriggern {name} {state}" in p for p in verdict.guard), verdict.guard
    assert all("lofte init" in p for p in verdict.guard)
    assert sorted(ensure_audit_triggers(h.store.engine)) == sorted(expected)
    assert check(h).ok
