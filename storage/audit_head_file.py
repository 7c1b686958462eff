"""The audit chain's head kept outside the database, so that deleting the newest events (or
all of them) shows even when the protecting triggers were dropped.

After every unit of work that appended audit events commits, the store writes the new head
(sequence number, hash, the audit key's id and an HMAC of the two with that key) to the head
file: a temporary file beside it, fsync, rename over it, fsync of the folder. Several
processes may share one file (engines on PostgreSQL on one host): each takes an exclusive lock
on `<file>.lock`, reads the head there and writes only a higher sequence number, so the file
never goes back. A file one process lags behind is still a true lower bound of the chain.
`lofte audit verify` reads the file by default.

Where: LOFTE_AUDIT_HEAD, else `lofte-audit.head` beside the SQLite database (or in the working
folder for PostgreSQL). Keep it on another disk or host than the database where you can.
"""

from __future__ import annotations

import atexit
import fcntl
import hmac
import json
import logging
import math
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from lofte.storage.sensitive_keys import default_key_file
from lofte.workflow.core.audit_chain import AuditKey, AuditKeys, OutsideHead, head_mac

log = logging.getLogger("lofte.storage")
HEAD_FILE_NAME = "lofte-audit.head"
FORMAT = 1


def head_file_path(database_url: str, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    configured = env.get("LOFTE_AUDIT_HEAD", "").strip()
    return Path(configured) if configured else default_key_file(database_url, HEAD_FILE_NAME)


class HeadFile:
    """`every` (seconds, 0: each time) spaces the writes of a busy process: a head newer than
    the file's but within `every` of the last write waits for the next commit after that, or
    for the process's end (`flush`, registered at exit). Events of that last stretch are not
    yet under the file's watch; every earlier one is, and the file never claims more than the
    database holds. Two fsyncs per commit would otherwise cost a busy engine two thirds of its
    steps (docs/operations.md)."""

    def __init__(self, path: Path, every: float = 0.0) -> None:
        self.path = path
        self.every = every
        self._pending: tuple[int, str, AuditKey] | None = None
        self._written_at = -math.inf
        if every > 0:
            atexit.register(self.flush)

    def advance(self, seq: int, digest: str, key: AuditKey) -> bool:
        """Write the head if it is newer than the file's; whether it was written. A failure is
        logged, never raised: the change it follows has committed already."""
        if self.every > 0 and time.monotonic() - self._written_at < self.every:
            if self._pending is None or self._pending[0] < seq:
                self._pending = (seq, digest, key)
            return False
        self._pending = None
        self._written_at = time.monotonic()
        try:
            with self._locked():
                if self._stored_seq() >= seq:
                    return False
                self._write(seq, digest, key)
                return True
        except OSError:
            log.error("audit head file %s could not be written", self.path, exc_info=True)
            return False

    def flush(self) -> None:
        """Write a head that waited (at the process's end)."""
        if self._pending is not None:
            seq, digest, key = self._pending
            self._written_at = -math.inf
            self.advance(seq, digest, key)

    def replace(self, seq: int, digest: str, key: AuditKey) -> None:
        """Write the head whatever the file holds (a restored backup starts a new line)."""
        with self._locked():
            self._write(seq, digest, key)

    def read(self, keys: AuditKeys) -> OutsideHead | None:
        """The head in the file, checked with `keys` (`missing` when there is no file)."""
        where = str(self.path)
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return OutsideHead(0, "", where, missing=True)
        except (OSError, UnicodeDecodeError) as exc:
            return OutsideHead(0, "", where, f"huvudfilen {where} går inte att läsa ({exc})")
        try:
            data = json.loads(raw)
            seq, digest = int(data["seq"]), str(data["hash"])
            key_id, mac = str(data["key"]), str(data["mac"])
        except (ValueError, KeyError, TypeError):
            return OutsideHead(0, "", where, f"huvudfilen {where} är skadad eller ändrad för hand")
        key = keys.find(key_id)
        if key is None:
            return OutsideHead(
                seq,
                digest,
                where,
                f"huvudfilen {where} är signerad med granskningsnyckel {key_id}, som inte finns "
                f"bland nycklarna i {keys.source} ({', '.join(keys.ids) or 'inga'}): ange rätt "
                "nyckel",
            )
        if not hmac.compare_digest(mac, head_mac(key, seq, digest)):
            return OutsideHead(
                seq, digest, where, f"huvudfilen {where} är ändrad: dess signatur stämmer inte"
            )
        return OutsideHead(seq, digest, where)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _stored_seq(self) -> int:
        try:
            return int(json.loads(self.path.read_text(encoding="utf-8"))["seq"])
        except FileNotFoundError:
            return 0
        except (OSError, ValueError, KeyError, TypeError):
            return 0  # garbled: written over (verify has reported it, if anyone asked)

    def _write(self, seq: int, digest: str, key: AuditKey) -> None:
        text = json.dumps(
            {
                "format": FORMAT,
                "seq": seq,
                "hash": digest,
                "key": key.key_id,
                "mac": head_mac(key, seq, digest),
            }
        )
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, (text + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
