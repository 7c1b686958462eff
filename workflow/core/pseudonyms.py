"""Ordinary personal data after its retention (gallring): in a closed cycle's records, the
people who have left the organisation are named by a pseudonym.

What counts as ordinary personal data here (docs/records.md): who was asked and who answered
(a request's person), a person named in an answer's person fields (also in rows' person
columns), the completion record's list of who owed a missing answer, the owner of the cycle's
closed actions, and the person and address of the cycle's delivered messages. Free text keeps
its content; only who wrote it is pseudonymised. People still in the organisation keep their
names: the records are the municipality's and theirs to read. Sensitive values have a
retention of their own (`completion._schedule_erasure`). The audit log is not changed: it is
the record of what happened, chained by hashes, and names people only by id.

A pseudonym is `Person 7f3a9c`: an HMAC-SHA256 of the person's id, so one person has the same
pseudonym in every record of a deployment and it cannot be turned back without the key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.fields import AnyField, PersonField, RowsField
from lofte.kernel.durations import IsoDuration
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.core.payloads import RetentionPayload, dump_payload
from lofte.workflow.core.records import CycleInstance, InputRequest, Timer, TimerKind
from lofte.workflow.core.work import Work

PSEUDONYM_PREFIX = "Person "
PSEUDONYM_KEY = "pseudonym_key"  # the deployment's key, kept in its settings (or given)


def retention_of(work: Work, definition: CycleDefinition) -> IsoDuration:
    """The definition's own `retention:`, else the organisation's, else the engine's."""
    if definition.retention is not None:
        return definition.retention
    if work.directory.spec.retention is not None:
        return work.directory.spec.retention
    return work.personal_retention


def retention_ends(closed_at: datetime, retention: IsoDuration) -> datetime:
    """When a cycle closed at `closed_at` has kept its names for `retention` (wall-clock
    Stockholm time, so a year is a calendar year)."""
    return retention.add_to(closed_at.astimezone(STOCKHOLM)).astimezone(closed_at.tzinfo)


def schedule_retention(work: Work, instance: CycleInstance, definition: CycleDefinition) -> None:
    """At close: a timer for the end of the cycle's retention. Its key is the cycle's, so
    scheduling it again (for a cycle closed before retentions existed) adds nothing twice."""
    retention = retention_of(work, definition)
    closed_at = instance.closed_at or work.now
    work.schedule(
        Timer(
            key=work.keys.step_timer(
                instance.key, instance.unit_id, "personal", TimerKind.RETENTION.value
            ),
            kind=TimerKind.RETENTION,
            due_at=retention_ends(closed_at, retention),
            definition_name=instance.definition_name,
            unit_id=instance.unit_id,
            instance_id=instance.id,
            payload=dump_payload(RetentionPayload(instance.key, str(retention))),
        )
    )


def pseudonym_key(work: Work) -> bytes:
    """The key pseudonyms are made with: the engine's (LOFTE_PSEUDONYM_KEY), else one made
    once for the deployment and kept in its settings."""
    if work.pseudonym_key:
        return work.pseudonym_key
    return bytes.fromhex(work.uow.settings.get_or_add(PSEUDONYM_KEY, secrets.token_hex(32)))


def pseudonym(key: bytes, person_id: str) -> str:
    digest = hmac.new(key, person_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{PSEUDONYM_PREFIX}{digest[:6]}"


def is_pseudonym(value: str) -> bool:
    return value.startswith(PSEUDONYM_PREFIX) and len(value) == len(PSEUDONYM_PREFIX) + 6


@dataclass(frozen=True)
class Pseudonymised:
    people: int = 0
    requests: int = 0
    actions: int = 0
    messages: int = 0

    def detail(self) -> dict[str, int]:
        return {f"pseudonymised_{name}": value for name, value in dataclasses.asdict(self).items()}


def pseudonymise_cycle(
    work: Work, instance: CycleInstance, departed: Collection[str]
) -> Pseudonymised:
    """Name the people of `departed` by their pseudonyms in the closed cycle's records."""
    assert instance.id is not None
    if not departed:
        return Pseudonymised()
    key = pseudonym_key(work)
    names = {person_id: pseudonym(key, person_id) for person_id in departed}
    definition = work.definition_of(instance)
    seen: set[str] = set()
    requests = 0
    for request in work.uow.requests.for_instance(instance.id):
        changed = _request(definition, request, names, seen)
        if changed is not None:
            work.uow.people.set_request_person(changed)
            requests += 1
    _missing(work, instance, names, seen)
    actions = 0
    for action in work.uow.people.actions_from(instance.id):
        if action.owner_id in names and not action.is_open:
            work.uow.people.set_action_owner(action.id or 0, names[action.owner_id], work.now)
            seen.add(action.owner_id)
            actions += 1
    messages = 0
    for person_id in sorted(names):
        moved = work.uow.people.forget_messages(instance.id, person_id, names[person_id])
        messages += moved
        if moved:
            seen.add(person_id)
    return Pseudonymised(len(seen), requests, actions, messages)


def _request(
    definition: CycleDefinition,
    request: InputRequest,
    names: Mapping[str, str],
    seen: set[str],
) -> InputRequest | None:
    person_id = names.get(request.person_id, request.person_id)
    if person_id != request.person_id:
        seen.add(request.person_id)
    answer = request.answer
    if answer and definition.has_step(request.step_id):
        answer = _answer(definition.step(request.step_id).fields, answer, names, seen)
    if person_id == request.person_id and answer == request.answer:
        return None
    return dataclasses.replace(request, person_id=person_id, answer=answer)


def _answer(
    fields: tuple[AnyField, ...],
    answer: dict[str, Any],
    names: Mapping[str, str],
    seen: set[str],
) -> dict[str, Any]:
    """The answer with the person fields (and rows' person columns) naming people who left
    given their pseudonyms; everything else as it was."""
    changed = dict(answer)
    for spec in fields:
        value = answer.get(spec.id)
        if isinstance(spec, PersonField) and isinstance(value, str) and value in names:
            changed[spec.id] = names[value]
            seen.add(value)
        elif isinstance(spec, RowsField) and isinstance(value, list):
            columns: tuple[Any, ...] = spec.columns
            changed[spec.id] = [
                _answer(columns, row, names, seen) if isinstance(row, dict) else row
                for row in value
            ]
    return changed


def _missing(work: Work, instance: CycleInstance, names: Mapping[str, str], seen: set[str]) -> None:
    """The completion record's missing answers name the people who left by pseudonym."""
    missing = []
    for entry in instance.missing:
        person_id = str(entry.get("person_id", ""))
        if person_id in names:
            seen.add(person_id)
            entry = entry | {"person_id": names[person_id], "person_name": names[person_id]}
        missing.append(entry)
    if tuple(missing) != tuple(instance.missing):
        work.uow.cycles.save(dataclasses.replace(instance, missing=tuple(missing)))
