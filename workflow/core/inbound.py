"""A mail read from Löfte's mailbox, kept once: with an answer it carries, recorded in the same
unit of work as the answer, and audited with its Message-ID. The application layer decides
what a mail says (`workflow.application.replies`); this keeps what it decided."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lofte.kernel.errors import NotFound
from lofte.workflow.core.records import CycleInstance, InboundMail
from lofte.workflow.core.submissions import submit
from lofte.workflow.core.work import Work

AUDIT_EVENT = "mail_received"


def receive(
    job: Work,
    mail: InboundMail,
    message_id: str,
    answer: tuple[str, Mapping[str, Any]] | None = None,
) -> bool:
    """Keep `mail`; with `answer` (the person, the values) record it for `mail.request_id`.
    False, and nothing done, if a mail with its key was kept before."""
    if not job.uow.inbound.add(mail):
        return False
    if answer is not None and mail.request_id is not None:
        submit(job, mail.request_id, answer[0], answer[1])
    detail = {"message_id": message_id[:200], "outcome": mail.outcome} | {
        k: v for k, v in mail.detail.items() if k != "v"
    }
    job.audit(_cycle_of(job, mail.request_id), AUDIT_EVENT, detail | {"request": mail.request_id})
    return True


def _cycle_of(job: Work, request_id: int | None) -> CycleInstance | None:
    if request_id is None:
        return None
    try:
        return job.uow.cycles.get(job.uow.requests.get(request_id).instance_id)
    except NotFound:
        return None
