"""`lofte audit verify` with the audit key and the head file, as an operator and an auditor
meet them: a shortened or emptied log, a missing or wrong key, a rotated key, a restore."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lofte.storage.sensitive_keys import new_key
from tests.cli.test_cli import open_cycles, run


def _events(folder: Path) -> int:
    with sqlite3.connect(folder / "lofte.db") as c:
        return int(c.execute("SELECT count(*) FROM audit_events").fetchone()[0])


def _tamper(folder: Path, statement: str) -> None:
    with sqlite3.connect(folder / "lofte.db") as c:
        c.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        c.execute(statement)


@pytest.mark.parametrize("left", [5, 0])
def test_a_shortened_or_emptied_log_fails_verify_without_head(
    env: Path, capsys: pytest.CaptureFixture[str], left: int
) -> None:
    folder = env.parent
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-05T10:00:00+01:00")
    total = _events(folder)
    head = folder / "lofte-audit.head"
    assert head.exists() and oct(head.stat().st_mode)[-3:] == "600"
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and f"når huvudet i {head} (nr {total})" in out, out
    _tamper(folder, f"DELETE FROM audit_events WHERE seq > {left}")
    code, out, err = run(capsys, "audit", "verify")
    assert code == 1 and out == ""
    assert (
        f"granskningsloggen slutar vid händelse {left} men huvudet utanför databasen "
        f"({head}) säger {total}" in err
    )
    assert "skyddstriggern audit_events_no_delete saknas" in err and "lofte init" in err
    assert "Traceback" not in err


def test_without_the_audit_key_commands_refuse_to_start_and_verify_says_why(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = env.parent
    run(capsys, "init")
    key = folder / "lofte-audit.key"
    assert oct(key.stat().st_mode)[-3:] == "600"
    open_cycles(env, capsys, "2027-01-05T10:00:00+01:00")
    key.rename(folder / "elsewhere.key")
    code, _, err = run(capsys, "status")
    assert code == 1 and "granskningsnyckeln saknas" in err and "LOFTE_AUDIT_KEY_FILE" in err
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "granskningsnyckeln saknas" in err and "har ändrats" not in err


def test_a_wrong_key_is_named_and_a_rotated_key_keeps_old_events_verifiable(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = env.parent
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-05T10:00:00+01:00")
    monkeypatch.setenv("LOFTE_AUDIT_KEY", new_key().decode())
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "fel granskningsnyckel: händelse nr 1" in err
    monkeypatch.delenv("LOFTE_AUDIT_KEY")
    code, out, _ = run(capsys, "keys", "rotate-audit")
    assert code == 0 and "Ny granskningsnyckel" in out
    key = folder / "lofte-audit.key"
    secrets = [line for line in key.read_text().splitlines() if not line.startswith("#")]
    assert len(secrets) == 2
    open_cycles(env, capsys, "2027-01-12T10:00:00+01:00")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "Granskningsloggen är intakt" in out
    key.write_text(secrets[0] + "\n")  # the old key dropped: its events cannot be checked
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "fel granskningsnyckel" in err and "gamla nycklarna" in err


def test_a_restore_starts_the_head_file_again_and_says_what_was_lost(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-05T10:00:00+01:00")
    copy = tmp_path / "kopia.db"
    assert run(capsys, "backup", str(copy))[0] == 0
    open_cycles(env, capsys, "2027-01-12T10:00:00+01:00")
    code, out, _ = run(capsys, "restore", str(copy), "--force")
    assert code == 0 and "Obs: huvudfilen" in out and "finns inte längre" in out
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "Granskningsloggen är intakt" in out
