"""`lofte archive UNIT --year Y DIR` and `lofte archive verify DIR` as an archivist and an
operator meet them, over thirteen simulated weeks of the example police area (made once):
the package and what it holds, the same bytes from the same data, each kind of damage named
with its file, and every refusal in Swedish with nothing written."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import run

YEAR_DONE = "2028-01-15T10:00:00+01:00"  # the archive's day: 2027 has ended
DATA_FILES = {
    "README.txt",
    "actions.csv",
    "actions.json",
    "answers.csv",
    "answers.json",
    "audit/events.jsonl",
    "audit/verification.json",
    "cycles.csv",
    "cycles.json",
    "decisions.csv",
    "decisions.json",
    "report.html",
}
MADE_FILES = ("lofte.db", "lofte-data.key", "lofte-audit.key", "lofte-audit.head")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database with 13 weeks of the example's cycles from 4 January 2027 (once a module)."""
    folder = tmp_path_factory.mktemp("simulated")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        clock = folder / "clock"
        clock.write_text("2027-01-01T00:00:00+00:00")
        patch.setenv("LOFTE_CLOCK_FILE", str(clock))
        patch.setenv("LOFTE_MAIL_DIR", str(folder / "mail"))
        patch.delenv("LOFTE_DATABASE_URL", raising=False)
        from lofte.cli.main import main

        assert main(["init"]) == 0
        database = f"sqlite:///{folder / 'lofte.db'}"
        weeks = ["--from", "2027-01-04", "--weeks", "13", "--no-mail", "--inline-delivery"]
        assert main(["simulate", "--database", database, *weeks]) == 0
    yield folder


@pytest.fixture
def year(env: Path, simulated: Path) -> Path:
    """The simulated database in the test's own folder, on a day after the year ended. The
    database is copied with SQLite's backup API: the simulation's connections may still be
    open in this process, with the last transactions in the write-ahead log, not yet in the
    file (a plain copy of the file would lose them, and the head file would say so)."""
    for name in MADE_FILES:
        if name == "lofte.db":
            source = sqlite3.connect(simulated / name)
            target = sqlite3.connect(env.parent / name)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            shutil.copy2(simulated / name, env.parent / name)
    env.write_text(YEAR_DONE)
    return env.parent


def _archive(capsys: pytest.CaptureFixture[str], unit: str = "sala") -> tuple[int, str, str]:
    return run(capsys, "archive", unit, "--year", "2027", "paket")


def _noted(out: str) -> str:
    """The manifest's checksum the command printed, for the archivist to note."""
    return out.split("Manifestets SHA-256: ", 1)[1].split()[0]


def _last(line: dict[str, Any]) -> int:
    """The last event number a line stands for (a run of other units' events: its last)."""
    return int(line.get("last_seq", line["seq"]))


