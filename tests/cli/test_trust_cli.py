"""`lofte audit verify|head`, `lofte keys rotate`, `lofte backup`/`restore` as an operator
uses them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import open_cycles, request_id, run


def test_verify_finds_tampering_and_init_restores_the_triggers(
    env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-05T10:00:00+01:00")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "Granskningsloggen är intakt" in out
    head = run(capsys, "audit", "head")[1].splitlines()[0]
    database = env.parent / "lofte.db"
    with sqlite3.connect(database) as c:
        c.execute("DROP TRIGGER audit_events_no_update")
        c.execute("UPDATE audit_events SET actor = 'smygare' WHERE seq = 4")
    code, _, err = run(capsys, "audit", "verify", "--head", head)
    assert code == 1 and "händelse nr 4" in err and "har ändrats" in err
    code, out, _ = run(capsys, "init")
    assert "återställde skyddet av granskningsloggen: audit_events_no_update" in out


def test_audit_checks_the_database_given_before_or_after_verify_and_head(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "init")  # ./lofte.db exists and is whole: only the given database may be read
    given = f"sqlite:///{tmp_path}/saknas/lofte.db"
    for args in (
        ("audit", "--database", given, "verify"),
        ("audit", "verify", "--database", given),
        ("audit", "--database", given, "head"),
    ):
        code, _, err = run(capsys, *args)
        assert code == 1 and "saknas/lofte.db" in err, args  # not ./lofte.db


def test_keys_rotate_reencrypts_and_answers_stay_readable(
    env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "init")
    key_file = env.parent / "lofte-data.key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    open_cycles(env, capsys, "2027-01-06T09:30:00+01:00")
    decision = request_id(run(capsys, "status", "--person", "peter-nord")[1], "Peter Nord")
    assert (
        run(
            capsys,
            "submit",
            decision,
            "--as",
            "peter-nord",
            "--set",
            "brottsfenomen=Inbrott",
            "--set",
            "platser=Centrum",
            "--set",
            "motivering=Ökning",
            "--set",
            "namngivna_personer=Kalle Anka",
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "keys", "rotate")
    assert code == 0 and "1 skyddade uppgifter krypterades om" in out
    assert (
        len([line for line in key_file.read_text().splitlines() if not line.startswith("#")]) == 2
    )
    out = run(capsys, "status")[1]
    lolg = next(
        line.split()[0]
        for line in out.split("Senast avslutade", 1)[1].splitlines()
        if "Operativ inriktning" in line
    )
    assert "Kalle Anka" in run(capsys, "show", lolg, "--as", "malin-frost")[1]


def test_backup_and_restore(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-05T10:00:00+01:00")
    copy = tmp_path / "kopia.db"
    code, out, _ = run(capsys, "backup", str(copy))
    assert code == 0 and copy.exists() and "Nyckelfilerna" in out
    code, _, err = run(capsys, "restore", str(copy))
    assert code == 1 and "--force" in err
    code, out, _ = run(capsys, "restore", str(copy), "--force")
    assert code == 0 and "granskningsloggen är intakt" in out
    code, _, err = run(
        capsys, "backup", "x.dump", "--database", "postgresql://postgres@127.0.0.1/test"
    )
    assert code == 1 and "pg_dump" in err
