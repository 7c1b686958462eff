"""Daily digests: people with `digest: true` get their requests and reminders held, and one
email a day listing every open task in every unit where they hold a role."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Protocol

from definitions.directory import Person
from notifications.config import MailSettings
from notifications.ports import DeliveryStore
from workflow.core.catalog import Catalog
from workflow.core.keys import Keys
from workflow.core.message_types import DigestMessage, dump_message
from workflow.core.records import MessageKind, OutboxMessage, OutboxStatus
from workflow.kernel import words
from workflow.kernel.timerules import STOCKHOLM


class Tally(Protocol):
    digests: int


def compose_digests(
    store: DeliveryStore, catalog: Catalog, now: datetime, settings: MailSettings, report: Tally
) -> int:
    """Write today's digest for each person who wants one (from `digest_hour` on)."""
    local = now.astimezone(STOCKHOLM)
    if local.hour < settings.digest_hour:
        return 0
    composed = 0
    with store.unit_of_work() as uow:
        directory = catalog.view(uow, now).directory
        keys = Keys(uow.settings.get("installation_id") or "lofte")
        for person in directory.people.values():
            if person.digest and _digest(uow, catalog, keys, person, now):
                composed += 1
    report.digests += composed
    return composed


def _digest(uow: Any, catalog: Catalog, keys: Keys, person: Person, now: datetime) -> bool:
    day = now.astimezone(STOCKHOLM).date()
    key = keys.unit_message("deployment", "digest", day.isoformat(), person.id)
    if uow.outbox.exists(key):
        return False
    held = uow.outbox.with_status(OutboxStatus.HELD, person.id)
    for message in held:
        uow.outbox.save(dataclasses.replace(message, status=OutboxStatus.DIGESTED))
    tasks = [
        _task(uow, catalog, request, cycle, person, now)
        for request, cycle in uow.outbox.open_tasks(person.id)
    ]
    if not tasks:
        return False
    context = DigestMessage(words.plain_date(day, person.language), tasks)
    uow.outbox.add_many(
        [
            OutboxMessage(
                key=key,
                kind=MessageKind.DIGEST,
                person_id=person.id,
                recipient=person.email,
                language=person.language,
                created_at=now,
                context=dump_message(context) | {"recipient_name": person.name},
                unit_id="deployment",
            )
        ]
    )
    return True


def _task(
    uow: Any, catalog: Catalog, request: Any, cycle: Any, person: Person, now: datetime
) -> dict[str, Any]:
    definition = catalog.definition(
        uow, cycle.definition_name, cycle.unit_id, cycle.definition_version
    )
    directory = catalog.view(uow, now).directory
    unit = directory.unit(cycle.unit_id)
    lang = person.language
    return {
        "request_id": request.id,
        "cycle": f"{definition.display_title(lang)} {cycle.period_label}",
        "unit_name": unit.name if unit else cycle.unit_id,
        "step_title": definition.step(request.step_id).title.get(lang),
        "deadline": request.deadline_at.isoformat(),
        "answer_until": request.late_until.isoformat(),
        "overdue": request.deadline_at < now,
    }
