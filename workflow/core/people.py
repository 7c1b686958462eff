"""A person leaves the organisation (`lofte person remove`), in one unit of work:

- they hold no role any more: the list of people who left (`definitions.departures`) is
  stored in the catalog, and every directory made from it leaves them out, whatever a later
  organisation file says;
- each open request of theirs is cancelled and asked of the coordinator of its cycle's unit
  instead (a new request, so an answer link mailed to the person who left no longer works),
  and each open action they own becomes the coordinator's; no cycle waits for someone who is
  gone, and none stops: the count of open requests stays as it was;
- each coordinator who took something over gets one notice listing it;
- the closed records that name them keep the name until their retention ends; those whose
  retention has already ended get the pseudonym now (`workflow.core.pseudonyms`);
- the audit log records it all, with the roles nobody holds any more.

With nobody to take over (no other coordinator in the unit or its police area) nothing is
changed and the removal is refused.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.departures import Departure
from lofte.definitions.directory import Person
from lofte.definitions.loader import sha256
from lofte.kernel.errors import NoCoordinator, UnknownPerson
from lofte.workflow.core.catalog import DEPARTURES, DEPARTURES_NAME, GENERATION
from lofte.workflow.core.message_types import PersonRemovedMessage
from lofte.workflow.core.messages import addressed
from lofte.workflow.core.ports import StoredDocument, StoredVersion
from lofte.workflow.core.pseudonyms import (
    pseudonymise_cycle,
    retention_ends,
    retention_of,
    schedule_retention,
)
from lofte.workflow.core.records import (
    Action,
    ActionEvent,
    InputRequest,
    MessageKind,
    OutboxStatus,
    RequestStatus,
)
from lofte.workflow.core.work import Work

PERSON_LEFT = "person_removed"  # why a message to someone who left was never sent


@dataclass
class Removal:
    """What a removal did, for the command's report and the audit log."""

    person_id: str
    name: str
    roles_ended: dict[str, list[str]]
    requests: list[tuple[InputRequest, InputRequest]] = field(default_factory=list)  # old, new
    actions: list[tuple[Action, str]] = field(default_factory=list)  # the action, new owner
    notified: list[str] = field(default_factory=list)
    unstaffed: list[tuple[str, str]] = field(default_factory=list)  # (role, unit id)
    pseudonymised_cycles: int = 0
    unsent: int = 0  # messages to the person still waiting to go out, now never sent


def find_person(work: Work, person_id: str) -> Person:
    """The person, or UnknownPerson naming the known ones (or saying they left already)."""
    person = work.person(person_id)
    if person is None:
        left = work.directory.departed.get(person_id, "")
        raise UnknownPerson(person_id, list(work.directory.people), left=left)
    return person


def coordinator_for(work: Work, unit_id: str, leaving: str, party: str | None = None) -> Person:
    """Who takes over `leaving`'s work in `unit_id`: the unit's coordinator (the first by
    name), else its police area's. With `party` (a cycle only that party may see), only a
    coordinator of that party. NoCoordinator if there is none but `leaving`."""
    unit = work.unit_or_placeholder(unit_id)
    directory = work.directory
    for candidate in (unit, directory.area_of(unit)):
        if candidate is None:
            continue
        role = directory.coordinator_role(candidate)
        found = sorted(
            (
                p
                for p in directory.holders(role, candidate.id)
                if p.id != leaving and (party is None or p.party == party)
            ),
            key=lambda p: (p.name, p.id),
        )
        if found:
            return found[0]
    raise NoCoordinator(directory.name_of(leaving), unit.name, directory.coordinator_role(unit))


def _takers(
    work: Work, person: Person, requests: list[InputRequest], actions: list[Action]
) -> dict[tuple[str, str | None], Person]:
    """Who takes over what, per (unit, party the cycle is restricted to); all found before
    anything is written, so a refusal changes nothing."""
    wanted: set[tuple[str, str | None]] = {(a.unit_id, None) for a in actions if a.is_open}
    for request in requests:
        if request.status is RequestStatus.OPEN:
            wanted.add((request.unit_id, _restricted(work, request)))
    return {
        key: coordinator_for(work, key[0], person.id, key[1])
        for key in sorted(wanted, key=lambda k: (k[0], k[1] or ""))
    }


