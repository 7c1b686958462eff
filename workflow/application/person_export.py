"""Everything Löfte holds about one person (GDPR art. 15; `lofte person export`): who they
are and which roles they hold where, the requests made of them with their answers, the actions
they own, the messages sent to them, their sign-ins and sessions, the sensitive values they
viewed and every audit event that names them. Records given a pseudonym after the person
left are found by it too.

Sensitive values are never decrypted here: the export says which answers hold them (and which
were erased), not what they say; the person may see them on the cycle's page, where every view
is logged. The export itself is an audit event, written in the same unit of work it was read
in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from lofte.definitions.directory import Directory, Person
from lofte.kernel.errors import UnknownPerson
from lofte.workflow.application.app import Application
from lofte.workflow.application.texts import audit_event_text
from lofte.workflow.core.pseudonyms import pseudonym, pseudonym_key
from lofte.workflow.core.records import (
    Action,
    AuditEvent,
    InboundMail,
    InputRequest,
    OutboxStatus,
)
from lofte.workflow.core.work import Work

FORMAT = "lofte-person-export"
VERSION = 1
PROTECTED = "skyddat värde"  # stands for a sensitive value that is not shown


@dataclass(frozen=True)
class SignInEntry:
    """A sign-in link asked for, or a browser session (only hashes are kept of either)."""

    kind: str  # "link" or "session"
    created_at: datetime
    used_or_seen_at: datetime | None
    ended_at: datetime | None = None  # a session signed out


class SignInHistory(Protocol):
    """The sign-ins and sessions of a person (implemented by `storage.sign_in_history`)."""

    def sign_ins_of(self, person_id: str) -> list[SignInEntry]: ...


def export_person(
    app: Application, person_id: str, actor: str, sign_ins: SignInHistory | None = None
) -> dict[str, Any]:
    """Everything held about `person_id`, as a JSON-ready dict; UnknownPerson if the
    organisation never held them. Audited as `person_exported`."""
    # Read first, apart from the unit of work: the memory store reads under its lock, and a
    # connection of its own would wait for the unit of work's write lock on SQLite.
    chain = list(app.reads.audit_chain())
    entries = sign_ins.sign_ins_of(person_id) if sign_ins is not None else []

    def gather(work: Work) -> dict[str, Any]:
        directory = work.directory
        person = directory.find(person_id)
        name = person.name if person is not None else directory.departed.get(person_id)
        if name is None:
            raise UnknownPerson(person_id, list(directory.people))
        ids = [person_id, pseudonym(pseudonym_key(work), person_id)]
        requests = [r for i in ids for r in work.uow.people.requests_of(i)]
        actions = [a for i in ids for a in work.uow.people.actions_of(i)]
        stored = work.uow.people.sensitive_stored([r.id or 0 for r in requests])
        data = {
            "format": FORMAT,
            "version": VERSION,
            "made_at": work.now.isoformat(),
            "made_by": actor,
            "person": _person(work, person_id, name, person, ids[1]),
            "roles": _roles(directory, person),
            "requests": [_request(work, r, stored) for r in requests],
            "sensitive": _sensitive_summary(stored),
            "actions": [_action(directory, a) for a in actions],
            "messages": _messages(work, ids),
            "sign_ins": [_sign_in(s) for s in entries],
            "mails_read": [_mail(m) for i in ids for m in work.uow.inbound.of_person(i)],
        }
        events = _events_naming(chain, ids)
        data["sensitive_views"] = [_event(e) for e in events if e.event == "sensitive_viewed"]
        data["audit_events"] = [_event(e) for e in events]
        work.audit(None, "person_exported", {"person": person_id, "by": actor})
        return data

    return app.engine.act(actor, gather)


def _person(
    work: Work, person_id: str, name: str, person: Person | None, alias: str
) -> dict[str, Any]:
    left = next(
        (d for d in work.catalog.departures(work.uow, work.view).people if d.id == person_id),
        None,
    )
    return {
        "id": person_id,
        "name": name,
        "email": person.email if person is not None else "",
        "party": person.party if person is not None else "",
        "language": person.language if person is not None else "",
        "daily_digest": person.digest if person is not None else False,
        "left_at": left.departed_at.isoformat() if left is not None else None,
        "removed_by": left.by if left is not None else None,
        "pseudonym": alias,
    }


def _roles(directory: Directory, person: Person | None) -> list[dict[str, str]]:
    if person is None:
        return []
    return [
        {
            "unit": unit_id,
            "unit_name": _unit_name(directory, unit_id),
            "role": role,
            "role_title": directory.role_title(role),
        }
        for unit_id, roles in sorted(person.roles.items())
        for role in roles
    ]


def _unit_name(directory: Directory, unit_id: str) -> str:
    unit = directory.unit(unit_id)
    return unit.name if unit is not None else unit_id


def _request(
    work: Work, request: InputRequest, stored: dict[int, datetime | None]
) -> dict[str, Any]:
    instance = work.uow.cycles.get(request.instance_id)
    definition = work.definition_of(instance)
    step = definition.step(request.step_id) if definition.has_step(request.step_id) else None
    sensitive: dict[str, Any] | None = None
    if (request.id or 0) in stored:
        erased = stored[request.id or 0]
        sensitive = {
            "value": PROTECTED,
            "state": "raderat" if erased is not None else "sparat",
            "erased_at": erased.isoformat() if erased is not None else None,
        }
    return {
        "request_id": request.id,
        "as": request.person_id,
        "unit": request.unit_id,
        "unit_name": _unit_name(work.directory, request.unit_id),
        "cycle": definition.display_title(),
        "period": instance.period_label,
        "step": request.step_id,
        "step_title": step.title.sv if step is not None else request.step_id,
        "about": str(request.subject.get("title", "")),
        "roles": list(request.roles),
        "status": request.status.value,
        "requested_at": request.requested_at.isoformat(),
        "deadline_at": request.deadline_at.isoformat(),
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
        "late": request.late,
        "answer": request.answer,
        "sensitive_values": sensitive,
    }


def _sensitive_summary(stored: dict[int, datetime | None]) -> dict[str, Any]:
    held = sum(1 for erased in stored.values() if erased is None)
    return {
        "held": held,
        "erased": len(stored) - held,
        "note": (
            "Skyddade uppgifter visas inte i utdraget och dekrypteras inte. De kan visas på "
            "cykelns sida för den som får se dem; varje visning loggas."
        ),
    }


def _action(directory: Directory, action: Action) -> dict[str, Any]:
    return {
        "action_id": action.id,
        "as": action.owner_id,
        "unit": action.unit_id,
        "unit_name": _unit_name(directory, action.unit_id),
        "kind": action.kind,
        "what": action.what,
        "place": action.place,
        "status": action.status.value,
        "source": action.source_label,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "created_at": action.created_at.isoformat(),
        "closed_at": action.closed_at.isoformat() if action.closed_at else None,
    }


def _messages(work: Work, ids: Sequence[str]) -> list[dict[str, Any]]:
    found = [
        m for status in OutboxStatus for i in ids for m in work.uow.outbox.with_status(status, i)
    ]
    return [
        {
            "message_id": m.id,
            "kind": m.kind.value,
            "to": m.recipient,
            "status": m.status.value,
            "reason": m.last_error or "",
            "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in sorted(found, key=lambda m: (m.created_at, m.id or 0))
    ]


def _mail(mail: InboundMail) -> dict[str, Any]:
    """A mail of theirs Löfte read: a reply to a request, an out-of-office reply."""
    return {
        "received_at": mail.received_at.isoformat(),
        "outcome": mail.outcome,
        "reason": str(mail.detail.get("reason", "")),
        "request_id": mail.request_id,
        "away_until": mail.away_until.isoformat() if mail.away_until else None,
    }


def _sign_in(entry: SignInEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "created_at": entry.created_at.isoformat(),
        "used_or_seen_at": entry.used_or_seen_at.isoformat() if entry.used_or_seen_at else None,
        "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
    }


def _events_naming(events: Iterable[AuditEvent], ids: Sequence[str]) -> list[AuditEvent]:
    """The audit events whose actor is the person, or whose detail names them anywhere."""
    wanted = set(ids)
    return [e for e in events if e.actor in wanted or _names(e.detail, wanted)]


def _names(value: Any, wanted: set[str]) -> bool:
    if isinstance(value, str):
        return value in wanted
    if isinstance(value, dict):
        return any(_names(v, wanted) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_names(v, wanted) for v in value)
    return False


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "event": event.event,
        "text": audit_event_text(event.event),
        "actor": event.actor,
        "unit": event.unit_id,
        "cycle_id": event.instance_id,
        "detail": event.detail,
    }
