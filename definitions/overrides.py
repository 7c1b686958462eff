"""A unit's effective definition: the template with the unit's overrides applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.organisation import DefinitionOverride, StepOverride
from lofte.definitions.steps import AnyStep


def apply_override(
    template: CycleDefinition, override: DefinitionOverride | None
) -> CycleDefinition:
    """The template as `override` changes it (cadence, deadlines, reminders, meetings).

    The result is not re-validated here; `definitions.checks` checks it when files are loaded.
    """
    if override is None:
        return template
    update: dict[str, Any] = {}
    if override.cadence is not None:
        cadence: dict[str, Any] = {}
        if override.cadence.anchor is not None:
            cadence["anchor"] = datetime.fromisoformat(override.cadence.anchor)
        if override.cadence.every is not None:
            cadence["every"] = override.cadence.every
        update["cadence"] = template.cadence.model_copy(update=cadence)
    if override.steps:
        update["steps"] = tuple(
            _apply_step(step, override.steps.get(step.id)) for step in template.steps
        )
    return template.model_copy(update=update) if update else template


def _apply_step(step: AnyStep, override: StepOverride | None) -> AnyStep:
    if override is None:
        return step
    update: dict[str, Any] = {}
    if override.deadline is not None:
        update["deadline"] = override.deadline
    if override.reminders is not None:
        update["reminders"] = override.reminders
    if override.accept_late_for is not None:
        update["accept_late_for"] = override.accept_late_for
    if override.escalation_after is not None and step.escalation is not None:
        update["escalation"] = step.escalation.model_copy(
            update={"after": override.escalation_after}
        )
    if override.meeting is not None and step.meeting is not None:
        meeting = {
            key: value
            for key, value in (
                ("starts", override.meeting.starts),
                ("length", override.meeting.length),
                ("location", override.meeting.location),
            )
            if value is not None
        }
        update["meeting"] = step.meeting.model_copy(update=meeting)
    return step.model_copy(update=update) if update else step
