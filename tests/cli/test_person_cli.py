"""`lofte person`: list, export (JSON and a readable HTML page, written whole or not at all)
and remove, as an administrator meets them; unknown people and bad paths are named in
Swedish with a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import open_cycles, run


def test_remove_then_export_a_person(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-04T10:00:00+01:00")
    code, out, _ = run(capsys, "person", "remove", "maria-holm")
    assert code == 0 and "Maria Holm (maria-holm) är borttagen ur organisationen." in out
    assert "går nu till Lars Berg" in out and "Meddelande till: Lars Berg" in out
    code, out, _ = run(capsys, "person", "list")
    assert code == 0 and "Har slutat" in out
    left = out.split("Har slutat", 1)[1]
    assert "maria-holm" in left and "Maria Holm" in left
    assert "maria-holm" not in out.split("Har slutat", 1)[0]

    code, out, _ = run(capsys, "person", "export", "maria-holm")
    data = json.loads(out)
    assert code == 0 and data["format"] == "lofte-person-export" and data["version"] == 1
    assert data["person"]["name"] == "Maria Holm" and data["person"]["left_at"]
    assert data["person"]["email"] == ""  # not kept once the person has left
    assert data["roles"] == []
    assert [r["status"] for r in data["requests"]] == ["cancelled"]
    assert {e["event"] for e in data["audit_events"]} >= {"person_removed", "step_opened"}

    html = env.parent / "utdrag.html"
    as_json = env.parent / "utdrag.json"
    code, out, _ = run(
        capsys, "person", "export", "lars-berg", "--html", str(html), "--json", str(as_json)
    )
    assert code == 0 and f"HTML: {html}" in out
    page = html.read_text(encoding="utf-8")
    assert "<h1>Utdrag: allt Löfte har om Lars Berg</h1>" in page
    assert "Trygghetssamordnare" in page and "Rapportera veckans iakttagelser" in page
    data = json.loads(as_json.read_text(encoding="utf-8"))
    assert data["person"]["email"] == "lars.berg@sala.example.se"
    assert {r["role"] for r in data["roles"]} == {"samordnare", "est-rapportor", "styrgrupp"}
    assert [m["kind"] for m in data["messages"]].count("person_removed") == 1
    assert oct(html.stat().st_mode & 0o777) == "0o600"
    code, out, _ = run(capsys, "audit", "--unit", "sala")
    assert code == 0


def test_a_name_in_an_answer_is_escaped_on_the_page(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    open_cycles(env, capsys, "2027-01-04T10:00:00+01:00")
    from lofte.cli.wiring import connect

    wired = connect(None)
    [request] = [
        r for r in wired.app.reads.open_requests("tove-lind") if r[0].unit_id == "sala"
    ] or [None]
    assert request is not None
    wired.engine.submit(
        request[0].id or 0,
        "tove-lind",
        {
            "iakttagelser": [
                {
                    "kategori": "klotter",
                    "plats": "<script>alert(1)</script>",
                    "omrade": "Centrum",
                    "datum": "2027-01-03",
                    "klockslag": "20:00",
                    "beskrivning": "Tagg <b>fet</b>",
                }
            ]
        },
    )
    wired.close()
    page = env.parent / "tove.html"
    code, _, _ = run(capsys, "person", "export", "tove-lind", "--html", str(page))
    text = page.read_text(encoding="utf-8")
    assert code == 0 and "<script>alert" not in text and "&lt;script&gt;" in text


def test_unknown_people_and_bad_paths_are_named(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, _, err = run(capsys, "person", "remove", "maria-hol")
    assert code == 1 and "okänd person: 'maria-hol'; menade du maria-holm?" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "person", "export", "nobody")
    assert code == 1 and "okänd person: 'nobody'" in err and "lofte person list" in err
    missing = env.parent / "finns-inte" / "ut.html"
    code, _, err = run(capsys, "person", "export", "lars-berg", "--html", str(missing))
    assert code == 1 and "finns inte; inget skrevs" in err and not missing.parent.exists()
    code, _, err = run(capsys, "person", "--help")
    assert code == 0
