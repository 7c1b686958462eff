"""What the command line prints is Swedish words: durations, rules and events in words,
states by their titles, people by name; no ISO durations or English status words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_cli import open_cycles, run

ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD])+(?:T(?:\d+[HMS])+)?\b|\bPT(?:\d+[HMS])+\b")


def test_definitions_show_says_durations_rules_and_events_in_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "definitions", "show", "est-mote")
    assert code == 0
    assert "Öppnas varannan vecka från mån 11 jan 2027 kl. 09.00" in out
    assert "Svar senast: 1 dag och 3 timmar efter öppningen" in out
    assert "Sena svar tas emot i 20 timmar efter tidsfristen" in out
    assert "Ordförande: Trygghetssamordnare" in out
    assert "Möte: EST-möte: gemensam lägesbild, 4 dagar och 4 timmar efter öppningen" in out
    assert "Följ upp din insats → EST-möte: gemensam lägesbild och insatser när alla svar" in out
    assert not ISO_DURATION.search(out), ISO_DURATION.search(out)
    for english in ("next_working_day", "inputs_complete", "closed_incomplete", "completed"):
        assert english not in out


def test_validate_counts_units_in_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "definitions", "validate")
    assert code == 0
    assert (
        "operativ-inriktning (Operativ inriktning), varannan vecka, 2 steg, gäller 1 enhet\n" in out
    )
    assert "var tredje månad, 2 steg, gäller 5 enheter" in out
    assert "1 enheter" not in out and not ISO_DURATION.search(out)


def test_status_counts_timers_in_swedish(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-05T12:00:00+00:00")
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert re.search(r"Timrar: \d+ (avbrutna|körda|väntande)", out), out[-300:]
    for english in ("Timers", "cancelled", "fired", "pending"):
        assert english not in out


def test_the_audit_log_names_events_states_and_people_in_words(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-12T12:00:00+00:00")  # the first EST-möte's follow-up
    code, out, _ = run(capsys, "status")
    est_mote = next(
        line.split()[0] for line in out.splitlines() if "EST-möte" in line and "Sala" in line
    )
    code, out, _ = run(capsys, "audit", "--instance", est_mote)
    assert code == 0
    assert "cykeln öppnades" in out and "Löfte (tidsstyrt)" in out
    assert "svar senast: tis 12 jan 2027 kl. 12.00" in out
    for raw in ("cycle_opened", "uppfoljning_insatser", "completed", "2027-01", "timer "):
        assert raw not in out, raw
