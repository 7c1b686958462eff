"""Plausible, valid answers for simulated people (rehearsals, the demo and benchmarks).

An answer hangs together: an EST observation is of a category that kind of place is reported
for, in one of the unit's areas, described as such a thing is and at the hour it happens; an
intervention answers an observation the step shows, at its place, owned by someone in the unit
of the party that does such work (the housing company cleans graffiti, the police act on drug
dealing); a follow-up's note and effect fit the status it gives; other texts sum up what the
step shows."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lofte.definitions.directory import Person, Unit
from lofte.definitions.fields import (
    AnyField,
    BooleanField,
    ChoiceField,
    CommitmentField,
    DateField,
    DateTimeField,
    NumberField,
    PersonField,
    PlaceField,
    RowsField,
    ScaleField,
    TextField,
    TimeField,
)
from lofte.definitions.steps import UNKNOWN_TIME, ActionSource, AnyStep, ObservationSource
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.core.answers import fields_for
from lofte.workflow.core.commitments import Commitment
from lofte.workflow.core.observations import part_of
from lofte.workflow.drivers import fake_scenes as scenes
from lofte.workflow.drivers.fake_places import unit_places
from lofte.workflow.drivers.fake_targets import commitment_rows, targets

Observation = Mapping[str, Any]


@dataclass(frozen=True)
class Situation:
    """What a simulated person knows when they answer: their unit, the observations the step
    (or an earlier step of the cycle) shows, and the action a follow-up asks about."""

    unit: Unit | None = None
    observations: tuple[Observation, ...] = ()
    about: str = ""
    commitments: tuple[Commitment, ...] = ()  # what a commitment field may name


def fake_answer(
    step: AnyStep,
    roles: Sequence[str],
    members: Sequence[Person],
    rng: random.Random,
    now: datetime,
    situation: Situation | None = None,
) -> dict[str, Any]:
    """A valid answer to `step` for a person holding `roles`; person fields name `members`."""
    writer = _Writer(step, members, rng, now.astimezone(STOCKHOLM), situation or Situation())
    answer: dict[str, Any] = {}
    for spec in fields_for(step, roles):
        if spec.required_unless and answer.get(spec.required_unless):
            continue
        if isinstance(spec, BooleanField) and spec.id.startswith("inget"):
            answer[spec.id] = rng.random() < 0.25
            continue
        if not spec.required and not isinstance(spec, BooleanField) and rng.random() < 0.5:
            continue
        value = writer.value(spec)
        if value is not None:
            answer[spec.id] = value
    return answer


@dataclass
class _Writer:
    step: AnyStep
    members: Sequence[Person]
    rng: random.Random
    now: datetime
    seen: Situation
    texts: int = 0
    status: str = ""
    places: list[tuple[str, str, scenes.PlaceKind]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.places = unit_places(self.seen.unit)
        update = self.step.action_update()
        if update is not None:  # a follow-up: its status, then a note and effect that fit
            status = next((f for f in self.step.fields if f.id == update.status), None)
            if isinstance(status, ChoiceField):
                weights = [4 if o.value in ("genomford", "pagar") else 1 for o in status.options]
                self.status = self.rng.choices(status.options, weights)[0].value

    def value(self, spec: AnyField) -> Any:
        step = self.step
        if step.observations is not None and spec.id == step.observations.field:
            assert isinstance(spec, RowsField)
            return [self.observation_row(spec) for _ in range(self._count(spec))]
        source = next((a for a in step.creates_actions if a.field == spec.id), None)
        if source is not None and isinstance(spec, RowsField):
            rows = [self.action_row(spec, source) for _ in range(self._count(spec) + 2)]
            unique = list({str(r.get(source.what)): r for r in rows}.values())  # none twice
            return unique[: max(spec.min_rows, len(unique) - 2)]
        update = step.action_update()
        if update is not None and self.status:
            if spec.id == update.status:
                return self.status
            done, effect = scenes.FOLLOW_UP.get(self.status, ("", ""))
            if spec.id == update.note and done:
                return done
            if spec.id == update.effect and effect:
                return effect
        if step.publication is not None and spec.id == step.publication.when:
            return self.rng.random() < 0.8  # decisions are mostly made public
        if isinstance(spec, TextField):
            return self.summary()[: spec.max_length]
        if isinstance(spec, RowsField) and any(
            isinstance(c, CommitmentField) for c in spec.columns
        ):
            fill = lambda column: _value(column, self.members, self.rng, self.now)  # noqa: E731
            return commitment_rows(spec, self.seen.commitments, self.rng, fill)
        return _value(spec, self.members, self.rng, self.now)

    def _count(self, spec: RowsField) -> int:
        return min(spec.max_rows, max(spec.min_rows, self.rng.randint(1, 3)))

    # EST observations ---------------------------------------------------------------------------
    def observation_row(self, spec: RowsField) -> dict[str, Any]:
        source = self.step.observations
        assert source is not None
        place, area, kind = self._pick_place()
        category = self._category(kind, spec.column(source.category))
        seen = scenes.DESCRIPTIONS.get(category, scenes.DESCRIPTIONS["ovrigt"])
        (start, end), (low, high) = seen.hours, seen.serious
        written, shown_area = self._written(place, area)
        kept = {  # always given: when, whom it was reported to, an other place's area
            **self._when(source, self._seen_at(start, end)),
            **self._done(source, category),
            source.area: shown_area,
        }
        values: dict[str | None, Any] = {
            source.category: category,
            source.place: written,
            source.text: self.rng.choice(seen.texts).format(place=written),
            source.assessment: self.rng.randint(low, high),
            **kept,
        }
        row = {}
        for column in spec.columns:
            if column.id in values:
                if column.required or column.id in kept or self.rng.random() < 0.9:
                    row[column.id] = values[column.id]
            elif column.required:
                row[column.id] = _value(column, self.members, self.rng, self.now)
        return {k: v for k, v in row.items() if v is not None}

    def _written(self, place: str, area: str) -> tuple[str, str | None]:
        """What a reporter writes for the place: mostly its name, sometimes another name of
        it, now and then a place the register does not know (with its area)."""
        register = self.seen.unit.places if self.seen.unit is not None else ()
        registered = next((p for p in register if p.name == place), None)
        draw = self.rng.random()
        if registered is None:
            return place, area
        if draw < 0.04:
            return self.rng.choice(scenes.OTHER_PLACES), area
        if draw < 0.16 and registered.aliases:
            return self.rng.choice(registered.aliases), None
        return place, None

    def _when(self, source: ObservationSource, moment: datetime) -> dict[str | None, Any]:
        """One datetime (the earlier shape), or a date with a clock time (often), a part of the
        day (more often: graffiti found in the morning) or okänd tid (now and then)."""
        if source.date is None:
            return {source.time: moment.isoformat(timespec="minutes")}
        draw = self.rng.random()
        found: dict[str | None, Any] = {source.date: moment.date().isoformat()}
        if draw < 0.4 and source.time is not None:
            found[source.time] = moment.strftime("%H:%M")
        elif draw < 0.88 and source.part_of_day is not None:
            found[source.part_of_day] = part_of(moment.hour)
        elif source.part_of_day is not None:
            found[source.part_of_day] = UNKNOWN_TIME
        elif source.time is not None:
            found[source.time] = moment.strftime("%H:%M")
        return found

    def _done(self, source: ObservationSource, category: str) -> dict[str | None, Any]:
        """A quantity for what comes in numbers, and what was done on the spot."""
        done: dict[str | None, Any] = {}
        if source.quantity is not None and category in ("klotter", "sprutfynd", "brand"):
            done[source.quantity] = self.rng.randint(1, 6)
        draw = self.rng.random()
        if source.handling is not None and draw < 0.2:
            done[source.handling] = "atgardat"
        elif source.handling is not None and draw < 0.45:
            done[source.handling] = "felanmalt"
            if source.reported_to is not None:
                done[source.reported_to] = self.rng.choice(scenes.REPORTED_TO)
        return done

    def _pick_place(self) -> tuple[str, str, scenes.PlaceKind]:
        weights = [len(self.places) - i for i in range(len(self.places))]  # a few hotspots
        return self.rng.choices(self.places, weights)[0]

    def _category(self, kind: scenes.PlaceKind, column: AnyField | None) -> str:
        offered = [o.value for o in column.options] if isinstance(column, ChoiceField) else []
        fitting = [c for c in kind.categories if not offered or c in offered]
        if not fitting:
            return self.rng.choice(offered) if offered else "ovrigt"
        return self.rng.choices(fitting, [len(fitting) - i for i in range(len(fitting))])[0]

    def _seen_at(self, start: int, end: int) -> datetime:
        hours = (end - start) % 24 or 1
        day = self.now.replace(minute=0, second=0, microsecond=0)
        day -= timedelta(days=self.rng.randint(0, 3))
        moment = day.replace(hour=start) + timedelta(hours=self.rng.randrange(hours))
        moment += timedelta(minutes=self.rng.choice((0, 15, 30, 45)))
        while moment > self.now:
            moment -= timedelta(days=1)
        return moment

    # actions ------------------------------------------------------------------------------------
    def action_row(self, spec: RowsField, source: ActionSource) -> dict[str, Any]:
        owner_spec = spec.column(source.owner)
        allowed = owner_spec.party if isinstance(owner_spec, PersonField) else None
        observation, remedy, owner = self._remedy(allowed)
        place = str(observation["place"])
        label = str(observation.get("category_label") or observation["category"])
        values: dict[str | None, Any] = {
            source.what: remedy.what.format(place=place),
            source.owner: owner.id if owner else None,
            source.place: place,
            source.problem: f"{label} vid {place}",
            source.indicator: f"Antal EST-iakttagelser av {label.lower()} vid {place}",
            source.baseline: f"{self._count_at(place)} iakttagelser senaste perioden",
            source.due: self._due(source.kind),
            source.categories: targets(
                spec.column(source.categories or ""), observation, self.seen.observations
            ),
        }
        row = {}
        for column in spec.columns:
            if column.id in values:
                row[column.id] = values[column.id]
            elif column.required or self.rng.random() < 0.5:
                row[column.id] = _value(column, self.members, self.rng, self.now)
        return {k: v for k, v in row.items() if v is not None}

    def _remedy(self, allowed: str | None) -> tuple[Observation, scenes.Remedy, Person | None]:
        """An observation the step shows (the more serious the likelier), an intervention
        that answers it and its owner: someone of the first party that does such work."""
        seen = list(self.seen.observations) or [self._invented()]
        options = [
            (observation, remedy, owner)
            for observation in seen
            for remedy in scenes.REMEDIES.get(str(observation["category"]), ())
            if (owner := self._owner(remedy.parties, allowed)) is not None
        ]
        if options:
            weights = [int(o.get("assessment") or 2) for o, _, _ in options]
            return self.rng.choices(options, weights)[0]
        observation = self.rng.choice(seen)
        party = allowed or "kommun"
        what = scenes.BY_PARTY.get(party, scenes.BY_PARTY["kommun"])
        return observation, scenes.Remedy(what, (party,)), self._owner((party,), allowed)

    def _owner(self, parties: Sequence[str], allowed: str | None) -> Person | None:
        """Someone of the first of `parties` (within `allowed`) in the unit itself, who carries
        the work out rather than leads it, if there is one."""
        unit = self.seen.unit
        for party in parties:
            if allowed is not None and party != allowed:
                continue
            fitting = [p for p in self.members if p.party == party]
            own = [p for p in fitting if unit is None or unit.id in p.roles]
            doers = [
                p
                for p in own
                if unit is None or set(p.roles.get(unit.id, ())) - scenes.LEADING_ROLES
            ]
            pool = doers or own or fitting
            if pool:
                return self.rng.choice(pool)
        return None

    def _due(self, kind: str) -> str:
        low, high = scenes.DUE_IN.get(kind, (7, 30))
        return (self.now + timedelta(days=self.rng.randint(low, high))).date().isoformat()

    def _invented(self) -> Observation:
        place, area, kind = self.places[0]  # nothing reported yet: the unit's known hotspot
        return {"place": place, "area": area, "category": kind.categories[0], "assessment": 3}

    def _count_at(self, place: str) -> int:
        return sum(1 for o in self.seen.observations if o.get("place") == place)

    # texts --------------------------------------------------------------------------------------
    def summary(self) -> str:
        """What the step shows, summed up; each further text of an answer says the next thing."""
        self.texts += 1
        seen = self.seen.observations
        if not seen:
            return scenes.QUIET_WEEK
        labels = Counter(str(o.get("category_label") or o["category"]) for o in seen)
        places = Counter((str(o["place"]), str(o.get("area") or "")) for o in seen)
        (place, area), _ = places.most_common(1)[0]
        where = f"{place} ({area})" if area else place
        if self.texts % 3 == 1:
            top = " och ".join(f"{label.lower()} ({n})" for label, n in labels.most_common(2))
            return f"{len(seen)} iakttagelser, mest {top}. {where} sticker ut."
        if self.texts % 3 == 2:
            return f"Prioritera {where}: {labels.most_common(1)[0][0].lower()} återkommer där."
        return f"Vi kan påverka mest vid {where} med tidiga insatser och fortsatt inventering."


def _value(spec: AnyField, members: Sequence[Person], rng: random.Random, now: datetime) -> Any:
    match spec:
        case TextField():
            return scenes.QUIET_WEEK[: spec.max_length]
        case NumberField():
            low = int(spec.minimum or 0)
            return rng.randint(low, int(min(spec.maximum or low + 20, low + 20)))
        case ChoiceField() if spec.multiple:
            return [o.value for o in spec.options if rng.random() < 0.3] or [spec.options[0].value]
        case ChoiceField():
            return rng.choice(spec.options).value
        case ScaleField():
            return rng.randint(spec.low, spec.high)
        case DateField():
            return (now + timedelta(days=rng.randint(7, 30))).date().isoformat()
        case DateTimeField():
            return (now - timedelta(hours=rng.randint(1, 72))).isoformat(timespec="minutes")
        case TimeField():
            return f"{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        case PlaceField():
            return scenes.OTHER_PLACES[0]
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


def observations_of(step: AnyStep, answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The observations an answer to an inventory step reports, as a lägesbild lists them
    (what a simulated person remembers of the unit's recent weeks)."""
    source = step.observations
    if source is None:
        return []
    spec = next((f for f in step.fields if f.id == source.field), None)
    column = spec.column(source.category) if isinstance(spec, RowsField) else None
    labels = (
        {o.value: o.label.sv for o in column.options} if isinstance(column, ChoiceField) else {}
    )
    return [
        {
            "category": row.get(source.category, ""),
            "category_label": labels.get(row.get(source.category, ""), ""),
            "place": row.get(source.place, ""),
            "area": row.get(source.area, ""),
            "assessment": row.get(source.assessment) if source.assessment else None,
        }
        for row in answer.get(source.field) or ()
        if row.get(source.place)
    ]
