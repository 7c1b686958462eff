"""What a step kind tells the engine: who is asked, what an answer does, when the step is
complete, and what its deadline does. One subclass of `StepKind` per kind, each in a module of
its own in this folder, registered against its shape in `kinds/__init__.py`.

A kind decides; the engine does (`workflow.core.steps`): a kind returns the `Move` a cycle
makes and never fires a transition itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from lofte.definitions.steps import Event, StepBase
from lofte.workflow.core.recipients import Recipient, role_holders
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work

RoleTitle = Callable[[str], str]
Shape = TypeVar("Shape", bound=StepBase)


@dataclass(frozen=True)
class Move:
    """An event for the cycle's machine, with what the audit log records about it and, for a
    decision, the answer the step closes with (its actions and announcement come from it)."""

    event: Event
    detail: dict[str, Any] | None = None
    decision: InputRequest | None = None


class StepKind(ABC, Generic[Shape]):
    """The behaviour of one kind of step. The defaults are those of a step whose answers are
    taken until its late window ends, which then closes it (its expiry timer)."""

    words: ClassVar[tuple[str, str]]  # how a step of the kind moves on (sv, en), for pages
    expires: ClassVar[bool] = True  # the end of the late window closes the step

    @abstractmethod
    def asks(self, work: Work, instance: CycleInstance, step: Shape) -> list[Recipient]:
        """Who is asked when the step opens: one request each."""

    @abstractmethod
    def answered(
        self, work: Work, instance: CycleInstance, step: Shape, request: InputRequest
    ) -> Move | None:
        """What a stored answer does besides being stored, and the move it makes the cycle,
        if any. `instance` has counted it: `open_requests` are the answers still owed."""

    @abstractmethod
    def asked_nobody(self) -> Move | None:
        """The move of a step that asked nobody when it opened, or None: it waits for its
        deadline or its late window to end."""

    @abstractmethod
    def deadline_passed(self, missing: list[str]) -> Move | None:
        """What the deadline does, with the people still `missing`: a move, or None to keep
        taking (late) answers."""

    def answers_until(self, request: InputRequest) -> datetime:
        """The last moment an answer to `request` is taken."""
        return request.late_until

    def who(self, step: Shape, role_title: RoleTitle, language: str = "sv") -> str:
        """Whom the step asks, in words (the definition pages)."""
        return ", ".join(role_title(role) for role in step.asked_roles())

    def words_in(self, language: str = "sv") -> str:
        """How a step of the kind moves on, in `language`."""
        return self.words[1] if language == "en" else self.words[0]


def asked_by_role(work: Work, instance: CycleInstance, step: StepBase) -> list[Recipient]:
    """The holders of the step's asked roles in the cycle's unit (for a police area, each
    kommunpolis once per municipality they serve)."""
    return role_holders(work, work.unit_or_placeholder(instance.unit_id), step.asked_roles())
