"""`follow_up`: one request per open action of the unit of the kinds it follows up, to the
action's owner; an answer sets the action's status, note and effect (kept as history). The step
is complete when the last answer is in, and closes with what it has when its late window ends.
"""

from __future__ import annotations

import hashlib

from lofte.definitions.directory import Unit
from lofte.definitions.steps import Event, FollowUpStep
from lofte.kernel import words
from lofte.kernel.errors import NotFound
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import both
from lofte.workflow.core.effect import Effect, effects_of
from lofte.workflow.core.effect_words import baseline_text, latest_text, trend_text
from lofte.workflow.core.kinds.base import Move, RoleTitle, StepKind
from lofte.workflow.core.messages import ACTION_KINDS
from lofte.workflow.core.recipients import Recipient
from lofte.workflow.core.records import (
    Action,
    ActionEvent,
    ActionStatus,
    CycleInstance,
    InputRequest,
)
from lofte.workflow.core.work import Work

ACTION_TITLES = {
    "insats": ("Insats", "Intervention"),
    "tidig_insats": ("Tidig insats", "Early intervention"),
    "atagande": ("Åtagande", "Commitment"),
}
CLOSED = {ActionStatus.DONE, ActionStatus.CHANGED, ActionStatus.DROPPED}
ALL_IN = Move(Event.INPUTS_COMPLETE)
NONE_OWED = Move(Event.INPUTS_COMPLETE, {"reason": "no inputs owed"})


class FollowUp(StepKind[FollowUpStep]):
    words = ("uppföljning av öppna åtgärder", "follow-up of open actions")

    def asks(self, work: Work, instance: CycleInstance, step: FollowUpStep) -> list[Recipient]:
        unit = work.unit_or_placeholder(instance.unit_id)
        actions = work.uow.actions.open_in([unit.id], step.follows_up)
        effects = effects_of(work, unit, actions)
        return [
            _owner(work, instance, unit, action, effects.get(action.id or 0)) for action in actions
        ]

    def answered(
        self, work: Work, instance: CycleInstance, step: FollowUpStep, request: InputRequest
    ) -> Move | None:
        record_follow_up(work, instance, step, request)
        return ALL_IN if instance.open_requests == 0 else None

    def asked_nobody(self) -> Move | None:
        return NONE_OWED  # no open action to follow up

    def deadline_passed(self, missing: list[str]) -> Move | None:
        return None  # late answers are taken until the late window ends

    def who(self, step: FollowUpStep, role_title: RoleTitle, language: str = "sv") -> str:
        en = language == "en"
        kinds = (" or " if en else " eller ").join(
            ACTION_KINDS.get(k, (k, k))[1 if en else 0] for k in step.follows_up
        )
        return f"the owner of every open {kinds}" if en else f"ägaren av varje öppen {kinds}"


FOLLOW_UP = FollowUp()


def record_follow_up(
    work: Work, instance: CycleInstance, step: FollowUpStep, request: InputRequest
) -> None:
    """A follow-up answer sets its action's status, note and effect (kept as history)."""
    answer, fields = request.answer or {}, step.action_update()
    action_id = request.subject.get("action_id")
    if action_id is None or fields.status not in answer:
        return
    status = ActionStatus(str(answer[fields.status]))
    note = str(answer.get(fields.note, "")) if fields.note else ""
    effect = str(answer.get(fields.effect, "")) if fields.effect else ""
    action = work.uow.actions.follow_up(
        int(action_id), status, note, effect, work.now, status in CLOSED
    )
    work.uow.actions.add_event(
        ActionEvent(
            action.id or 0,
            work.now,
            status.value,
            request.person_id,
            note=note,
            effect=effect,
            instance_id=instance.id,
        )
    )
    work.audit(
        instance,
        "action_followed_up",
        {"action": action.key, "status": status.value, "closed": status in CLOSED},
    )


def _owner(
    work: Work, instance: CycleInstance, unit: Unit, action: Action, effect: Effect | None
) -> Recipient:
    person = work.person(action.owner_id)
    if person is None:  # the owner has left: the unit's coordinator answers for the action
        holders = work.directory.holders(work.directory.coordinator_role(unit), unit.id)
        person = holders[0] if holders else next(iter(work.directory.people.values()))
    sv, en = ACTION_TITLES.get(action.kind, (action.kind, action.kind))
    values = [
        [both("Ansvarig", "Owner"), both(work.directory.name_of(action.owner_id))],
        [both("Beslutad i", "Decided in"), _decided_in(work, instance, action)],
    ]
    if action.place:
        values.insert(0, [both("Plats", "Place"), both(action.place)])
    if action.due_date:
        values.append(
            [
                both("Klart senast", "Due"),
                both(words.plain_date(action.due_date), words.plain_date(action.due_date, "en")),
            ]
        )
    if action.indicator:
        values.append([both("Indikator", "Indicator"), both(action.indicator)])
    if effect is not None:
        values += _effect_values(effect)
    subject = {
        "action_id": action.id,
        "title": f"{sv}: {action.what}",
        "title_en": f"{en}: {action.what}",
        "values": values,
    }
    item = "a" + hashlib.sha256(action.key.encode()).hexdigest()[:12]
    return Recipient(person, ("ansvarig",), item, subject)


def _decided_in(work: Work, instance: CycleInstance, action: Action) -> dict[str, str]:
    """Where the action was decided, in both languages (`EST-möte v. 4 2027`, `EST meeting
    week 4 2027`); the stored Swedish label if that cycle cannot be read. An action decided in
    this cycle (a decision followed up in the same cycle) is not read again: its definition
    and period are this cycle's."""
    try:
        source = (
            instance
            if action.source_instance_id == instance.id
            else work.uow.cycles.get(action.source_instance_id)
        )
    except NotFound:
        return both(action.source_label)
    definition = work.definition_of(source)
    return {
        lang: f"{definition.display_title(lang)} {label_of_key(source.period_key, lang)}"
        for lang in ("sv", "en")
    }


def _effect_values(effect: Effect) -> list[list[dict[str, str]]]:
    """What the numbers count, the baseline, the count since and the trend, as request facts."""
    return [
        [both("Räknas", "Counted"), both(effect.target, effect.target_en)],
        [both("Utgångsläge", "Baseline"), both(baseline_text(effect), baseline_text(effect, "en"))],
        [both("Senaste läge", "Latest"), both(latest_text(effect), latest_text(effect, "en"))],
        [both("Per vecka", "Per week"), both(trend_text(effect), trend_text(effect, "en"))],
    ]
