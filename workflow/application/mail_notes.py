"""What the mail says about a person's open requests, shown beside them to the coordinator:
"frånvarande till 12 jan enligt autosvar" (their latest out-of-office reply gave that date),
"e-posten kom inte fram" (the request, or its latest reminder, bounced or failed). A number
or a note on a page must mean what it says: only open requests get one, and only from what
was read or recorded."""

from __future__ import annotations

from collections.abc import Sequence

from lofte.kernel import words
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.app import Application
from lofte.workflow.application.ui_text import ui
from lofte.workflow.core.records import InputRequest, MessageKind, OutboxStatus, RequestStatus

ASKING = frozenset({MessageKind.INPUT_REQUEST, MessageKind.REMINDER})


def mail_notes(app: Application, requests: Sequence[InputRequest], language: str) -> dict[int, str]:
    """Request id -> its note, for the open requests that have one."""
    waiting = [r for r in requests if r.status is RequestStatus.OPEN and r.id is not None]
    if not waiting:
        return {}
    today = app.now.astimezone(STOCKHOLM).date()
    with app.engine.store.unit_of_work(read_only=True) as uow:
        away = uow.inbound.away(sorted({r.person_id for r in waiting}), today)
        ids = {r.id for r in waiting}
        failed = {
            m.request_id: m.last_error or ""
            for m in uow.outbox.with_status(OutboxStatus.FAILED)
            if m.request_id in ids and m.kind in ASKING
        }
    notes: dict[int, str] = {}
    for request in waiting:
        said = []
        if request.id in failed:
            error = failed[request.id].removeprefix("studsade: ")[:80]
            said.append(ui("e-posten kom inte fram ({error})", language, error=error))
        if request.person_id in away:
            day = words.plain_date(away[request.person_id], language)
            said.append(ui("frånvarande till {day} enligt autosvar", language, day=day))
        if said:
            notes[request.id or 0] = "; ".join(said)
    return notes
