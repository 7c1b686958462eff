"""`lofte simulate --processes 2` splits the police areas between two processes, each with its
own throw-away database and delivery worker: its summary equals one process's for the same
seed, count for count, and so does its email (kind, recipient, subject, date and text; the
links name each database's own row ids, so those are left out)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lofte.cli.simulate_parts import groups, part_sources, split
from lofte.definitions.loader import load_bundle, load_texts
from tests.cli.test_cli import run
from tests.cli.test_simulate import emails, simulate


def _without_row_ids(found: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    def plain(text: str) -> str:
        text = re.sub(r"/svar/\S+", "/svar/…", text)  # a request's id and its signature
        return re.sub(r"(https?://\S*?/)\d+", r"\1…", text)  # an action's id

    return sorted(tuple(plain(part) for part in email) for email in found)


def test_two_processes_give_the_report_and_the_email_of_one(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "example", "national", "--municipalities", "7", "setup")
    assert code == 0, err
    assert len(groups(load_bundle([Path("setup")]))) >= 2
    setup = ("--definitions", "setup", "--weeks", "6", "--seed", "3")
    one = simulate(capsys, monkeypatch, "one", *setup, "--processes", "1")
    two = simulate(capsys, monkeypatch, "two", *setup, "--processes", "2")
    assert two == one and one["answers"]
    one_mail, two_mail = emails(env.parent / "one"), emails(env.parent / "two")
    assert len(one_mail) > 100 and _without_row_ids(two_mail) == _without_row_ids(one_mail)
    code, out, err = run(capsys, "simulate", "--from", "2027-01-04", *setup, "--no-mail")
    assert code == 0, err
    assert "2 processer" in out and f"{one['timers_fired']} timers" in out


def test_police_areas_that_share_a_person_stay_in_one_part(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "example", "national", "--municipalities", "12", "setup")
    assert code == 0, err
    org = Path("setup/organisation.yaml")
    bundle = load_bundle([Path("setup")])
    areas = [a.id for a in bundle.organisation.spec.police_areas]
    assert len(areas) >= 3
    # An auditor of the first police area and of the last one.
    text = org.read_text(encoding="utf-8").rstrip("\n")
    roles = f"{{{areas[0]}: [revisor], {areas[-1]}: [revisor]}}"
    text += (
        "\n  - {id: rut-revisor, name: Rut Revisor, email: rut@revision.example.se, "
        f"party: kommun, roles: {roles}}}\n"
    )
    org.write_text(text, encoding="utf-8")
    bundle = load_bundle([Path("setup")])
    assert any(areas[0] in group and areas[-1] in group for group in groups(bundle))
    parts = split(bundle, 2)
    assert sorted(a for part in parts for a in part) == sorted(areas)
    together = next(part for part in parts if areas[0] in part)
    assert areas[-1] in together
    first = load_texts(part_sources(bundle, together), "part")
    person = next(p for p in first.organisation.spec.people if p.id == "rut-revisor")
    assert set(person.roles) == {areas[0], areas[-1]}
    assert {a.id for a in first.organisation.spec.police_areas} == set(together)


def test_more_processes_than_one_need_a_setup_and_no_database(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "simulate", "--from", "2027-01-04", "--weeks", "1", "--processes", "2"
    )
    assert code == 2 and "--processes" in err
