"""The installed wheel, not the checkout: it carries its definitions, email templates and
migrations, and a simulated fortnight from an empty folder writes its emails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A clean copy: a stale build/ folder in the checkout must not lend the wheel its files.
    source = tmp_path_factory.mktemp("source") / "lofte"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
            "lofte-mail",
            "*.db",
            "*.db-*",
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True,
        timeout=300,
    )
    return next(out.glob("*.whl"))


def test_the_wheel_carries_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "definitions/packaged/organisation.yaml",
        "definitions/packaged/est-inventering.yaml",
        "notifications/templates/sv/input_request.html.j2",
        "notifications/templates/en/input_request.txt.j2",
        "storage/migrations/script.py.mako",
        "storage/migrations/env.py",
    ):
        assert required in names, f"{required} is missing from {wheel.name}"
    assert any(n.startswith("storage/migrations/versions/0") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    root = Path(__file__).resolve().parent.parent
    data = [
        p
        for folder in ("web/templates", "web/static", "notifications/templates")
        for p in (root / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    missing = [str(p.relative_to(root)) for p in data if str(p.relative_to(root)) not in names]
    assert not missing, f"missing from {wheel.name}: {missing}"


def test_the_installed_wheel_simulates_and_writes_emails(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site), LOFTE_MAIL_DIR=str(empty / "lofte-mail"))
    probe = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            "import cli, notifications; print(cli.__file__, notifications.__file__)",
        ],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.count(str(site)) == 2, probe.stdout  # the installed copy, not the checkout
    done = subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "cli.main",
            "simulate",
            "--from",
            "2027-01-04",
            "--weeks",
            "2",
            "--database",
            "sqlite:///fortnight.db",
        ],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    emails = list((empty / "lofte-mail").glob("*.eml"))
    assert len(emails) > 20, done.stdout
