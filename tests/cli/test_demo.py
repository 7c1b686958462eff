"""`lofte demo` (the README's first command) prepares a database with open requests and their
emails and serves the pages on its own clock: it prints the commands that look at its database
(with its clock and key), its clock moves with the wall clock from the simulated Monday (so
sign-in limits reset), `--no-serve` serves nothing and names no web address, a second run
starts from a clean mail folder, and the default demo reaches the steering groups' decisions."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lofte.cli import cmd_demo
from lofte.kernel import clock as clocks
from tests.cli.test_cli import run

WALL = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)  # the real clock, as the tests set it


class Wall:
    """The real clock, moved by the test."""

    now_at = WALL


@pytest.fixture
def demo_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, type[Wall]]]:
    monkeypatch.chdir(tmp_path)
    for name in (
        "LOFTE_BASE_URL",
        "LOFTE_DATA_KEY_FILE",
        "LOFTE_CLOCK_FILE",
        "LOFTE_AUDIT_KEY_FILE",
        "LOFTE_AUDIT_HEAD",
    ):
        monkeypatch.setenv(name, "unused")  # restored after the test, whatever the demo sets
        monkeypatch.delenv(name)
    monkeypatch.delenv("LOFTE_DATA_KEY", raising=False)
    monkeypatch.delenv("LOFTE_AUDIT_KEY", raising=False)
    monkeypatch.delenv("LOFTE_DATABASE_URL", raising=False)
    monkeypatch.setenv("LOFTE_MAIL_DIR", "lofte-mail")
    Wall.now_at = WALL
    monkeypatch.setattr(clocks.SystemClock, "now", lambda self: Wall.now_at)
    yield tmp_path, Wall


def demo(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, "demo", *argv)
    assert code == 0, err
    return out


def commands(out: str) -> list[str]:
    start = out.index("\n  cd ")
    return [line.strip() for line in out[start:].splitlines() if line.startswith("  ")]


def test_the_demo_prints_the_commands_that_look_at_its_database_on_its_clock(
    demo_folder: tuple[Path, type[Wall]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, wall = demo_folder
    out = demo(capsys, "--no-serve", "--weeks", "1")
    assert "demons klocka står på mån 8 mars 2027 kl. 10.00" in out
    given = commands(out)
    assert given[0] == f"cd {shlex.quote(str(folder))}"
    assert given[1] == (
        "export LOFTE_DATABASE_URL=sqlite:///lofte-demo.db LOFTE_CLOCK_FILE=lofte-demo.clock "
        "LOFTE_DATA_KEY_FILE=lofte-demo.key LOFTE_AUDIT_KEY_FILE=lofte-demo-audit.key "
        "LOFTE_AUDIT_HEAD=lofte-demo-audit.head"
    )
    for setting in given[1].removeprefix("export ").split():
        name, value = setting.split("=", 1)
        monkeypatch.setenv(name, value)
    wall.now_at = WALL + timedelta(minutes=20)  # the demo's clock moved on with the real one
    code, status, err = run(capsys, *shlex.split(given[2])[1:])
    assert (code, given[2]) == (0, "lofte status"), err
    assert "Databas sqlite:///lofte-demo.db, klockan mån 8 mars 2027 kl. 10.20" in status
    assert "Öppna cykler" in status and "EST-inventering" in status
    code, audit, err = run(capsys, *shlex.split(given[3])[1:])
    assert code == 0 and "Inriktningsbeslut" in audit, err


def test_no_serve_serves_nothing_and_names_no_web_address(
    demo_folder: tuple[Path, type[Wall]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("--no-serve served the pages")

    monkeypatch.setattr(cmd_demo, "_serve", refuse)
    out = demo(capsys, "--no-serve", "--weeks", "1")
    assert not re.search(r"https?://|127\.0\.0\.1|/svar/|/logga-in|webbsid", out, re.I), out


def test_the_served_pages_run_on_the_demos_clock_so_sign_in_limits_reset(
    demo_folder: tuple[Path, type[Wall]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, wall = demo_folder
    served: list[Any] = []
    monkeypatch.setattr(cmd_demo, "_serve", lambda base_url, port: served.append(base_url))
    out = demo(capsys, "--weeks", "1", "--port", "8123")
    assert served == ["http://127.0.0.1:8123"]
    link = re.search(r"http://127\.0\.0\.1:8123(/svar/\S+)", out)
    assert link and "tove.lind@raddning.example.se" in out, out

    from lofte.storage.web_access import SqlWebAccess
    from lofte.web.factory import create_app

    wired = cmd_demo.demo_connection()
    try:
        client = create_app(wired.app, SqlWebAccess(wired.store.engine)).test_client()
        page = client.get(link.group(1))
        assert page.status_code == 200 and "Svara senast" in page.get_data(as_text=True)

        def ask() -> int:
            form = client.get("/logga-in").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            client.post(
                "/logga-in",
                data={"csrf_token": token.group(1), "epost": "tove.lind@raddning.example.se"},
            )
            return sum(wired.app.reads.outbox_counts().values())

        counts = [ask() for _ in range(4)]
        assert counts[1] > counts[0] and counts[2] > counts[1] and counts[3] == counts[2]
        wall.now_at = WALL + timedelta(minutes=16)  # the limit's window has passed
        assert ask() > counts[3]
    finally:
        wired.close()


def test_a_second_demo_starts_from_a_clean_mail_folder_and_reaches_a_decision(
    demo_folder: tuple[Path, type[Wall]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = demo_folder
    mail = folder / "lofte-mail"
    demo(capsys, "--no-serve", "--weeks", "1")
    first = {p.name for p in mail.glob("*.eml")}
    assert len(first) > 50
    (mail / "mine.eml").write_text("a message the demo did not write")
    out = demo(capsys, "--no-serve")  # the default: three weeks from 1 March
    assert f"e-posten från förra demon, {len(first)} filer, är borttagen" in out
    second = {p.name for p in mail.glob("*.eml")}
    assert not first & second and "mine.eml" in second

    from lofte.web.factory import create_app
    from lofte.workflow.application.publication import public_units, published

    wired = cmd_demo.demo_connection()
    try:
        decided = [u for u in public_units(wired.app) if published(wired.app, u.id)]
        assert decided, "no steering group's decision is published"
        from lofte.storage.web_access import SqlWebAccess

        client = create_app(wired.app, SqlWebAccess(wired.store.engine)).test_client()
        page = client.get(f"/publikt/{decided[0].id}").get_data(as_text=True)
        assert "Inget är publicerat ännu" not in page and "kvartal 2 2027" in page
    finally:
        wired.close()


def test_the_clock_file_moves_with_the_real_clock_from_the_moment_it_was_written(
    tmp_path: Path,
) -> None:
    written = datetime(2026, 5, 4, 12, tzinfo=UTC)
    path = tmp_path / "clock"
    path.write_text(clocks.running_clock_text(datetime(2027, 3, 22, 9, tzinfo=UTC), written))
    wall = clocks.VirtualClock(written)
    clock = clocks.FileClock(path, wall)
    assert clock.now() == datetime(2027, 3, 22, 9, tzinfo=UTC)
    wall.advance(timedelta(hours=3))
    assert clock.now() == datetime(2027, 3, 22, 12, tzinfo=UTC)
    path.write_text("2027-01-01T00:00:00+00:00")  # a plain timestamp stands still
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)


def test_the_demo_refuses_a_bad_argument_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        from lofte.cli.main import main

        main(["demo", "--weeks", "0"])
    assert stopped.value.code == 2
    assert "--weeks" in capsys.readouterr().err


def test_an_unreadable_earlier_database_removes_no_mail(tmp_path: Path) -> None:
    (tmp_path / "lofte-demo.db").write_text("an old demo database is replaced")
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "kept.eml").write_text("x")
    assert cmd_demo.remove_earlier_mail(tmp_path / "lofte-demo.db", tmp_path / "mail") == 0
    assert (tmp_path / "mail" / "kept.eml").exists()
