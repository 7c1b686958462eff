"""The step kinds: one module each, saying who is asked, what an answer does, when the step is
complete and what its deadline does (`base.StepKind`). `STANDARD_KINDS` registers each
against its shape in `definitions.steps`; adding a kind adds a line here
(docs/architecture.md, "Adding a step kind")."""

from __future__ import annotations

from lofte.definitions.steps import CollectStep, DecisionStep, FollowUpStep, InputsStep
from lofte.workflow.core.kinds.base import Move, StepKind
from lofte.workflow.core.kinds.collect import COLLECT
from lofte.workflow.core.kinds.decision import DECISION
from lofte.workflow.core.kinds.follow_up import FOLLOW_UP
from lofte.workflow.core.kinds.inputs import INPUTS
from lofte.workflow.core.kinds.registry import StepKinds

STANDARD_KINDS = StepKinds(
    {
        InputsStep: INPUTS,
        CollectStep: COLLECT,
        DecisionStep: DECISION,
        FollowUpStep: FOLLOW_UP,
    }
)

__all__ = ["STANDARD_KINDS", "Move", "StepKind", "StepKinds"]
