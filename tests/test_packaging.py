"""The installed wheel, not the checkout: one import name (`lofte`) and one console script,
its definitions, email templates and migrations, and a simulated fortnight from an empty
folder writes its emails."""

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


def test_the_wheel_installs_one_import_name_and_one_command(wheel: Path) -> None:
    """Generic top-level names (`cli`, `web`, `storage`, ...) would collide with other
    distributions in site-packages; the wheel adds `lofte` and the `lofte` script only."""
    archive = zipfile.ZipFile(wheel)
    info = next(n.split("/")[0] for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
    record = archive.read(f"{info}/RECORD").decode().splitlines()
    installed = {line.split(",")[0] for line in record}
    tops = {path.split("/")[0] for path in installed if not path.startswith(info)}
    assert tops == {"lofte"}
    assert "lofte/kernel/errors.py" in installed and "lofte/workflow/core/engine.py" in installed
    assert not any(p.startswith("lofte/workflow/kernel/") for p in installed)
    assert archive.read(f"{info}/top_level.txt").decode().split() == ["lofte"]
    scripts = archive.read(f"{info}/entry_points.txt").decode()
    assert scripts.split() == ["[console_scripts]", "lofte", "=", "lofte.cli.main:main"]


def test_the_wheel_carries_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "lofte/py.typed",
        "lofte/definitions/packaged/organisation.yaml",
        "lofte/definitions/packaged/est-inventering.yaml",
        "lofte/notifications/templates/sv/input_request.html.j2",
        "lofte/notifications/templates/en/input_request.txt.j2",
        "lofte/storage/migrations/script.py.mako",
        "lofte/storage/migrations/env.py",
    ):
        assert required in names, f"{required} is missing from {wheel.name}"
    assert any(n.startswith("lofte/storage/migrations/versions/0") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    data = [
        p
        for folder in ("web/templates", "web/static", "notifications/templates")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    missing = [f"lofte/{p.relative_to(ROOT)}" for p in data]
    missing = [name for name in missing if name not in names]
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
            "import lofte.cli as c, lofte.notifications as n; print(c.__file__, n.__file__)",
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
            "lofte.cli.main",
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
