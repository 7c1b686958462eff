"""`lofte places`: a municipality's register with its counts, in a Swedish table or as CSV for
Excel, with the "annan plats" texts still to be mapped; clear errors for a police area, an
unknown unit and bad dates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli.test_cli import open_cycles, request_id, run


def reported(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-04T10:00:00+01:00")
    found = request_id(run(capsys, "status", "--person", "maria-holm")[1], "Maria Holm")
    seen = [
        {"kategori": "klotter", "plats": "Stationen", "datum": "2027-01-03", "dygnsdel": "natt"},
        {"kategori": "sprutfynd", "plats": "Sala resecentrum", "datum": "2027-01-03"},
        {"kategori": "alkohol", "plats": "Bakom Folkets hus", "omrade": "Norr"},
    ]
    for row in seen:
        row.setdefault("datum", "2027-01-02")
        row.setdefault("dygnsdel", "okand")
        row["beskrivning"] = "Iakttaget."
    answer = env.parent / "svar.yaml"
    answer.write_text(yaml.safe_dump({"iakttagelser": seen}, allow_unicode=True), "utf-8")
    code, _, err = run(capsys, "submit", found, "--as", "maria-holm", "--file", str(answer))
    assert code == 0, err


def test_places_lists_the_register_with_counts_and_the_other_places(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reported(env, capsys)
    code, out, _ = run(capsys, "places", "sala", "--from", "2027-01-01", "--to", "2027-01-10")
    assert code == 0
    assert "Platser i Sala kommun, 2027-01-01–2027-01-10: 3 iakttagelser, 15 platser" in out
    first = out.splitlines()[3]  # under the header and its line: the most reported place
    assert first.startswith("Sala resecentrum") and first.rstrip().endswith("2")
    assert "59.9196, 16.6003" in first and "Stationen" in first
    assert "Annan plats, ännu inte kopplad" in out and "Bakom Folkets hus  Norr" in out
    code, out, _ = run(capsys, "places", "sala", "--csv", "--from", "2027-01-01")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("\ufeffPlats;Område;Slag;Latitud;Longitud")
    assert "Bakom Folkets hus;Norr;Annan plats;;;;1;0" in lines


def test_places_explains_what_it_cannot_show(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    code, _, err = run(capsys, "places", "lpo-norra-vastmanland")
    assert code == 1 and "platser finns per kommun" in err
    code, _, err = run(capsys, "places", "heby")
    assert code == 1 and "heby" in err and "finns: fagersta" in err
    code, _, err = run(capsys, "places", "sala", "--from", "i går")
    assert code == 2 and "är inget datum (ÅÅÅÅ-MM-DD)" in err
    code, out, _ = run(capsys, "places", "--help")
    assert code == 0 and "antalet iakttagelser under perioden" in out
