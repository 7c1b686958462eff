"""`collect`: the responsible roles answer until the deadline, which closes the step however
many have answered; there is no late window."""

from __future__ import annotations

from datetime import datetime

from lofte.definitions.steps import CollectStep, Event
from lofte.workflow.core.kinds.base import Move, StepKind, asked_by_role
from lofte.workflow.core.recipients import Recipient
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work


class Collect(StepKind[CollectStep]):
    words = ("svar samlas in till tidsfristen", "answers are collected until the deadline")
    expires = False  # the deadline closes it

    def asks(self, work: Work, instance: CycleInstance, step: CollectStep) -> list[Recipient]:
        return asked_by_role(work, instance, step)

    def answered(
        self, work: Work, instance: CycleInstance, step: CollectStep, request: InputRequest
    ) -> Move | None:
        return None  # every answer until the deadline counts

    def asked_nobody(self) -> Move | None:
        return None

    def deadline_passed(self, missing: list[str]) -> Move | None:
        return Move(Event.DEADLINE_PASSED, {"missing": missing})

    def answers_until(self, request: InputRequest) -> datetime:
        return request.deadline_at


COLLECT = Collect()
