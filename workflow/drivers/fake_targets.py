"""What simulated decisions aim at: the EST categories an action targets, and the commitments
in force LOLG decides the police works on (`fake_answers`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lofte.definitions.fields import AnyField, ChoiceField, CommitmentField, RowsField, TextField
from lofte.workflow.core.commitments import Commitment
from lofte.workflow.drivers import fake_scenes as scenes


def targets(
    column: AnyField | None,
    observation: Mapping[str, Any],
    seen: Sequence[Mapping[str, Any]],
) -> Any:
    """The categories an action targets: the one it answers (and, as often in a decision, a
    second one seen at the same place)."""
    if not isinstance(column, ChoiceField):
        return None
    offered = {o.value for o in column.options}
    wanted = [str(observation["category"])]
    wanted += [
        str(o["category"])
        for o in seen
        if o.get("place") == observation["place"] and o["category"] not in wanted
    ][:1]
    chosen = [c for c in wanted if c in offered]
    if not chosen:
        return None
    return chosen if column.multiple else chosen[0]


def commitment_rows(
    spec: RowsField,
    commitments: Sequence[Commitment],
    rng: random.Random,
    fill: Callable[[AnyField], Any],
) -> list[dict[str, Any]]:
    """A row for each of a few commitments in force, with what is done about it (`fill` gives
    any other required column); none when there are none."""
    column = next(c for c in spec.columns if isinstance(c, CommitmentField))
    fitting = [c for c in commitments if c.kind in column.kinds]
    chosen = rng.sample(fitting, min(len(fitting), spec.max_rows, rng.randint(2, 6)))
    rows = []
    for commitment in chosen:
        row: dict[str, Any] = {column.id: commitment.key}
        for other in spec.columns:
            if isinstance(other, TextField):
                row[other.id] = rng.choice(scenes.POLICE_WORK)[: other.max_length]
            elif other.required and other.id != column.id:
                row[other.id] = fill(other)
        rows.append(row)
    return rows
