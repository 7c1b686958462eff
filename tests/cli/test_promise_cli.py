"""`lofte promise KOMMUN`: the promise in force on the clock's day, in Swedish, with what each
party promises, the revisions made so far and the decisions and follow-ups that serve it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import open_cycles, run


def test_the_promise_in_force_with_its_pledges_revisions_and_cycles(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    open_cycles(env, capsys, "2027-03-02T09:00:00+00:00")
    code, out, _ = run(capsys, "promise", "sala")
    assert code == 0
    assert out.startswith("Medborgarlöfte Sala kommun 2027–2028\nGäller 2027-01-01 – 2028-12-31")
    assert "\nPolisen lovar att:\n  - göra styrgruppens kvartalsvisa inriktningsbeslut" in out
    assert "\nBostadsbolaget lovar att:\n" in out
    assert "2027-02-22  Efter februariuppföljningen" in out and "2027-08-23" not in out
    serving = out.split("Beslut och uppföljningar under löftet (2):")[1]
    assert "Uppföljning" in serving and "kvartal 1 2027" in serving
    assert "Inriktningsbeslut" in serving and "kvartal 2 2027" in serving
    assert "Tidigare medborgarlöften:\n  Medborgarlöfte Sala kommun 2025–2026" in out


def test_a_day_without_a_promise_a_police_area_and_an_unknown_unit(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(capsys, "promise", "sala", "--date", "2024-06-01")
    assert code == 0 and "Inget medborgarlöfte gäller för Sala kommun 2024-06-01." in out
    assert "Kommande medborgarlöften:\n  Medborgarlöfte Sala kommun 2025–2026" in out
    code, out, _ = run(capsys, "promise", "lpo-norra-vastmanland")
    assert code == 0 and "är ett polisområde; medborgarlöften ges av kommunerna" in out
    code, _, err = run(capsys, "promise", "heby")
    assert code == 1 and "det finns ingen enhet 'heby'" in err
    code, _, err = run(capsys, "promise", "sala", "--date", "1 mars")
    assert code == 2 and "'1 mars' är inget datum (ÅÅÅÅ-MM-DD)" in err
