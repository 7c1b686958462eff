"""Mails to read from a folder: a Maildir (`new/` and `cur/`; read mails move from `new/` to
`cur/` with the seen flag, as a mail program marks them, never deleted), a folder of `.eml`
files, or one `.eml` file. Mail that arrives another way (a forwarding rule into a Maildir, a
saved file) is read like mail from the IMAP mailbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lofte.kernel.errors import ConfigError, system_reason


@dataclass(frozen=True)
class FolderMail:
    path: Path
    maildir_new: bool  # in a Maildir's new/: moved to cur/ once read


def is_maildir(folder: Path) -> bool:
    return all((folder / part).is_dir() for part in ("new", "cur", "tmp"))


def mails_in(place: str) -> Iterator[FolderMail]:
    """Each mail file at `place`, oldest first; ConfigError if `place` cannot be read."""
    path = Path(place)
    if not path.exists():
        raise ConfigError(
            f"{place} finns inte (ange en Maildir, en mapp med .eml-filer eller en fil)"
        )
    if path.is_file():
        yield FolderMail(path, False)
        return
    try:
        if is_maildir(path):
            found = [FolderMail(p, True) for p in _files(path / "new")]
            found += [FolderMail(p, False) for p in _files(path / "cur")]
        else:
            found = [FolderMail(p, False) for p in _files(path) if p.suffix.lower() == ".eml"]
    except OSError as exc:
        raise ConfigError(f"{place} kan inte läsas: {system_reason(exc)}") from None
    yield from sorted(found, key=lambda m: (_mtime(m.path), m.path.name))


def mark_read(mail: FolderMail) -> None:
    """A Maildir's new mail moves to cur/ with the seen flag (`:2,S`)."""
    if not mail.maildir_new:
        return
    target = mail.path.parent.parent / "cur" / f"{mail.path.name}:2,S"
    os.replace(mail.path, target)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
