"""Messages a person asks for: a fresh answer link, a sign-in link."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from lofte.kernel.errors import NotFound, RequestClosed
from lofte.workflow.core.message_types import SignInMessage
from lofte.workflow.core.messages import addressed, request_message
from lofte.workflow.core.records import InputRequest, MessageKind, RequestStatus
from lofte.workflow.core.work import Work


def resend(work: Work, request_id: int) -> InputRequest:
    """A new copy of an open request's email (with its answer link), audited."""
    request = work.uow.requests.get(request_id)
    instance = work.uow.cycles.get(request.instance_id)
    if request.status is not RequestStatus.OPEN or instance.state != request.step_id:
        raise RequestClosed(request_id, "den är inte öppen längre")
    person = work.person(request.person_id)
    if person is None:
        raise NotFound("person", request.person_id)
    definition = work.definition_of(instance)
    message = request_message(
        work, instance, definition, definition.step(request.step_id), request, person
    )
    stamp = work.now.strftime("%Y%m%dT%H%M%S")
    work.send(dataclasses.replace(message, key=f"{message.key}:again:{stamp}"))
    work.audit(instance, "request_resent", {"request": request.key, "to": person.id})
    return request


def sign_in_message(
    work: Work, person_id: str, link: str, valid_until: datetime, stamp: str
) -> None:
    person = work.person(person_id)
    if person is None:
        raise NotFound("person", person_id)
    work.send(
        addressed(
            work,
            work.keys.unit_message("deployment", MessageKind.SIGN_IN.value, stamp, person.id),
            MessageKind.SIGN_IN,
            person,
            SignInMessage(link=link, valid_until=valid_until.isoformat()),
            unit_id="deployment",
            valid_until=valid_until,
        )
    )