def _restricted(work: Work, request: InputRequest) -> str | None:
    instance = work.uow.cycles.get(request.instance_id)
    return work.definition_of(instance).restricted_to_party


def remove_person(work: Work, person_id: str) -> Removal:
    """Remove `person_id` from the organisation (see the module's docstring)."""
    person = find_person(work, person_id)
    removal = Removal(person.id, person.name, {u: list(r) for u, r in person.roles.items()})
    everything = work.uow.people.requests_of(person.id)
    owned = work.uow.people.actions_of(person.id)
    takers = _takers(work, person, everything, owned)
    for request in everything:
        if request.status is RequestStatus.OPEN:
            taker = takers[(request.unit_id, _restricted(work, request))]
            handed = _hand_over(work, request, taker)
            if handed is not None:
                removal.requests.append(handed)
    for action in owned:
        if action.is_open:
            taker = takers[(action.unit_id, None)]
            if _take_over(work, action, person, taker):
                removal.actions.append((action, taker.id))
    removal.unsent = _withdraw_mail(work, person)
    _record_departure(work, person)
    removal.notified = _notify(work, person, removal, takers)
    removal.unstaffed = _unstaffed(work, person)
    removal.pseudonymised_cycles = _past_retention(work, person.id, everything, owned)
    work.audit(None, "person_removed", _detail(removal))
    return removal


def _hand_over(
    work: Work, request: InputRequest, taker: Person
) -> tuple[InputRequest, InputRequest] | None:
    """Cancel the open request and ask the same of `taker`: (the old, the new); None if it
    was answered or closed meanwhile. Its cycle and it are locked first (the lock order of an
    answer), so an answer given at the same moment is never lost."""
    request, _ = work.uow.requests.get_for_update(request.id or 0)
    if request.status is not RequestStatus.OPEN:
        return None
    work.uow.requests.save(dataclasses.replace(request, status=RequestStatus.CANCELLED))
    new = dataclasses.replace(
        request, key=f"{request.key}>{taker.id}", person_id=taker.id, requested_at=work.now, id=None
    )
    return request, work.uow.requests.add_many([new])[0]


def _take_over(work: Work, action: Action, person: Person, taker: Person) -> bool:
    """The open action becomes `taker`'s; False if it was closed meanwhile."""
    if not work.uow.actions.get(action.id or 0, lock=True).is_open:
        return False
    work.uow.people.set_action_owner(action.id or 0, taker.id, work.now)
    note = f"{taker.name} tar över efter {person.name}, som har lämnat organisationen"
    work.uow.actions.add_event(
        ActionEvent(action.id or 0, work.now, action.status.value, work.actor, note=note)
    )
    return True


def _withdraw_mail(work: Work, person: Person) -> int:
    """Messages to `person` still waiting (pending, or held for a digest) are not sent: they
    are recorded as expired, with the reason."""
    withdrawn = 0
    for status in (OutboxStatus.PENDING, OutboxStatus.HELD):
        for message in work.uow.outbox.with_status(status, person.id, lock=True):
            gone = dataclasses.replace(message, status=OutboxStatus.EXPIRED, last_error=PERSON_LEFT)
            work.uow.outbox.save(gone)
            withdrawn += 1
    return withdrawn


def _record_departure(work: Work, person: Person) -> None:
    """The stored list of people who left, with `person` added (a new catalog version)."""
    uow = work.uow
    departures = work.catalog.departures(uow, work.view).with_departure(
        Departure(id=person.id, name=person.name, departed_at=work.now, by=work.actor)
    )
    text = departures.model_dump_json()
    content_hash = sha256(text)
    current = uow.catalog.latest_versions(DEPARTURES).get((DEPARTURES_NAME, ""))
    version = 1 if current is None else current[0] + 1
    uow.catalog.add_documents([StoredDocument(content_hash, DEPARTURES, departures.format, text)])
    uow.catalog.add_versions(
        [StoredVersion(DEPARTURES, DEPARTURES_NAME, "", version, content_hash, work.now)]
    )
    uow.settings.put(GENERATION, secrets.token_hex(8))


