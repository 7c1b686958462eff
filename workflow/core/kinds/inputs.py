"""`inputs`: the responsible roles each answer; the step is complete when the last answer is
in, and closes with what it has when its late window ends."""

from __future__ import annotations

from lofte.definitions.steps import Event, InputsStep
from lofte.workflow.core.kinds.base import Move, StepKind, asked_by_role
from lofte.workflow.core.recipients import Recipient
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work

ALL_IN = Move(Event.INPUTS_COMPLETE)
NONE_OWED = Move(Event.INPUTS_COMPLETE, {"reason": "no inputs owed"})


class Inputs(StepKind[InputsStep]):
    words = ("alla tillfrågade svarar", "everyone asked answers")

    def asks(self, work: Work, instance: CycleInstance, step: InputsStep) -> list[Recipient]:
        return asked_by_role(work, instance, step)

    def answered(
        self, work: Work, instance: CycleInstance, step: InputsStep, request: InputRequest
    ) -> Move | None:
        return ALL_IN if instance.open_requests == 0 else None

    def asked_nobody(self) -> Move | None:
        return NONE_OWED

    def deadline_passed(self, missing: list[str]) -> Move | None:
        return None  # late answers are taken until the late window ends


INPUTS = Inputs()
