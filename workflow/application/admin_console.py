"""What the administrator's console shows and does besides meetings and uploads: the
definitions in force per unit, email incidents and sending them again. Each action checks
that the viewer is an administrator and is audited with them as the actor."""

from __future__ import annotations

from dataclasses import dataclass

from lofte.kernel.errors import AccessDenied
from lofte.workflow.application.app import Application
from lofte.workflow.application.texts import MESSAGE_KIND, message_about
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.records import CycleInstance, Meeting, OutboxMessage


@dataclass(frozen=True)
class InForce:
    unit_id: str
    unit_name: str
    name: str
    title: str
    version: int


@dataclass(frozen=True)
class MailIncident:
    message: OutboxMessage
    kind: str  # in Swedish
    about: str


def require_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise AccessDenied(f"{viewer.label} är inte administratör")


def definitions_in_force(app: Application, viewer: Viewer) -> list[InForce]:
    """The latest version of each definition per unit, police areas first."""
    units = sorted(viewer.directory.units.values(), key=lambda u: (u.kind != "police_area", u.name))
    by_unit: dict[str, set[str]] = {}
    for name, unit_id in app.reads.version_history():
        by_unit.setdefault(unit_id, set()).add(name)
    found = []
    catalog = app.engine.catalog
    with app.engine.store.unit_of_work(read_only=True) as uow:  # one view for every unit
        view = catalog.view(uow)
        for unit in units:
            for name in sorted(by_unit.get(unit.id, ())):
                latest = catalog.latest(uow, view, name, unit.id)
                if latest is not None:
                    definition, version = latest
                    title = definition.display_title(viewer.language)
                    found.append(InForce(unit.id, unit.name, name, title, version))
    return found


def meeting_heading(
    app: Application, meeting: Meeting, instance: CycleInstance, language: str = "sv"
) -> str:
    """`EST-möte v. 14 2027: EST-möte: gemensam lägesbild`: the cycle and the meeting's own
    name, in `language`."""
    definition = app.definition_of(instance)
    name = (
        definition.meeting_name(definition.step(meeting.step_id), language)
        if definition.has_step(meeting.step_id)
        else definition.display_title(language)
    )
    period = label_of_key(instance.period_key, language)
    return f"{definition.display_title(language)} {period}: {name}"


def mail_incidents(app: Application, limit: int = 100) -> list[MailIncident]:
    """Messages that could not be delivered (retries exhausted or refused for good)."""
    return [
        MailIncident(m, MESSAGE_KIND.get(m.kind.value, m.kind.value), message_about(m.context))
        for m in app.reads.outbox("failed", limit)
    ]


def retry_mail(app: Application, viewer: Viewer, message_id: int) -> OutboxMessage:
    """Queue one email incident again; the delivery job sends it."""
    require_admin(viewer)
    return app.engine.retry_message(message_id, viewer.label)


def retry_all_mail(app: Application, viewer: Viewer) -> int:
    require_admin(viewer)
    return app.engine.retry_all_messages(viewer.label)
