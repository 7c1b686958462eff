"""Daily digests: people with `digest: true` get their requests and reminders held, and one
email a day (from LOFTE_DIGEST_HOUR, local time) listing their open tasks in every unit where
they hold a role."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from lofte.definitions.directory import Directory, Person
from lofte.kernel import words
from lofte.kernel.timerules import STOCKHOLM
from lofte.notifications.installation import installation_keys
from lofte.notifications.ports import DeliveryStore, DeliveryWork
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.catalog import Catalog
from lofte.workflow.core.display import about_line
from lofte.workflow.core.message_types import DigestMessage
from lofte.workflow.core.messages import addressed_at
from lofte.workflow.core.records import (
    CycleInstance,
    InputRequest,
    MessageKind,
    OutboxStatus,
)

DEPLOYMENT = "deployment"


def compose_digests(
    store: DeliveryStore,
    catalog: Catalog,
    now: datetime,
    digest_hour: int,
    done: set[tuple[date, str]] | None = None,
) -> int:
    """Write today's digest for each person who wants one; returns how many were written.
    `done` remembers (day, person) whose digest is written, so later runs skip them."""
    if now.astimezone(STOCKHOLM).hour < digest_hour:
        return 0
    done = set() if done is None else done
    day = now.astimezone(STOCKHOLM).date()
    wanting = catalog.current(store).directory.digest_people  # no write lock when nobody waits
    waiting = [p for p in wanting if (day, p.id) not in done]
    if not waiting:
        return 0
    composed = 0
    with store.unit_of_work() as uow:
        directory = catalog.view(uow).directory
        for person in waiting:
            outcome = _digest(uow, catalog, directory, person, now)
            if outcome != "nothing to list":
                done.add((day, person.id))
            composed += outcome == "written"
    return composed


def _digest(
    uow: DeliveryWork, catalog: Catalog, directory: Directory, person: Person, now: datetime
) -> str:
    """ "written", "already written" today, or "nothing to list" (looked at again later)."""
    day = now.astimezone(STOCKHOLM).date()
    key = installation_keys(uow.settings).unit_message(
        DEPLOYMENT, MessageKind.DIGEST.value, day.isoformat(), person.id
    )
    if uow.outbox.exists(key):
        return "already written"
    for held in uow.outbox.with_status(OutboxStatus.HELD, person.id):
        uow.outbox.save(dataclasses.replace(held, status=OutboxStatus.DIGESTED))
    tasks = [
        _task(uow, catalog, directory, request, cycle, person.language, now)
        for request, cycle in uow.outbox.open_tasks(person.id)
    ]
    if not tasks:
        return "nothing to list"
    context = DigestMessage(words.plain_date(day, person.language), tasks)
    digest = addressed_at(now, key, MessageKind.DIGEST, person, context, unit_id=DEPLOYMENT)
    uow.outbox.add_many([digest])
    return "written"


def _task(
    uow: DeliveryWork,
    catalog: Catalog,
    directory: Directory,
    request: InputRequest,
    cycle: CycleInstance,
    language: str,
    now: datetime,
) -> dict[str, Any]:
    """One line of the digest: which cycle and unit, the step, its deadline, its answer link."""
    definition = catalog.definition(
        uow, cycle.definition_name, cycle.unit_id, cycle.definition_version
    )
    unit = directory.unit(cycle.unit_id)
    return {
        "request_id": request.id,
        "cycle": f"{definition.display_title(language)} {label_of_key(cycle.period_key, language)}",
        "unit_name": unit.name if unit else cycle.unit_id,
        "step_title": definition.step(request.step_id).title.get(language),
        "about": about_line(request.subject, language),
        "deadline": request.deadline_at.isoformat(),
        "answer_until": request.late_until.isoformat(),
        "overdue": request.deadline_at < now,
    }
