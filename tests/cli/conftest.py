"""The command line's fixture: a working folder with a virtual clock file."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a virtual clock file and the default database URL."""
    monkeypatch.chdir(tmp_path)
    clock = tmp_path / "clock"
    clock.write_text("2027-01-01T00:00:00+00:00")
    monkeypatch.setenv("LOFTE_CLOCK_FILE", str(clock))
    monkeypatch.delenv("LOFTE_DATABASE_URL", raising=False)
    return clock
