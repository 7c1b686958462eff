"""What the answer page shows for an answer link: the cycle, unit, period, purpose, deadline,
the step's context and the fields the person is asked for, with their latest answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Person, Unit
from lofte.definitions.fields import AnyField
from lofte.definitions.organisation import PlaceSpec
from lofte.definitions.places import PlaceRegister
from lofte.definitions.steps import AnyStep
from lofte.kernel.errors import NotFound
from lofte.workflow.application.answer_links import linked
from lofte.workflow.application.app import Application
from lofte.workflow.application.context_blocks import blocks
from lofte.workflow.core.answers import fields_for
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.commitments import Commitment, commitment_kinds, offered
from lofte.workflow.core.display import show_value, subject_facts
from lofte.workflow.core.records import CycleInstance, InputRequest, RequestStatus


@dataclass(frozen=True)
class AnswerPage:
    request: InputRequest
    instance: CycleInstance
    definition: CycleDefinition
    step: AnyStep
    unit: Unit
    person: Person
    fields: tuple[AnyField, ...]
    people: tuple[Person, ...]  # whom a person field may name: members of the cycle's unit
    context: list[dict[str, Any]]
    directory: Directory
    places: tuple[PlaceSpec, ...] = ()  # the unit's register, offered by place fields
    commitments: tuple[Commitment, ...] = ()  # open actions, offered by commitment fields

    def shown(self, spec: AnyField, value: Any) -> str:
        """A stored value as the person reads it: a choice's label, a person's name, a date
        in words, ja/nej (never the stored code or ISO text)."""
        return show_value(spec, value, self.directory, self.language)

    @property
    def language(self) -> str:
        return self.person.language

    @property
    def title(self) -> str:
        return self.definition.display_title(self.language)

    @property
    def step_title(self) -> str:
        return self.step.title.get(self.language)

    @property
    def purpose(self) -> str:
        return self.step.purpose.get(self.language)

    @property
    def about(self) -> tuple[str, list[tuple[str, str]]]:
        """What the request is about (a follow-up's insats or åtagande, its place and due
        date; a kommunpolis's municipality): a title and facts, or ("", [])."""
        return subject_facts(self.request.subject, self.language)

    @property
    def task_name(self) -> str:
        """What the person does: a decision step by the decision's own name."""
        if self.step.records_decision:
            return self.definition.decision_name(self.step, self.language)
        return ""

    @property
    def period(self) -> str:
        return label_of_key(self.instance.period_key, self.language)

    @property
    def answered(self) -> bool:
        return self.request.status is RequestStatus.ANSWERED

    @property
    def previous(self) -> Mapping[str, Any]:
        """The latest answer's non-sensitive values (sensitive ones are never shown again)."""
        return self.request.answer or {}

    def people_for(self, party: str | None) -> tuple[Person, ...]:
        return tuple(p for p in self.people if party is None or p.party == party)

    def commitments_for(self, kinds: Sequence[str]) -> list[tuple[str, list[tuple[str, str]]]]:
        """The open actions of `kinds` a commitment field offers, grouped by municipality:
        [(unit name, [(key, what), ...]), ...]."""
        grouped: dict[str, list[tuple[str, str]]] = {}
        for c in self.commitments:
            if c.kind in kinds:
                grouped.setdefault(c.unit_name, []).append((c.key, c.what))
        return list(grouped.items())


def answer_page(app: Application, token: str) -> AnswerPage:
    """The page for a valid answer link, read in one transaction; InvalidToken says why a link
    cannot be used (checked before anything else of the request is read)."""
    with app.engine.store.unit_of_work(read_only=True) as uow:
        request, instance = linked(app, uow, token)
        view = app.engine.catalog.view(uow)
        definition = app.engine.catalog.definition(
            uow, instance.definition_name, instance.unit_id, instance.definition_version
        )
        context = uow.contexts.get(instance.id or 0, request.step_id)
        decisions = app.engine.catalog.place_decisions(uow, view, instance.unit_id)
    directory = view.directory
    person = directory.find(request.person_id)
    if person is None:
        raise NotFound("person", request.person_id)
    step = definition.step(request.step_id)
    commitments = (
        app.engine.inspect(
            lambda work: offered(work, work.unit_or_placeholder(instance.unit_id), step)
        )
        if commitment_kinds(step.fields)
        else {}
    )
    unit = app.unit(instance.unit_id, directory)
    return AnswerPage(
        request=request,
        instance=instance,
        definition=definition,
        step=step,
        unit=unit,
        person=person,
        fields=fields_for(step, request.roles),
        people=directory.members(unit),
        context=blocks(context, person.language),
        directory=directory,
        places=PlaceRegister(unit.places, decisions).places,
        commitments=tuple(commitments.values()),
    )


def submit_answer(app: Application, page: AnswerPage, answer: Mapping[str, Any]) -> AnswerPage:
    """Record (or change) the answer of the person whose link `page` was opened with (one
    write; the engine checks again, under its lock, that the request is open). The page
    afterwards, for the receipt: the same page with the answered request."""
    answered = app.engine.submit(page.request.id or 0, page.request.person_id, answer)
    return dataclasses.replace(page, request=answered)
