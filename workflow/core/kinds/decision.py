"""`decision`: the deciding role records the decision; the step is complete when it is in
(other requests of the step are cancelled), and closes undecided when its late window ends."""

from __future__ import annotations

from lofte.definitions.steps import DecisionStep, Event
from lofte.workflow.core.kinds.base import Move, StepKind, asked_by_role
from lofte.workflow.core.recipients import Recipient
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work


class Decision(StepKind[DecisionStep]):
    words = ("beslut", "decision")

    def asks(self, work: Work, instance: CycleInstance, step: DecisionStep) -> list[Recipient]:
        return asked_by_role(work, instance, step)

    def answered(
        self, work: Work, instance: CycleInstance, step: DecisionStep, request: InputRequest
    ) -> Move | None:
        return Move(Event.DECIDED, {"request": request.key}, decision=request)

    def asked_nobody(self) -> Move | None:
        return None  # nobody holds the role: it closes undecided when the late window ends

    def deadline_passed(self, missing: list[str]) -> Move | None:
        return None  # a late decision is still taken


DECISION = Decision()
