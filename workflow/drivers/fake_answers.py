"""Plausible, valid answers for simulated people (rehearsals and benchmarks)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from definitions.directory import Person
from definitions.fields import (
    AnyField,
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    NumberField,
    PersonField,
    RowsField,
    ScaleField,
    TextField,
)
from definitions.steps import AnyStep
from workflow.core.answers import fields_for
from workflow.kernel.timerules import STOCKHOLM

PHRASES = (
    "Klotter på gångtunneln vid stationen.",
    "Trasig belysning längs gång- och cykelvägen.",
    "Ungdomar samlas sent vid torget, upplevs som otryggt.",
    "Nedskräpning i parken efter helgen.",
    "Lugnt, inget särskilt att notera.",
    "Fler trygghetsvandringar i centrum.",
    "Samverkan med föreningar kring lovaktiviteter.",
)
PLACES = (
    "Stora torget",
    "Stationen",
    "Folkets park",
    "Skolgården",
    "Centrumgallerian",
    "Badplatsen",
)
AREAS = ("Centrum", "Norra", "Södra", "Östra", "Västra")


def fake_answer(
    step: AnyStep,
    roles: Sequence[str],
    members: Sequence[Person],
    rng: random.Random,
    now: datetime,
) -> dict[str, Any]:
    """A valid answer to `step` for a person holding `roles`; person fields name `members`."""
    answer: dict[str, Any] = {}
    local = now.astimezone(STOCKHOLM)
    for spec in fields_for(step, roles):
        if spec.required_unless and answer.get(spec.required_unless):
            continue
        if isinstance(spec, BooleanField) and spec.id.startswith("inget"):
            answer[spec.id] = rng.random() < 0.3
            continue
        if not spec.required and not isinstance(spec, BooleanField) and rng.random() < 0.5:
            continue
        value = _value(spec, members, rng, local)
        if value is not None:
            answer[spec.id] = value
    return answer


def _value(spec: AnyField, members: Sequence[Person], rng: random.Random, now: datetime) -> Any:
    match spec:
        case TextField():
            if spec.id in ("plats",):
                return rng.choice(PLACES)
            if spec.id in ("omrade",):
                return rng.choice(AREAS)
            return rng.choice(PHRASES)[: spec.max_length]
        case NumberField():
            low = int(spec.minimum or 0)
            return rng.randint(low, int(min(spec.maximum or low + 20, low + 20)))
        case ChoiceField():
            return rng.choice(spec.options).value
        case ScaleField():
            return rng.randint(spec.low, spec.high)
        case DateField():
            return (now + timedelta(days=rng.randint(7, 30))).date().isoformat()
        case DateTimeField():
            return (now - timedelta(hours=rng.randint(1, 120))).isoformat(timespec="minutes")
        case BooleanField():
            return rng.random() < 0.5
        case PersonField():
            fitting = [p for p in members if spec.party is None or p.party == spec.party]
            return rng.choice(fitting).id if fitting else None
        case RowsField():
            count = min(spec.max_rows, max(spec.min_rows, rng.randint(1, 3)))
            rows = []
            for _ in range(count):
                row = {
                    c.id: _value(c, members, rng, now)
                    for c in spec.columns
                    if c.required or rng.random() < 0.5
                }
                rows.append({k: v for k, v in row.items() if v is not None})
            return rows
