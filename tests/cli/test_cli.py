"""The command line as a new user meets it: init, run, status, submit, simulate, audit, show,
definitions; bad arguments get a clear message and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from definitions.loader import PACKAGED_DIR


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a virtual clock file and the default database URL."""
    monkeypatch.chdir(tmp_path)
    clock = tmp_path / "clock"
    clock.write_text("2027-01-01T00:00:00+00:00")
    monkeypatch.setenv("LOFTE_CLOCK_FILE", str(clock))
    monkeypatch.delenv("LOFTE_DATABASE_URL", raising=False)
    return clock


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def pending_request(status_output: str, text: str) -> str:
    """The request id of the first pending-input line that mentions `text`."""
    section = status_output.split("Väntande svar", 1)[1].split("Senast avslutade", 1)[0]
    return next(line.split()[0] for line in section.splitlines() if text in line)


def test_status_before_init_says_what_to_do(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "status")
    assert code == 1 and "run `lofte init` first" in err


def test_init_run_status_submit(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init")
    assert code == 0 and "est-inventering: version 1" in out and (env.parent / "lofte.db").exists()
    assert "inga ändringar" in run(capsys, "init")[1]

    env.write_text("2027-01-04T10:00:00+01:00")
    code, out, _ = run(capsys, "run", "--exit-when-idle")
    assert code == 0 and "opened est-inventering 2027-W01" in out

    code, out, _ = run(capsys, "status", "--person", "maria-holm")
    assert code == 0 and "rapportering" in out and "tors 7 jan 12:00" in out
    request_id = pending_request(out, "maria-holm")

    answer = env.parent / "svar.yaml"
    answer.write_text(
        "iakttagelser:\n  - kategori: nedskräpning\n    plats: Parken\n"
        "    tidpunkt: 2027-01-03T20:00\n    beskrivning: Skräp efter helgen\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "submit", request_id, "--as", "maria-holm", "--file", str(answer))
    assert code == 0 and f"Svar på förfrågan {request_id} registrerat" in out
    code, _, err = run(capsys, "submit", request_id, "--as", "maria-holm", "--file", str(answer))
    assert code == 1 and "is answered and can no longer be answered" in err

    code, out, _ = run(capsys, "audit")
    assert code == 0 and "2027-W01" in out and "Perioder utan cykel: inga" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["submit", "abc", "--as", "x", "--set", "a=1"], "'abc' is not a whole number"),
        (["submit", "1", "--set", "a=1"], "REQUEST_ID with --as PERSON, or --token TOKEN"),
        (["submit", "1", "--as", "x", "--token", "t", "--set", "a=1"], "not both"),
        (["submit", "1", "--as", "x"], "give the answer with --file FILE or --set FIELD=VALUE"),
        (["submit", "1", "--as", "x", "--set", "novalue"], "expected FIELD=VALUE"),
        (["submit", "1", "--as", "x", "--file", "nope.yaml"], "--file nope.yaml: cannot read"),
        (["simulate", "--from", "2027-13-01", "--weeks", "2"], "is not a date"),
        (["simulate", "--from", "2027-01-04", "--weeks", "0"], "0 must be at least 1"),
        (
            ["simulate", "--from", "2027-01-04", "--weeks", "2", "--response-rate", "1.5"],
            "1.5 is not between 0 and 1",
        ),
        (["run", "--tick", "-1"], "must be more than 0 seconds"),
        (["status", "--database", "mysql://x"], "only sqlite:/// and postgresql://"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_non_zero_exit(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code != 0 and message in err, err


def test_bad_submission_through_the_cli_stores_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    env.write_text("2027-01-04T10:00:00+01:00")
    run(capsys, "run", "--exit-when-idle")
    before = run(capsys, "status", "--person", "lars-berg")[1]
    request_id = pending_request(before, "rapportering")
    code, _, err = run(
        capsys,
        "submit",
        request_id,
        "--as",
        "lars-berg",
        "--set",
        'iakttagelser=[{"kategori": "annat"}]',
    )
    assert code == 1 and "iakttagelser[0].kategori: 'annat' is not one of" in err
    assert "iakttagelser[0].plats: required" in err
    assert run(capsys, "status", "--person", "lars-berg")[1] == before


def test_simulate_json_counts_every_cycle(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "--from", "2027-01-04", "--weeks", "13", "--seed", "7", "--json"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    summary = json.loads(out)["definitions"]
    assert summary["est-inventering"]["opened"] == 13
    assert summary["est-mote"]["opened"] == 6 and summary["operativ-inriktning"]["opened"] == 7
    assert summary["inriktningsbeslut"]["opened"] == 1  # 1 March, for Q2
    assert summary["uppfoljning"]["opened"] == 1  # 15 February, for Q1
    for counts in summary.values():
        ended = counts["completed_on_time"] + counts["completed_late"]
        assert ended + counts["closed_incomplete"] + counts["still_open"] == counts["opened"]
    short = ["simulate", "--from", "2027-01-04", "--weeks", "3", "--seed", "7", "--json"]
    assert run(capsys, *short)[1] == run(capsys, *short)[1]  # the same seed, the same run
    silent = json.loads(run(capsys, *short[:-1], "--response-rate", "0", "--json")[1])
    assert silent["definitions"]["est-inventering"]["completed_on_time"] == 0
    assert silent["answers"] == 0
    assert not (env.parent / "lofte.db").exists()  # a throw-away database


def test_simulate_table_shows_cycles_and_outcomes(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "simulate",
        "--from",
        "2027-01-04",
        "--weeks",
        "3",
        "--database",
        "sqlite:///demo.db",
    )
    assert code == 0 and "EST-inventering" not in out  # names, not titles, in the table
    assert "est-inventering      v.1 2027" in out and "Definition" in out
    assert "lofte status --database sqlite:///demo.db" in out
    code, out, _ = run(capsys, "show", "1", "--database", "sqlite:///demo.db")
    assert code == 0 and "cykel 1" in out


def test_sensitive_answers_show_only_to_roles_that_may_see_them(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    env.write_text("2027-01-06T09:00:00+01:00")  # the follow-up expired: the decision is asked
    run(capsys, "run", "--exit-when-idle")
    out = run(capsys, "status", "--person", "peter-nord")[1]
    request_id = pending_request(out, "beslut")
    code, _, err = run(
        capsys,
        "submit",
        request_id,
        "--as",
        "peter-nord",
        "--set",
        "brottsfenomen=Narkotika",
        "--set",
        "platser=Stationen",
        "--set",
        "namngivna_personer=Kalle K",
        "--set",
        "motivering=Ökning",
    )
    assert code == 0, err
    instance_id = "1"  # operativ-inriktning opens first (08:00)
    police = run(capsys, "show", instance_id, "--as", "ida-falk")[1]
    municipality = run(capsys, "show", instance_id, "--as", "lars-berg")[1]
    anonymous = run(capsys, "show", instance_id)[1]
    assert "namngivna_personer: Kalle K" in police
    assert "Kalle K" not in municipality and "[skyddad uppgift]" in municipality
    assert "Kalle K" not in anonymous
    code, _, err = run(capsys, "show", instance_id, "--as", "nobody")
    assert code == 1 and "no person 'nobody'" in err


def test_definitions_validate_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "definitions", "validate")
    assert code == 0 and out.count("ok  ") == 6
    broken = (
        (PACKAGED_DIR / "est-mote.yaml")
        .read_text(encoding="utf-8")
        .replace("every: P2W", "every: fortnightly")
    )
    (tmp_path / "est-mote.yaml").write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "definitions", "validate", str(tmp_path))
    assert code == 1 and f"{tmp_path}/est-mote.yaml:10: cadence.every:" in err
    code, out, _ = run(capsys, "definitions", "show", "est-mote")
    assert code == 0 and "stateDiagram-v2" in out and "mote --> completed: decided" in out
    code, _, err = run(capsys, "definitions", "show", "nope")
    assert code == 1 and "known: est-inventering" in err


def test_run_writes_eml_files_and_outbox_list_shows_where(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import email
    from email import policy

    run(capsys, "init")
    env.write_text("2027-01-04T10:00:00+01:00")
    code, out, _ = run(capsys, "run", "--exit-when-idle")
    assert code == 0 and "utkorg: 11 skickade" in out
    files = sorted((env.parent / "lofte-mail").glob("*.eml"))
    assert len(files) == 11
    code, out, _ = run(capsys, "outbox", "list")
    assert code == 0 and out.count(" sent ") == 11 and "lofte-mail/input_request-" in out

    maria = next(f for f in files if "maria.holm" in f.read_text(encoding="utf-8"))
    body = email.message_from_bytes(maria.read_bytes(), policy=policy.default)
    text = body.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = next(line for line in text.splitlines() if "/svar/" in line).strip()
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    code, _, err = run(capsys, "submit", "--token", forged, "--set", "inget_att_rapportera=ja")
    assert code == 1 and "signature does not match" in err
    code, out, _ = run(capsys, "submit", "--token", link, "--set", "inget_att_rapportera=ja")
    assert code == 0 and "registrerat" in out
    code, _, err = run(capsys, "submit", "--token", link, "--set", "inget_att_rapportera=ja")
    assert code == 1 and "already been used" in err
    code, _, err = run(capsys, "outbox", "retry", "999")
    assert code == 1 and "no outbox message 999" in err


def test_meeting_move_and_cancel_from_the_cli(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    env.write_text("2027-01-06T08:30:00+01:00")  # the LOLG decision step is open
    run(capsys, "run", "--exit-when-idle")
    code, out, err = run(capsys, "meeting", "move", "1", "beslut", "--to", "2027-01-06T13:00")
    assert code == 0, err
    assert "ons 6 jan 13:00 2027 (SEQUENCE 1); 9 deltagare" in out
    code, out, _ = run(capsys, "meeting", "cancel", "1", "beslut")
    assert code == 0 and "inställt" in out
    code, _, err = run(capsys, "meeting", "move", "1", "beslut", "--to", "2027-01-06T14:00")
    assert code == 1 and "is cancelled" in err
    code, _, err = run(capsys, "meeting", "move", "1", "uppfoljning", "--to", "2027-01-06T14:00")
    assert code == 1 and "no meeting" in err
    run(capsys, "outbox", "send")
    kinds = [f.name.split("-")[0] for f in (env.parent / "lofte-mail").glob("meeting_*.eml")]
    assert sorted(set(kinds)) == ["meeting_cancel", "meeting_invite", "meeting_update"]


def test_an_unreachable_mail_server_becomes_an_incident_that_retry_clears(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.notifications.conftest import free_port

    run(capsys, "init")
    env.write_text("2027-01-04T10:00:00+01:00")
    monkeypatch.setenv("LOFTE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOFTE_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("LOFTE_SMTP_TLS", "none")
    monkeypatch.setenv("LOFTE_OUTBOX_MAX_ATTEMPTS", "1")
    code, out, _ = run(capsys, "run", "--exit-when-idle")
    assert code == 0 and "11 incidenter" in out
    code, out, _ = run(capsys, "status")
    assert "Incidenter" in out and "ConnectionRefusedError" in out
    incident = out.split("Incidenter", 1)[1].splitlines()[3].split()[0]
    code, out, _ = run(capsys, "audit", "--instance", "1")
    assert "outbox_incident" in out
    monkeypatch.delenv("LOFTE_SMTP_HOST")  # back to the .eml folder
    code, out, _ = run(capsys, "outbox", "retry", incident)
    assert code == 0 and "1 skickade nu" in out
    assert len(list((env.parent / "lofte-mail").glob("*.eml"))) == 1
