"""What citizens read: per municipality, the answers of steps with a `publication` rule whose
`when` field was set, limited to fields marked `publish: true` (never a sensitive field, never
an unmarked column), newest first and grouped per quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.definitions.fields import AnyField, RowsField
from lofte.definitions.steps import AnyStep
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import show_value
from lofte.workflow.core.promise_in_force import promise_of_cycle
from lofte.workflow.core.records import InputRequest, RequestStatus


@dataclass(frozen=True)
class PublishedField:
    label: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Published:
    key: str  # stable: the cycle key and step (the Atom entry id)
    title: str  # the cycle's title
    period: str
    period_key: str
    name: str  # the published item's own name (`Inriktningsbeslut för kvartalet`)
    published_at: datetime
    fields: tuple[PublishedField, ...]
    promise: str = ""  # the years of the medborgarlöfte it serves: `2027–2028`
    follows_up: bool = False  # a follow-up (its definition follows a decision up)

    @property
    def anchor(self) -> str:
        """The item's id on the public page, stable as items are added."""
        return "publicerat-" + re.sub(r"[^a-z0-9]+", "-", self.key.lower()).strip("-")


def public_units(app: Application) -> list[Unit]:
    return sorted(app.directory().units_of_kind("municipality"), key=lambda u: u.name)


def published(app: Application, unit_id: str, language: str = "sv") -> list[Published]:
    """Everything published for `unit_id`, newest first (NotFound for an unknown unit)."""
    unit = app.require_unit(unit_id)
    directory = app.directory()
    found: list[Published] = []
    cycles = app.reads.cycles(CycleFilter(units=[unit.id]))
    shown = {c.id: _published_steps(app.definition_of(c)) for c in cycles}
    answered: dict[int, list[InputRequest]] = {}
    step_ids = sorted({step_id for steps in shown.values() for step_id in steps})
    for one in app.reads.answered_requests_of_unit(unit.id, step_ids):  # one read in all
        answered.setdefault(one.instance_id, []).append(one)
    for cycle in cycles:
        steps = shown[cycle.id]
        if cycle.id not in answered or not steps:
            continue
        definition = app.definition_of(cycle)
        promise = promise_of_cycle(directory, unit.id, cycle.period_key)
        for request in answered[cycle.id]:
            step = steps.get(request.step_id)
            answer = request.answer or {}
            if (
                step is None
                or step.publication is None
                or request.status is not RequestStatus.ANSWERED
                or answer.get(step.publication.when) is not True
            ):
                continue
            fields = tuple(
                _field(spec, answer.get(spec.id), directory, language)
                for spec in step.fields
                if spec.publish and not spec.sensitive and answer.get(spec.id) not in (None, "", [])
            )
            found.append(
                Published(
                    key=f"{cycle.key}/{step.id}",
                    title=definition.display_title(language),
                    period=label_of_key(cycle.period_key, language),
                    period_key=cycle.period_key,
                    name=definition.publication_name(step, language),
                    published_at=request.answered_at or cycle.opened_at,
                    fields=fields,
                    promise="" if promise is None else promise.years,
                    follows_up=definition.basis is not None,
                )
            )
    return sorted(found, key=lambda p: p.published_at, reverse=True)


def _published_steps(definition: CycleDefinition) -> dict[str, AnyStep]:
    return {s.id: s for s in definition.steps if s.publication is not None}


def _field(spec: AnyField, value: object, directory: Directory, language: str) -> PublishedField:
    label = spec.label.get(language)
    if isinstance(spec, RowsField):
        columns = [c for c in spec.columns if c.publish and not c.sensitive]
        rows = tuple(
            tuple(show_value(c, row.get(c.id), directory, language) for c in columns)
            for row in (value if isinstance(value, list) else [])
            if isinstance(row, dict)
        )
        return PublishedField(
            label, columns=tuple(c.label.get(language) for c in columns), rows=rows
        )
    return PublishedField(label, text=show_value(spec, value, directory, language))


def quarters(items: list[Published], language: str = "sv") -> list[tuple[str, list[Published]]]:
    """The archive: items grouped by the quarter they belong to, newest first."""
    groups: dict[str, list[Published]] = {}
    for item in items:
        quarter = item.period_key[:7] if "-Q" in item.period_key else item.period_key[:4]
        groups.setdefault(quarter, []).append(item)
    return [(label_of_key(k, language) if "-Q" in k else k, v) for k, v in groups.items()]