def _count(lines: list[dict[str, Any]]) -> int:
    return sum(_last(line) - int(line["seq"]) + 1 for line in lines)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _lines(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "audit/events.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_a_municipalitys_year_is_a_package_that_verifies_without_the_database(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _archive(capsys)
    assert code == 0, err
    assert out.startswith("Arkivpaketet för Sala kommun år 2027 finns i paket: 13 filer")
    assert "Granskningsloggen var intakt när arkivet skapades" in out and "Obs:" not in out
    package = year / "paket"
    files = _files(package)
    assert set(files) == DATA_FILES | {"manifest.json"}
    manifest = json.loads(files["manifest.json"])
    assert (manifest["format"], manifest["version"], manifest["year"]) == ("lofte-archive", 1, 2027)
    assert manifest["unit"] == {"id": "sala", "name": "Sala kommun", "kind": "municipality"}
    assert manifest["created_at"] == "2028-01-15T09:00:00+00:00" and manifest["complete_year"]
    for entry in manifest["files"]:
        content = files[entry["path"]]
        assert (entry["bytes"], entry["sha256"]) == (
            len(content),
            hashlib.sha256(content).hexdigest(),
        )

    cycles = json.loads(files["cycles.json"])
    assert (cycles["format"], cycles["version"]) == ("lofte-archive-cycles", 1)
    assert {c["unit_id"] for c in cycles["rows"]} == {"sala"}
    assert {c["definition"] for c in cycles["rows"]} >= {"est-inventering", "inriktningsbeslut"}
    assert all(c["period_start"].startswith("2027-") for c in cycles["rows"])
    decisions = json.loads(files["decisions.json"])["rows"]
    assert any(d["decision"] == "Styrgruppens inriktningsbeslut" for d in decisions)
    csv = files["answers.csv"].decode("utf-8")
    assert csv.startswith("\ufeffSvar-id;Cykel-id;Enhet;Cykel;Period;Steg;Person")
    assert ";Iakttagelser;1;Kategori;" in csv  # a list's values one per row and column
    assert files["actions.csv"].decode().startswith("\ufeffId;Enhet;Slag;Åtgärd")

    report = files["report.html"].decode()
    assert "<title>Lägesbild och åtgärdsplan 2027 – Sala kommun</title>" in report
    for outside in ("/static", "<link", "<script", 'src="http', "url(http"):
        assert outside not in report  # it stands alone in an archive

    lines = _lines(package)
    assert [line["seq"] for line in lines[1:]] == [_last(line) + 1 for line in lines[:-1]]
    assert lines[0]["seq"] == 1 and _last(lines[-1]) == manifest["counts"]["events"]
    whole = [line for line in lines if not line.get("withheld")]
    assert {line["unit_id"] for line in whole} == {"sala", ""}
    withheld = [line for line in lines if line.get("withheld")]
    assert withheld and all("detail" not in line and "actor" not in line for line in withheld)
    assert _count(withheld) == manifest["counts"]["withheld"] > len(withheld)  # runs, one line
    readme = files["README.txt"].decode()
    for name in DATA_FILES - {"README.txt"}:
        assert name.split(",")[0] in readme
    assert "Känsliga uppgifter" in readme and "sha256sum" in readme

    noted = _noted(out)
    assert noted == hashlib.sha256(files["manifest.json"]).hexdigest()
    code, out, err = run(capsys, "archive", "verify", "paket", "--manifest-sha256", noted)
    assert code == 0, err
    assert "att manifestet är det som skapades (--manifest-sha256)" in out
    events = f"{_count(lines):,}".replace(",", " ")
    assert f"Arkivet är intakt: 13 filer, {events} händelser (Sala kommun, år 2027" in out
    assert "Inte kontrollerat: nyckelsignaturerna" in out and "länkar" in out


def test_with_the_audit_key_every_whole_events_own_hash_is_recomputed(
    year: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _archive(capsys)[0] == 0
    whole = sum(1 for line in _lines(year / "paket") if not line.get("withheld"))
    code, out, _ = run(capsys, "archive", "verify", "paket", "--key-file", "lofte-audit.key")
    assert code == 0 and f"omräknade hashar för {whole} av {whole} hela händelser" in out
    assert "nyckelsignaturerna" not in out
    from lofte.storage.sensitive_keys import new_key

    monkeypatch.setenv("LOFTE_AUDIT_KEY", new_key().decode())  # not the key the log has
    code, _, err = run(capsys, "archive", "verify", "paket")
    assert code == 1 and "som inte finns bland de angivna nycklarna" in err


def test_the_same_data_gives_the_same_bytes_and_only_the_moment_differs(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "archive", "sala", "--year", "2027", "a")[0] == 0
    assert run(capsys, "archive", "sala", "--year", "2027", "b")[0] == 0
    assert _files(year / "a") == _files(year / "b")
    (year / "clock").write_text("2028-01-15T10:07:00+01:00")
    assert run(capsys, "archive", "sala", "--year", "2027", "c")[0] == 0
    first, later = _files(year / "a"), _files(year / "c")
    differ = {name for name in first if first[name] != later[name]}
    # the moment it was made, and the actions' counts "to this day"
    assert differ <= {
        "manifest.json",
        "audit/verification.json",
        "report.html",
        "actions.csv",
        "actions.json",
    }
    assert "manifest.json" in differ
    for name in ("manifest.json", "audit/verification.json"):
        was = first[name].decode().replace("09:00:00+00:00", "09:07:00+00:00")
        assert [
            line for line in was.splitlines() if "sha256" not in line and "bytes" not in line
        ] == [
            line
            for line in later[name].decode().splitlines()
            if "sha256" not in line and "bytes" not in line
        ]


def _rewrite_manifest(package: Path, path: str) -> None:
    """What a forger who knows the format does: the manifest made to match a changed file."""
    manifest = json.loads((package / "manifest.json").read_text())
    content = (package / path).read_bytes()
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry["sha256"] = hashlib.sha256(content).hexdigest()
            entry["bytes"] = len(content)
    (package / "manifest.json").write_text(json.dumps(manifest))


def _drop_event(package: Path) -> tuple[int, int]:
    """Take a whole event out of the middle; its number and the next line's."""
    events = package / "audit/events.jsonl"
    lines = events.read_text().splitlines(keepends=True)
    middle = len(lines) // 2
    index = next(i for i in range(middle, len(lines)) if '"withheld"' not in lines[i])
    dropped = json.loads(lines.pop(index))["seq"]
    events.write_text("".join(lines))
    return int(dropped), int(json.loads(lines[index])["seq"])


def test_a_changed_a_deleted_and_an_added_file_are_each_named(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _archive(capsys)[0] == 0
    package = year / "paket"
    answers = package / "answers.csv"
    answers.write_bytes(answers.read_bytes().replace(b"Nils", b"Nisse", 1))
    (package / "decisions.json").unlink()
    (package / "audit" / "anteckning.txt").write_text("tillagd i efterhand")
    code, out, err = run(capsys, "archive", "verify", "paket")
    assert code == 1 and "Arkivet är intakt" not in out
    assert "arkivet i paket är inte intakt" in err
    assert "answers.csv har ändrats" in err
    assert "decisions.json saknas" in err
    assert "audit/anteckning.txt finns i mappen men inte i manifestet (tillagd)" in err
    assert "events.jsonl" not in err  # the audit events themselves are untouched


def test_an_event_removed_from_the_middle_is_found_even_with_the_manifest_rewritten(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _archive(capsys)
    assert code == 0
    package = year / "paket"
    dropped, following = _drop_event(package)
    code, _, err = run(capsys, "archive", "verify", "paket")
    assert code == 1 and "audit/events.jsonl har ändrats" in err
    _rewrite_manifest(package, "audit/events.jsonl")
    code, _, err = run(capsys, "archive", "verify", "paket")
    assert code == 1 and "har ändrats" not in err
    assert f"händelse nr {dropped} saknas" in err
    assert f"händelse nr {following} pekar inte på händelsen före" in err
    code, _, err = run(capsys, "archive", "verify", "paket", "--manifest-sha256", _noted(out))
    assert code == 1 and "manifest.json är inte det manifest som skapades" in err


def test_a_truncated_events_file_is_found_cut_at_a_line_or_in_one(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _archive(capsys)[0] == 0
    package = year / "paket"
    events = package / "audit/events.jsonl"
    text = events.read_text()
    lines = text.splitlines(keepends=True)
    events.write_text("".join(lines[:-100]))
    kept = [json.loads(line) for line in lines[:-100]]
    _rewrite_manifest(package, "audit/events.jsonl")
    code, _, err = run(capsys, "archive", "verify", "paket")
    assert code == 1
    assert f"har {_count(kept)} händelser och slutar vid nr {_last(kept[-1])}" in err
    whole = _count([json.loads(line) for line in lines])
    assert f"säger {whole} händelser till nr {whole}" in err and "avkortad" in err
    events.write_text(text[: len(text) // 2])  # cut inside a line, manifest as made
    code, _, err = run(capsys, "archive", "verify", "paket")
    assert code == 1 and "ingen giltig JSON" in err


def test_a_changed_event_is_found_with_the_key_when_the_manifest_is_rewritten(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _archive(capsys)[0] == 0
    package = year / "paket"
    events = package / "audit/events.jsonl"
    lines = events.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if '"unit_id":"sala"' in line)
    changed = json.loads(lines[index])
    changed["actor"] = "någon annan"
    lines[index] = json.dumps(changed, ensure_ascii=False)
    events.write_text("\n".join(lines) + "\n")
    _rewrite_manifest(package, "audit/events.jsonl")
    code, _, err = run(capsys, "archive", "verify", "paket", "--key-file", "lofte-audit.key")
    assert code == 1 and f"händelse nr {changed['seq']} har ändrats (hashen stämmer inte)" in err


def test_a_police_areas_package_holds_its_municipalities_and_every_event_whole(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _archive(capsys, "lpo-norra-vastmanland")
    assert code == 0 and "(varav 0 andra enheters, utan innehåll)" in out, err
    package = year / "paket"
    manifest = json.loads((package / "manifest.json").read_text())
    units = {u["id"] for u in manifest["units"]}
    assert units == {
        "lpo-norra-vastmanland",
        "sala",
        "fagersta",
        "norberg",
        "skinnskatteberg",
        "surahammar",
    }
    cycles = json.loads((package / "cycles.json").read_text())["rows"]
    assert {c["unit_id"] for c in cycles} == units  # operativ inriktning and every municipality
    assert "och dess kommuner" in (package / "README.txt").read_text()
    with sqlite3.connect(year / "lofte.db") as c:  # answers that held a sensitive value
        sensitive = {int(r[0]) for r in c.execute("SELECT request_id FROM sensitive_values")}
    answers = json.loads((package / "answers.json").read_text())["rows"]
    assert sensitive and sensitive <= {a["id"] for a in answers}  # archived, but not that part
    assert not [a for a in answers if "namngivna_personer" in a["answer"]]
    for name in ("answers.csv", "decisions.csv", "decisions.json", "report.html"):
        assert "Utpekade aktiva kriminella" not in (package / name).read_text(), name
    key, noted = ["--key-file", "lofte-audit.key"], ["--manifest-sha256", _noted(out)]
    code, out, _ = run(capsys, "archive", "verify", "paket", *key, *noted)
    assert code == 0 and "Inte kontrollerat" not in out  # every check ran


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["archive", "nowhere", "--year", "2027", "ut"], "det finns ingen enhet 'nowhere'"),
        (
            ["archive", "sala", "--year", "2026", "ut"],
            "det finns inga cykler för Sala kommun år 2026",
        ),
        (["archive", "sala", "--year", "2029", "ut"], "år 2029 har inte börjat"),
        (["archive", "sala", "--year", "tjugo", "ut"], "'tjugo' är inget heltal"),
        (["archive", "sala", "ut"], "ange året"),
        (["archive", "sala", "--year", "2027", "saknas/ut"], "finns inte; skapa den först"),
        (["archive", "verify", "ut", "--year", "2027"], "läser bara mappen"),
    ],
)
def test_a_bad_unit_year_or_argument_is_refused_in_swedish_and_nothing_is_written(
    year: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = sorted(p.name for p in year.iterdir())
    code, _, err = run(capsys, *argv)
    assert code in (1, 2) and message in err and "Traceback" not in err, err
    assert sorted(p.name for p in year.iterdir()) == before  # no package, no half-made folder


def test_a_folder_in_use_is_refused_and_an_empty_one_is_filled(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    used = year / "paket"
    used.mkdir()
    (used / "gammalt.txt").write_text("behålls")
    code, _, err = _archive(capsys)
    assert code == 1 and "mappen paket finns redan och är inte tom" in err
    assert [p.name for p in used.iterdir()] == ["gammalt.txt"]
    assert not [p for p in year.iterdir() if p.name.endswith(".tmp")]
    (used / "gammalt.txt").unlink()
    assert _archive(capsys)[0] == 0 and (used / "manifest.json").is_file()
    code, _, err = run(capsys, "archive", "verify", str(year))
    assert code == 1 and "manifest.json saknas: mappen är inget arkivpaket från Löfte" in err


def test_a_broken_log_is_archived_as_found_and_the_command_says_so(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(year / "lofte.db") as c:
        c.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        c.execute("UPDATE audit_events SET actor = 'någon annan' WHERE seq = 40")
    code, _, err = _archive(capsys)
    assert (
        code == 1
        and "Granskningsloggen kunde inte bekräftas vara intakt när arkivet skapades" in err
    )
    assert "händelse nr 40" in err and "audit/verification.json" in err
    verification = json.loads((year / "paket/audit/verification.json").read_text())
    assert verification["database"]["ok"] is False and verification["database"]["broken_at"] == 40


def test_without_the_audit_key_the_year_is_archived_and_the_log_said_unchecked(
    year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (year / "lofte-audit.key").rename(year / "elsewhere.key")
    code, out, err = _archive(capsys)
    assert code == 1 and out.startswith("Arkivpaketet för Sala kommun år 2027")
    assert "kunde inte bekräftas vara intakt när arkivet skapades: granskningsnyckeln saknas" in err
    code, out, _ = run(capsys, "archive", "verify", "paket", "--key-file", "elsewhere.key")
    assert code == 0 and "Arkivet är intakt" in out  # the package itself is whole


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m | {"version": 2}, "manifest.json har version 2, som denna version av Löfte"),
        (lambda m: m | {"format": "zip"}, "beskriver inget arkivpaket från Löfte"),
        (
            lambda m: (
                m | {"files": [*m["files"], {"path": "../lofte.db", "sha256": "", "bytes": 0}]}
            ),
            "manifest.json: otillåten sökväg '../lofte.db'",
        ),
    ],
)
def test_a_manifest_of_another_version_or_form_is_named(
    year: Path, capsys: pytest.CaptureFixture[str], change: Any, message: str
) -> None:
    assert _archive(capsys)[0] == 0
    path = year / "paket" / "manifest.json"
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    code, _, err = run(capsys, "archive", "verify", "paket")
    assert code == 1 and message in err, err


def test_a_package_from_postgresql_verifies_with_the_key(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import pg_schema_url

    # an absolute head file: the simulation's last head is written when the process ends
    monkeypatch.setenv("LOFTE_AUDIT_HEAD", str(env.parent / "lofte-audit.head"))
    with pg_schema_url() as url:
        assert run(capsys, "init", "--database", url)[0] == 0
        weeks = ["--from", "2027-01-04", "--weeks", "4", "--no-mail", "--inline-delivery"]
        assert run(capsys, "simulate", "--database", url, *weeks)[0] == 0
        env.write_text(YEAR_DONE)
        code, out, err = run(
            capsys, "archive", "sala", "--year", "2027", "paket", "--database", url
        )
        assert code == 0 and "Granskningsloggen var intakt" in out, err
    code, out, err = run(capsys, "archive", "verify", "paket", "--key-file", "lofte-audit.key")
    assert code == 0 and "omräknade hashar för" in out and "nyckelsignaturerna" not in out, err
