"""The open actions a commitment field offers: for a police area's cycle the åtaganden in force
of its municipalities (LOLG records which of them the police works on next), for a
municipality's its own. An answer keeps what the action said and whose it was when chosen, so
a decision reads as it was taken even if the action changes later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lofte.definitions.directory import Unit
from lofte.definitions.fields import AnyField, CommitmentField, RowsField
from lofte.definitions.steps import AnyStep

if TYPE_CHECKING:  # the unit of work's facade imports the answer checks, which import this
    from lofte.workflow.core.work import Work

COMMITMENT_VERSION = 1  # the shape of a chosen commitment kept in an answer (`v`)


@dataclass(frozen=True)
class Commitment:
    key: str
    kind: str
    unit_id: str
    unit_name: str
    what: str

    def as_value(self) -> dict[str, str | int]:
        return {
            "v": COMMITMENT_VERSION,
            "action": self.key,
            "unit": self.unit_id,
            "unit_name": self.unit_name,
            "what": self.what,
        }


def commitment_kinds(fields: Sequence[AnyField]) -> set[str]:
    """The action kinds the commitment fields (and columns) among `fields` offer."""
    kinds: set[str] = set()
    for spec in fields:
        columns = spec.columns if isinstance(spec, RowsField) else (spec,)
        for column in columns:
            if isinstance(column, CommitmentField):
                kinds.update(column.kinds)
    return kinds


def offered(work: Work, unit: Unit, step: AnyStep) -> dict[str, Commitment]:
    """The open actions `step`'s commitment fields may name, by key (none without such a field)."""
    kinds = commitment_kinds(step.fields)
    if not kinds:
        return {}
    units = work.directory.municipalities_of(unit) or (unit,)
    names = {u.id: u.name for u in units}
    return {
        a.key: Commitment(a.key, a.kind, a.unit_id, names.get(a.unit_id, a.unit_id), a.what)
        for a in work.uow.actions.open_in(list(names), sorted(kinds))
    }
