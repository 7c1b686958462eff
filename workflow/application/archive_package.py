"""Writing an archive package: every file into a new folder beside the target, the manifest
with each file's SHA-256 and size last, then the folder renamed into place in one step; the
target must not exist or be empty. Nothing is left behind when anything fails."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from lofte.kernel.errors import ConfigError, system_reason
from lofte.workflow.application.archive_format import FORMAT, MANIFEST, VERSION, json_bytes


def check_target(folder: Path) -> None:
    """Refuse a target a package cannot be written to, before anything is read or written."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} finns redan och är ingen mapp; ange en ny mapp för arkivet")
    if folder.is_dir() and any(folder.iterdir()):
        raise ConfigError(
            f"mappen {folder} finns redan och är inte tom; ange en ny (eller tom) mapp för "
            "arkivet, så att inget skrivs över"
        )
    if not folder.absolute().parent.is_dir():
        raise ConfigError(f"mappen {folder.absolute().parent} finns inte; skapa den först")


def file_entry(path: str, content: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}


def manifest(files: dict[str, bytes], facts: dict[str, Any]) -> bytes:
    """manifest.json: the package's format and version, `facts` (unit, year, when, ...) and
    every other file with its checksum, in path order."""
    entries = [file_entry(path, files[path]) for path in sorted(files)]
    return json_bytes({"format": FORMAT, "version": VERSION, **facts, "files": entries})


def write_package(folder: Path, files: dict[str, bytes], facts: dict[str, Any]) -> tuple[int, str]:
    """Write `files` and their manifest as the folder `folder`; the bytes written in all and
    the manifest's SHA-256 (which, kept apart, vouches for every file)."""
    check_target(folder)
    target = folder.absolute()
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        written = dict(files) | {MANIFEST: manifest(files, facts)}
        for path, content in written.items():
            destination = building / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
            with destination.open("rb") as done:
                os.fsync(done.fileno())
        os.chmod(building, 0o750)
        os.rename(building, target)  # replaces an empty folder, refuses a non-empty one
    except OSError as exc:  # a full disk, a folder made meanwhile: named, nothing left
        shutil.rmtree(building, ignore_errors=True)
        raise ConfigError(
            f"arkivet kunde inte skrivas till {folder}: {system_reason(exc)}"
        ) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    size = sum(len(content) for content in written.values())
    return size, hashlib.sha256(written[MANIFEST]).hexdigest()
