"""`lofte simulate` renders and sends its email in a worker process beside the engine (which
claims and records it): the same emails (kind, recipient, subject, date and text) and the same
summary as delivering inline, meetings whose lägesbild is brought up to date included. A setup with
daily digests delivers in step with the engine, since a digest lists the requests open when
it is written."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.cli.test_cli import run

ARGS = ("simulate", "--from", "2027-01-04", "--json")


def emails(folder: Path) -> list[tuple[str, ...]]:
    """Every email as a reader sees it. Each run is a new installation, whose id is in the
    Message-ID (and the MIME boundaries), so those are left out."""
    seen = []
    for path in folder.glob("*.eml"):
        email = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = email.get_body(("plain",))
        assert body is not None
        seen.append(
            (
                str(email["X-Lofte-Kind"]),
                str(email["To"]),
                str(email["Subject"]),
                str(email["Date"]),
                body.get_content(),
            )
        )
    return sorted(seen)


def simulate(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mail: str, *extra: str
) -> dict[str, object]:
    monkeypatch.setenv("LOFTE_MAIL_DIR", mail)
    code, out, err = run(capsys, *ARGS, *extra)
    assert code == 0, err
    assert "Traceback" not in out + err
    return dict(json.loads(out))


def test_a_worker_process_delivers_the_same_email_as_inline_delivery(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOFTE_SECRET_KEY", "the same answer links in both runs")
    code, _, err = run(capsys, "example", "national", "--municipalities", "3", "setup")
    assert code == 0, err
    setup = ("--definitions", "setup", "--weeks", "5")  # meetings bring their lägesbild up to date
    by_worker = simulate(capsys, monkeypatch, "worker", *setup)
    inline = simulate(capsys, monkeypatch, "inline", *setup, "--inline-delivery")
    assert by_worker == inline and by_worker["answers"]
    worker_mail, inline_mail = emails(env.parent / "worker"), emails(env.parent / "inline")
    assert len(worker_mail) > 100 and worker_mail == inline_mail


def test_with_daily_digests_delivery_keeps_step_with_the_engine(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The packaged example has a kommunpolis who wants one digest a day.
    monkeypatch.setenv("LOFTE_SECRET_KEY", "the same answer links in both runs")
    simulate(capsys, monkeypatch, "default", "--weeks", "2")
    simulate(capsys, monkeypatch, "inline", "--weeks", "2", "--inline-delivery")
    default, inline = emails(env.parent / "default"), emails(env.parent / "inline")
    assert any(kind == "digest" for kind, *_ in default)
    assert default == inline


def test_a_simulation_in_a_database_that_holds_a_setup_keeps_that_setup(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An administrator's setup is not replaced by the packaged example when weeks are
    simulated in its database (it was: Surahammar's inventory went back to every week)."""
    code, _, err = run(capsys, "definitions", "export", "setup")
    assert code == 0, err
    org = Path("setup/organisation.yaml")
    surahammar = "website: https://www.surahammar.example.se}"
    text = org.read_text(encoding="utf-8")
    assert surahammar in text
    every_two_weeks = surahammar[:-1] + ", overrides: {est-inventering: {cadence: {every: P2W}}}}"
    org.write_text(text.replace(surahammar, every_two_weeks), encoding="utf-8")
    code, _, err = run(capsys, "init", "--definitions", "setup")
    assert code == 0, err
    weeks = ("simulate", "--from", "2027-01-04", "--weeks", "5", "--no-mail")
    code, out, err = run(capsys, *weeks, "--database", "sqlite:///lofte.db")
    assert code == 0, err
    env.write_text("2027-02-07T12:00:00+01:00")
    code, out, err = run(capsys, "audit", "--unit", "surahammar", "--cycle", "est-inventering")
    assert code == 0, err
    assert [w for w in ("v. 1 2027", "v. 2 2027", "v. 3 2027", "v. 5 2027") if w in out] == [
        "v. 1 2027",
        "v. 3 2027",
        "v. 5 2027",
    ]
    assert "Perioder utan cykel\n  inga" in out
