"""`lofte demo` (the README's first command) prepares a database with open requests and their
emails, and prints an answer link that the web app opens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from cli.main import main


def test_the_demo_leaves_requests_open_with_emails_and_a_working_answer_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOFTE_BASE_URL", "http://unused.example")
    monkeypatch.setenv("LOFTE_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("LOFTE_MAIL_DIR", str(tmp_path / "lofte-mail"))
    (tmp_path / "lofte-demo.db").write_text("an old demo database is replaced")
    assert main(["demo", "--no-serve", "--weeks", "1", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    link = re.search(r"http://127\.0\.0\.1:8123(/svar/\S+)", out)
    assert link, out
    assert "tove.lind@raddning.example.se" in out and "mån 11 jan 2027 kl. 10.00" in out
    mails = list((tmp_path / "lofte-mail").glob("input_request-*.eml"))
    assert mails and "http://127.0.0.1:8123/svar/" in mails[0].read_text(errors="replace")

    from datetime import datetime

    from cli.wiring import connect
    from storage.web_access import SqlWebAccess
    from web.factory import create_app
    from workflow.kernel.clock import VirtualClock
    from workflow.kernel.timerules import STOCKHOLM

    clock = VirtualClock(datetime(2027, 1, 11, 10, tzinfo=STOCKHOLM))
    wired = connect("sqlite:///lofte-demo.db", clock=clock)
    try:
        page = (
            create_app(wired.app, SqlWebAccess(wired.store.engine)).test_client().get(link.group(1))
        )
        assert page.status_code == 200 and "Svara senast" in page.get_data(as_text=True)
    finally:
        wired.close()


def test_the_demo_refuses_a_bad_argument_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["demo", "--weeks", "0"])
    assert stopped.value.code == 2
    assert "--weeks" in capsys.readouterr().err
