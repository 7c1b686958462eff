"""The head file: written atomically, never goes back when several processes share it,
signed with the audit key so an edit or another key is named."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from lofte.storage.audit_head_file import HeadFile
from lofte.storage.audit_keys import throwaway_audit_keys
from lofte.workflow.core.audit_chain import AuditKeys

KEYS = throwaway_audit_keys()


def _digest(seq: int) -> str:
    return f"{seq:064x}"


def _writer(path: str, keys: AuditKeys, start: int) -> None:
    head = HeadFile(Path(path))
    for seq in range(start, 200, 4):  # four processes, interleaved sequence numbers
        head.advance(seq, _digest(seq), keys.current)


def test_only_a_higher_head_is_written_and_it_reads_back(tmp_path: Path) -> None:
    head = HeadFile(tmp_path / "lofte-audit.head")
    absent = head.read(KEYS)
    assert absent is not None and absent.missing
    assert head.advance(5, _digest(5), KEYS.current)
    assert not head.advance(3, _digest(3), KEYS.current)  # another process lagging behind
    found = head.read(KEYS)
    assert found is not None and (found.seq, found.hash, found.problem) == (5, _digest(5), "")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "lofte-audit.head",
        "lofte-audit.head.lock",
    ]  # no temporary file left behind


def test_processes_sharing_the_file_leave_the_highest_head(tmp_path: Path) -> None:
    path = tmp_path / "lofte-audit.head"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(path), KEYS, s)) for s in range(1, 5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    found = HeadFile(path).read(KEYS)
    assert found is not None and found.seq == 199 and found.hash == _digest(199)


def test_an_edited_file_or_another_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "lofte-audit.head"
    HeadFile(path).advance(7, _digest(7), KEYS.current)
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data | {"seq": 4}))
    found = HeadFile(path).read(KEYS)
    assert found is not None and "är ändrad: dess signatur stämmer inte" in found.problem
    path.write_text(json.dumps(data))
    found = HeadFile(path).read(throwaway_audit_keys())
    assert found is not None and f"signerad med granskningsnyckel {data['key']}" in found.problem
    path.write_text("inte json")
    found = HeadFile(path).read(KEYS)
    assert found is not None and "skadad" in found.problem


def test_a_busy_process_spaces_its_writes_and_writes_the_last_head_at_its_end(
    tmp_path: Path,
) -> None:
    """With `every`, a head within it of the last write waits; the file keeps the last one
    written (a true lower bound) until the waiting head is flushed, at the process's end."""
    path = tmp_path / "lofte-audit.head"
    head = HeadFile(path, every=3600)
    assert head.advance(1, _digest(1), KEYS.current)
    for seq in range(2, 6):
        assert not head.advance(seq, _digest(seq), KEYS.current)
    assert json.loads(path.read_text())["seq"] == 1
    head.flush()
    found = HeadFile(path).read(KEYS)
    assert found is not None and (found.seq, found.problem) == (5, "")
    head.flush()  # nothing waits: nothing written
    assert json.loads(path.read_text())["seq"] == 5


def test_closing_a_store_writes_the_head_its_file_still_owes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that closes its store (a benchmark, a test, a process that goes on with other
    work) leaves the head file up to date, without waiting for the process's end."""
    from lofte.cli import wiring
    from lofte.cli.wiring import connect

    monkeypatch.setattr(wiring, "HEAD_EVERY", 3600.0)  # every later head waits, however slow
    from tests.conftest import packaged

    url = f"sqlite:///{tmp_path / 'lofte.db'}"
    wired = connect(url, create=True)
    wired.engine.register(packaged(), actor="init")  # the first commit: written at once
    wired.engine.act("admin", lambda work: work.audit(None, "note", {}))
    newest = wired.store.audit_head.get()
    assert newest is not None
    on_file = HeadFile(tmp_path / "lofte-audit.head").read(wired.store.audit_keys)
    assert on_file is not None and on_file.seq < newest[0]  # the later head waits
    assert newest is not None
    wired.close()
    found = HeadFile(tmp_path / "lofte-audit.head").read(wired.store.audit_keys)
    assert found is not None and found.seq == newest[0] and found.problem == ""
