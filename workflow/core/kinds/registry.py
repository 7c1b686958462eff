"""Which kind runs each step shape. The engine asks the registry, never a step's class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lofte.definitions.cycle import CycleDefinition, definition_class
from lofte.definitions.steps import StepBase
from lofte.workflow.core.kinds.base import StepKind


class StepKinds:
    """An immutable map from step shapes (the classes of `definitions.steps`) to the kinds
    that run them. The engine is given one (`STANDARD_KINDS` unless told otherwise)."""

    def __init__(self, kinds: Mapping[type[StepBase], StepKind[Any]]) -> None:
        self._kinds: dict[type[StepBase], StepKind[Any]] = dict(kinds)

    def of(self, step: StepBase) -> StepKind[Any]:
        """The kind that runs `step`; LookupError if its shape was never registered."""
        found = self._kinds.get(type(step))
        if found is None:
            raise LookupError(
                f"no step kind is registered for {type(step).__name__} "
                "(docs/architecture.md, 'Adding a step kind')"
            )
        return found

    def with_kind(self, shape: type[StepBase], kind: StepKind[Any]) -> StepKinds:
        """These kinds and one more (a kind added outside this package)."""
        return StepKinds({**self._kinds, shape: kind})

    @property
    def shapes(self) -> tuple[type[StepBase], ...]:
        return tuple(self._kinds)

    @property
    def definition_class(self) -> type[CycleDefinition]:
        """The class definitions using these kinds are read with."""
        return definition_class(self.shapes)
