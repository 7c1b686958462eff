"""A mail read from Löfte's mailbox, kept once: with an answer it carries, recorded in the same
unit of work as the answer, and audited with its Message-ID; the person who replied hears what
became of it (a receipt, or what could not be read) through the outbox, in the same unit of
work. The application layer decides what a mail says (`workflow.application.replies`); this
keeps what it decided."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lofte.kernel.errors import NotFound
from lofte.workflow.core.message_ids import message_id_stem
from lofte.workflow.core.message_types import ReplyReadMessage
from lofte.workflow.core.messages import addressed, cycle_ref
from lofte.workflow.core.outbox_retry import outbox_audit
from lofte.workflow.core.records import (
    CycleInstance,
    InboundMail,
    InputRequest,
    MessageKind,
    OutboxStatus,
)
from lofte.workflow.core.submissions import submit
from lofte.workflow.core.work import Work

AUDIT_EVENT = "mail_received"
EXCERPT = 200  # characters of a reply quoted back to its sender


@dataclass(frozen=True)
class Reply:
    """What a trusted reply (from the person asked, to a step still open) said: the answer to
    record, or else the words that could not be read (told back to the sender)."""

    person_id: str
    answer: Mapping[str, Any] | None
    not_understood: str = ""
    understood: tuple[str, ...] = ()  # in the person's language: what was read


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) about one of Löfte's messages: the outbox
    message it names (`X-Lofte-Message`), the Message-ID it quotes, and what the receiving
    server said of the recipient."""

    outbox_id: int
    quoted_message_id: str
    recipient: str
    status: str  # 5.1.1
    diagnostic: str  # smtp; 550 5.1.1 User unknown


def receive(
    job: Work,
    mail: InboundMail,
    message_id: str,
    reply: Reply | None = None,
    bounce: Bounce | None = None,
) -> bool:
    """Keep `mail`; with `reply`, record its answer for `mail.request_id` (or tell the person
    what could not be read); with `bounce`, make the message it names an incident. False, and
    nothing done, if a mail with its key was kept before."""
    if not job.uow.inbound.add(mail):
        return False
    if bounce is not None:
        _bounced(job, bounce)
    request, instance = _request_of(job, mail.request_id)
    if reply is not None and request is not None and instance is not None:
        if reply.answer is not None:
            submit(job, request.id or 0, reply.person_id, reply.answer)
        _tell(job, mail, request, instance, reply)
    detail = {"message_id": message_id[:200], "outcome": mail.outcome} | {
        k: v for k, v in mail.detail.items() if k != "v"
    }
    job.audit(instance, AUDIT_EVENT, detail | {"request": mail.request_id})
    return True


def _tell(
    job: Work, mail: InboundMail, request: InputRequest, instance: CycleInstance, reply: Reply
) -> None:
    person = job.person(reply.person_id)
    if person is None:
        return
    definition = job.definition_of(instance)
    step = definition.step(request.step_id)
    lang = person.language
    context = ReplyReadMessage(
        cycle=cycle_ref(job, instance, definition, lang),
        step_title=step.title.get(lang),
        request_id=request.id or 0,
        answer_until=request.late_until.isoformat(),
        recorded=reply.answer is not None,
        understood=list(reply.understood),
        not_understood=reply.not_understood[:EXCERPT],
    )
    kind = MessageKind.REPLY_READ
    key = job.keys.message(request.key, f"{kind.value}:{mail.key[:16]}", person.id)
    job.send(addressed(job, key, kind, person, context, instance=instance, request_id=request.id))


def _bounced(job: Work, bounce: Bounce) -> None:
    """The message failed for that address: an incident (as when retries run out), audited,
    shown where its delivery problems are shown; a bounce that names no message of ours (or
    quotes another's Message-ID) changes nothing."""
    try:
        message = job.uow.outbox.get(bounce.outbox_id, lock=True)
    except NotFound:
        return
    if (
        not bounce.quoted_message_id.startswith(message_id_stem(message.key))
        or bounce.recipient.lower() != message.recipient.lower()
        or message.status is OutboxStatus.FAILED
    ):
        return
    error = f"studsade: {bounce.status} {bounce.diagnostic}".strip()[:2000]
    job.uow.outbox.save(
        dataclasses.replace(
            message, status=OutboxStatus.FAILED, next_attempt_at=None, last_error=error
        )
    )
    detail = {"key": message.key, "status": bounce.status, "error": bounce.diagnostic[:500]}
    outbox_audit(job.uow, message, "outbox_bounced", job.actor, job.now, detail)


def _request_of(
    job: Work, request_id: int | None
) -> tuple[InputRequest | None, CycleInstance | None]:
    if request_id is None:
        return None, None
    try:
        request = job.uow.requests.get(request_id)
        return request, job.uow.cycles.get(request.instance_id)
    except NotFound:
        return None, None