def _notify(
    work: Work, person: Person, removal: Removal, takers: dict[tuple[str, str | None], Person]
) -> list[str]:
    """One notice per unit and coordinator listing what they took over."""
    notified = []
    pairs = {(unit_id, taker.id): taker for (unit_id, _), taker in takers.items()}
    for (unit_id, _), taker in sorted(pairs.items(), key=lambda item: item[0]):
        lang = taker.language
        requests = [
            _request_line(work, new, lang)
            for _, new in removal.requests
            if new.unit_id == unit_id and new.person_id == taker.id
        ]
        actions = [
            {
                "action_id": a.id or 0,
                "unit_id": a.unit_id,
                "what": a.what,
                "due": str(a.due_date or ""),
            }
            for a, to in removal.actions
            if a.unit_id == unit_id and to == taker.id
        ]
        unit = work.unit_or_placeholder(unit_id)
        work.send(
            addressed(
                work,
                work.keys.unit_message(unit_id, "person_removed", person.id, taker.id),
                MessageKind.PERSON_REMOVED,
                taker,
                PersonRemovedMessage(unit.name, person.name, requests, actions),
                unit_id=unit_id,
            )
        )
        notified.append(taker.id)
    return notified


def _request_line(work: Work, request: InputRequest, lang: str) -> dict[str, Any]:
    instance = work.uow.cycles.get(request.instance_id)
    definition = work.definition_of(instance)
    step = definition.step(request.step_id) if definition.has_step(request.step_id) else None
    about = str(request.subject.get("title_en" if lang == "en" else "title", ""))
    return {
        "request_id": request.id or 0,
        "cycle": f"{definition.display_title(lang)} {instance.period_label}".strip(),
        "what": (step.title.get(lang) if step is not None else request.step_id)
        + (f" ({about})" if about else ""),
        "deadline": request.deadline_at.isoformat(),
        "answer_until": request.late_until.isoformat(),
    }


def _unstaffed(work: Work, person: Person) -> list[tuple[str, str]]:
    """The roles nobody else holds in a unit where `person` held them."""
    return [
        (role, unit_id)
        for unit_id, roles in sorted(person.roles.items())
        for role in roles
        if not any(p.id != person.id for p in work.directory.holders(role, unit_id))
    ]


def _past_retention(
    work: Work, person_id: str, requests: list[InputRequest], actions: list[Action]
) -> int:
    """Closed cycles naming the person whose retention has already ended get the pseudonym
    now; the others when their retention timer fires (scheduled here too, for a cycle closed
    before retentions existed: the timer's key is the cycle's, so none is added twice)."""
    instance_ids = {r.instance_id for r in requests} | {
        a.source_instance_id for a in actions if not a.is_open
    }
    done = 0
    for instance_id in sorted(instance_ids):
        instance = work.uow.cycles.get(instance_id)
        if instance.closed_at is None:
            continue
        definition = work.definition_of(instance)
        if retention_ends(instance.closed_at, retention_of(work, definition)) <= work.now:
            pseudonymise_cycle(work, instance, {person_id})
            done += 1
        else:
            schedule_retention(work, instance, definition)
    return done


def _detail(removal: Removal) -> dict[str, Any]:
    return {
        "person": removal.person_id,
        "roles_ended": removal.roles_ended,
        "requests_moved": [
            {"request": old.id, "to": new.person_id, "new_request": new.id}
            for old, new in removal.requests
        ],
        "actions_moved": [{"action": a.id, "to": to} for a, to in removal.actions],
        "notified": removal.notified,
        "unstaffed": [f"{role}@{unit}" for role, unit in removal.unstaffed],
        "pseudonymised_cycles": removal.pseudonymised_cycles,
        "messages_not_sent": removal.unsent,
    }
