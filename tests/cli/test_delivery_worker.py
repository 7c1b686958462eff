"""The simulation's delivery worker, as its parent sees it: what came back before the worker
failed is recorded before the failure is raised (else mail that went out would stay claimed,
and a later delivery job would send it again)."""

from __future__ import annotations

import queue
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lofte.cli.delivery_worker import DeliveryWorker
from lofte.kernel.errors import LofteError
from lofte.notifications.sending import SendJob, SendResult
from lofte.workflow.core.records import MessageKind, OutboxMessage

NOW = datetime(2027, 1, 11, 9, tzinfo=UTC)


def _job(message_id: int) -> SendJob:
    message = OutboxMessage(
        key=f"k{message_id}",
        kind=MessageKind.SIGN_IN,
        person_id="eva",
        recipient="eva@sala.example.se",
        language="sv",
        created_at=NOW,
        context={},
        id=message_id,
    )
    return SendJob(NOW, (message,), {})


@pytest.mark.parametrize("finishing", [False, True], ids=["collect", "finish"])
def test_what_came_back_before_the_worker_failed_is_recorded_first(finishing: bool) -> None:
    worker = DeliveryWorker(Path("unused"))  # never started: its queues are the test's
    worker.results = queue.Queue()
    worker.jobs = queue.Queue()
    worker.handed = {1: _job(1), 2: _job(2)}
    worker.results.put(("done", (1, ([(1, "lofte-mail/1.eml")], []))))
    worker.results.put(("error", "OSError: disken är full"))
    recorded: list[list[SendResult]] = []
    with pytest.raises(LofteError, match="disken är full"):
        (worker.finish if finishing else worker.collect)(recorded.append)
    assert [[m.id for m, _ in r.sent] for batch in recorded for r in batch] == [[1]]
    assert list(worker.handed) == [2]  # not back: stays claimed, as it should
