"""The decision a follow-up cycle follows up: the one for the quarter its opening falls in."""

from __future__ import annotations

from lofte.definitions.cycle import CycleDefinition
from lofte.kernel.timerules import wall_clock, zone
from lofte.workflow.core.cadence import quarter_key
from lofte.workflow.core.keys import instance_key
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work


def basis_in_force(
    work: Work, instance: CycleInstance, definition: CycleDefinition
) -> InputRequest | None:
    """The answered decision this cycle follows up, or None if there is none."""
    if definition.basis is None:
        return None
    quarter = quarter_key(wall_clock(instance.opens_at, zone(definition.timezone)))
    source = work.uow.cycles.by_key(
        instance_key(definition.basis.definition, instance.unit_id, quarter)
    )
    if source is None or source.id is None:
        return None
    answered = work.uow.requests.answered([source.id], definition.basis.step)
    return answered[0] if answered else None
