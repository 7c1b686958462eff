"""The command line as a new user meets it: init, status, submit, show, audit, definitions,
units, timers; bad input of every kind gets a clear Swedish message and a non-zero exit."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml

from lofte.cli.main import main
from lofte.definitions.loader import PACKAGED_DIR


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def open_cycles(env: Path, capsys: pytest.CaptureFixture[str], moment: str) -> None:
    """Fire the timers due by `moment` (without the mail dispatcher)."""
    from lofte.cli.wiring import connect

    env.write_text(moment)
    wired = connect(None)
    wired.engine.run_due()
    wired.close()


def request_id(out: str, person_name: str) -> str:
    section = out.split("Väntande svar", 1)[1].split("Senast avslutade", 1)[0]
    return next(line.split()[0] for line in section.splitlines() if person_name in line)


def test_status_before_init_says_what_to_do_and_creates_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "status")
    assert code == 1 and "kör `lofte init` först" in err
    assert not (env.parent / "lofte.db").exists()


def test_init_loads_the_example_once_and_keeps_a_setup(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "init")
    assert code == 0 and "läser in exemplet" in out
    assert "est-inventering för Surahammars kommun: version 1" in out
    code, out, _ = run(capsys, "init")
    assert code == 0 and "behåller den inlästa uppsättningen" in out
    code, out, _ = run(capsys, "init", "--example")
    assert code == 0 and "inga ändringar" in out


def test_a_bad_setup_is_refused_naming_file_line_and_field_and_nothing_changes(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    folder = tmp_path / "setup"
    shutil.copytree(PACKAGED_DIR, folder)
    broken = folder / "est-mote.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("P1DT3H", "P99999999Y"), encoding="utf-8"
    )
    code, _, err = run(capsys, "init", "--definitions", str(folder))
    assert code == 1
    assert "est-mote.yaml, rad" in err and "steps[0].deadline" in err and "för lång" in err
    code, _, _ = run(capsys, "status")
    assert code == 0  # the database still holds the earlier setup


def test_status_submit_show_and_audit(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-04T10:00:00+01:00")
    code, out, _ = run(capsys, "status", "--person", "maria-holm")
    assert (
        code == 0
        and "Rapportera veckans iakttagelser" in out
        and "tors 7 jan 2027 kl. 12.00" in out
    )
    code, out, _ = run(capsys, "status", "--unit", "surahammar")
    assert code == 0 and "Surahammars kommun" in out and "Sala kommun" not in out
    found = request_id(run(capsys, "status", "--person", "maria-holm")[1], "Maria Holm")
    long_text = "Klotter på busskuren vid Stora torget. " * 8
    answer = env.parent / "svar.yaml"
    answer.write_text(
        yaml.safe_dump(
            {
                "iakttagelser": [
                    {
                        "kategori": "nedskrapning",
                        "plats": "Parken",
                        "omrade": "Centrum",
                        "datum": "2027-01-03",
                        "klockslag": "20:00",
                        "beskrivning": long_text,
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "submit", found, "--as", "maria-holm", "--file", str(answer))
    assert code == 0 and f"Svaret på förfrågan {found} är registrerat" in out
    code, out, _ = run(capsys, "submit", found, "--as", "maria-holm", "--file", str(answer))
    assert code == 0 and "ändrat svar" in out  # a person may change an answer until the step closes
    code, _, err = run(
        capsys, "submit", found, "--as", "lars-berg", "--set", "inget_att_rapportera=true"
    )
    assert code == 1 and "ska besvaras av Maria Holm" in err
    cycle_id = _cycle_id(capsys, "Sala kommun", "EST-inventering")
    code, out, _ = run(capsys, "show", cycle_id)
    assert code == 0 and "Nedskräpning" in out
    assert "".join(out.split()).count("KlotterpåbusskurenvidStoratorget.") == 8  # never cut
    code, out, _ = run(capsys, "audit", "--unit", "sala")
    assert code == 0 and "v. 1 2027" in out and "Perioder utan cykel" in out


def _cycle_id(capsys: pytest.CaptureFixture[str], unit: str, title: str) -> str:
    out = run(capsys, "status")[1]
    section = out.split("Öppna cykler", 1)[1].split("Väntande svar", 1)[0]
    return next(line.split()[0] for line in section.splitlines() if unit in line and title in line)


def test_sensitive_content_only_for_police_roles(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-06T08:30:00+01:00")
    out = run(capsys, "status", "--person", "peter-nord")[1]
    decision = request_id(out, "Peter Nord")
    code, _, err = run(
        capsys,
        "submit",
        decision,
        "--as",
        "peter-nord",
        "--set",
        "brottsfenomen=Bostadsinbrott",
        "--set",
        "platser=Centrum",
        "--set",
        "motivering=Ökning senaste veckorna",
        "--set",
        "namngivna_personer=Kalle Anka",
    )
    assert code == 0, err
    lolg = _closed_cycle_id(capsys, "Operativ inriktning")
    assert "Kalle Anka" in run(capsys, "show", lolg, "--as", "anders-vik")[1]
    for viewer in ([], ["--as", "karin-ek"]):
        code, out, _ = run(capsys, "show", lolg, *viewer)
        assert "Kalle Anka" not in out
    code, out, _ = run(capsys, "show", lolg, "--as", "karin-ek")
    assert "Bostadsinbrott" not in out  # police content; the municipality sees the summary only
    code, out, _ = run(capsys, "audit", "--instance", lolg)
    assert "skyddad uppgift visades" in out and "Anders Vik" in out


def _closed_cycle_id(capsys: pytest.CaptureFixture[str], title: str) -> str:
    out = run(capsys, "status")[1]
    section = out.split("Senast avslutade", 1)[1]
    return next(line.split()[0] for line in section.splitlines() if title in line)


def test_definitions_validate_show_and_export(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "definitions", "validate")
    assert code == 0 and "gäller 5 enheter" in out
    code, out, _ = run(capsys, "definitions", "show", "est-mote", "--unit", "surahammar")
    assert code == 0 and "stateDiagram" in out and "uppfoljning_insatser" in out
    target = tmp_path / "exported"
    code, out, _ = run(capsys, "definitions", "export", str(target))
    assert code == 0 and (target / "organisation.yaml").exists()
    assert run(capsys, "definitions", "validate", str(target))[0] == 0
    code, _, err = run(capsys, "definitions", "export", str(target))
    assert code == 1 and "innehåller redan" in err and "--force" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["submit", "abc", "--as", "x", "--set", "a=1"], "'abc' är inget heltal"),
        (["submit", "1", "--set", "a=1"], "FÖRFRÅGAN med --as PERSON, eller --token"),
        (["submit", "1", "--as", "x", "--token", "t", "--set", "a=1"], "inte båda"),
        (["submit", "1", "--as", "Kalle Anka", "--set", "a=1"], "ingen giltig id"),
        (["simulate", "--from", "igår", "--weeks", "2"], "inget datum"),
        (["simulate", "--from", "2027-01-04", "--weeks", "0"], "minst 1"),
        (
            ["simulate", "--from", "2027-01-04", "--weeks", "2", "--response-rate", "2"],
            "mellan 0 och 1",
        ),
        (["status", "--databse", "x"], "okända argument"),
        (["frobnicate"], "ogiltigt val"),
        (["meeting", "move", "1", "mote", "--to", "snart"], "ingen tidpunkt"),
        (["run", "--tick", "-1"], "mellan 0 och 86400"),
        (["example", "national", "--municipalities", "300", "x"], "mellan 1 och 290"),
    ],
)
def test_bad_arguments_are_named_in_swedish(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "--database", "mysql://x"], "bara sqlite:/// och postgresql:// stöds"),
        (["status", "--database", "::::"], "inte giltig"),
        (["status", "--database", "sqlite:////no/such/folder/x.db"], "kör `lofte init` först"),
        (["init", "--database", "sqlite:////no/such/folder/x.db"], "finns inte"),
        (["init", "--definitions", "/no/such/folder"], "kan inte läsa filen"),
    ],
)
def test_bad_databases_and_paths_are_named(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err and "Traceback" not in err


def test_bad_answers_are_refused_with_the_field_named(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-04T10:00:00+01:00")
    found = request_id(run(capsys, "status", "--person", "maria-holm")[1], "Maria Holm")
    bad_yaml = env.parent / "bad.yaml"
    bad_yaml.write_text("iakttagelser: [\n", encoding="utf-8")
    binary = env.parent / "bad.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    cases = [
        (["--file", str(bad_yaml)], "inte giltig YAML"),
        (["--file", str(binary)], "inte UTF-8"),
        (["--file", str(env.parent / "missing.yaml")], "går inte att läsa (finns inte)"),
        (["--set", "iakttagelser=[{}]"], "iakttagelser[0].kategori"),
        (["--set", "okant_falt=1"], "okänt fält"),
        (["--set", "iakttagelser=" + "[" * 50 + "]" * 50], "iakttagelser"),
    ]
    for extra, message in cases:
        code, _, err = run(capsys, "submit", found, "--as", "maria-holm", *extra)
        assert code == 1 and message in err and "Traceback" not in err, (extra, err)


def test_units_lists_the_police_area_and_its_municipalities(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, out, _ = run(capsys, "units")
    assert code == 0 and "LPO Norra Västmanland" in out and "polisområde" in out
    assert out.count("kommun ") >= 5
    code, _, err = run(capsys, "units", "--unit", "uppsala")
    assert code == 1 and "det finns ingen enhet 'uppsala'" in err


def test_an_unexpected_error_is_a_swedish_sentence_and_the_traceback_waits_for_verbose(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from lofte.cli import cmd_setup

    def broken(_args: object) -> int:
        raise RuntimeError("något gick sönder")

    monkeypatch.setattr(cmd_setup, "run_units", broken)
    code, _, err = run(capsys, "units")
    assert code == 1 and "ett oväntat fel (RuntimeError: något gick sönder)" in err
    assert "Traceback" not in err
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    caplog.set_level(logging.INFO, logger="lofte")  # what --verbose turns on
    code, _, err = run(capsys, "--verbose", "units")
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert code == 1 and logged  # the details, for the person who asked for them
