"""Run the engine through virtual time with simulated people answering their requests."""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from definitions.schema import FieldSpec, FieldType, Organisation, StepSpec
from workflow.answers import fields_for
from workflow.clock import VirtualClock
from workflow.engine import Engine
from workflow.errors import RequestClosed
from workflow.records import InputRequest, Outcome

PHRASES = (
    "Klotter på gångtunneln vid stationen.",
    "Trasig belysning längs gång- och cykelvägen.",
    "Ungdomar samlas sent vid torget, upplevs som otryggt.",
    "Nedskräpning i parken efter helgen.",
    "Lugnt, inget särskilt att notera.",
    "Fler trygghetsvandringar i centrum.",
    "Samverkan med föreningar kring lovaktiviteter.",
)


@dataclass
class SimulationReport:
    """What happened, per definition, during a simulated period."""

    start: datetime
    end: datetime
    timers_fired: int = 0
    answers: int = 0
    answers_refused: int = 0
    per_definition: dict[str, Counter[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "timers_fired": self.timers_fired,
            "answers": self.answers,
            "answers_refused": self.answers_refused,
            "definitions": {
                name: {
                    "opened": counts["opened"],
                    "completed_on_time": counts[Outcome.COMPLETED_ON_TIME.value],
                    "completed_late": counts[Outcome.COMPLETED_LATE.value],
                    "closed_incomplete": counts[Outcome.CLOSED_INCOMPLETE.value],
                    "still_open": counts["still_open"],
                }
                for name, counts in sorted(self.per_definition.items())
            },
        }


class Simulation:
    """Virtual time moves to the next timer or simulated answer, whichever comes first."""

    def __init__(
        self,
        engine: Engine,
        clock: VirtualClock,
        *,
        response_rate: float,
        seed: int,
        late_share: float = 0.1,
        after_step: Callable[[], object] = lambda: None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.response_rate = response_rate
        self.late_share = late_share
        self.after_step = after_step
        self.rng = random.Random(seed)
        self._answers: list[tuple[datetime, int]] = []
        self._seen = 0

    def run_until(self, end: datetime) -> SimulationReport:
        report = SimulationReport(self.clock.now(), end)
        self.engine.ensure_schedule()
        while True:
            next_timer = self._plan_answers()
            next_answer = self._answers[0][0] if self._answers else None
            moments = [m for m in (next_timer, next_answer) if m is not None]
            if not moments or min(moments) > end:
                break
            self.clock.set(max(min(moments), self.clock.now()))
            if next_answer is not None and next_answer <= self.clock.now():
                _, request_id = heapq.heappop(self._answers)
                self._answer(request_id, report)
            else:
                report.timers_fired += len(self.engine.run_due())
            self.after_step()
        self.clock.set(max(end, self.clock.now()))
        report.timers_fired += len(self.engine.run_due())
        self.after_step()
        self._count(report)
        return report

    def _plan_answers(self) -> datetime | None:
        with self.engine.store.transaction() as tx:
            new = tx.requests_after(self._seen)
            next_timer = tx.next_timer_due()
        for request in new:
            self._seen = max(self._seen, request.id or 0)
            if self.rng.random() >= self.response_rate:
                continue
            heapq.heappush(self._answers, (self._answer_time(request), request.id or 0))
        return next_timer

    def _answer_time(self, request: InputRequest) -> datetime:
        window = max(request.deadline_at - request.requested_at, timedelta(minutes=5))
        if self.rng.random() < self.late_share:
            return request.deadline_at + window * self.rng.uniform(0.01, 0.3)
        return request.requested_at + window * self.rng.uniform(0.05, 0.98)

    def _answer(self, request_id: int, report: SimulationReport) -> None:
        with self.engine.store.transaction() as tx:
            request = tx.request(request_id)
            instance = tx.instance(request.instance_id)
            definition = self.engine.catalog.definition(
                tx, instance.definition_name, instance.definition_version
            )
            organisation, _ = self.engine.catalog.organisation(tx)
        step = definition.step(request.step_id)
        answer = fake_answer(
            step,
            request.roles,
            organisation,
            self.rng,
            self.clock.now().astimezone(ZoneInfo(definition.timezone)),
        )
        try:
            self.engine.submit(request_id, request.person_id, answer)
            report.answers += 1
        except RequestClosed:
            report.answers_refused += 1

    def _count(self, report: SimulationReport) -> None:
        with self.engine.store.transaction() as tx:
            instances = tx.instances()
        for instance in instances:
            if not report.start <= instance.opened_at <= report.end:
                continue
            counts = report.per_definition.setdefault(instance.definition_name, Counter())
            counts["opened"] += 1
            counts[instance.outcome.value if instance.outcome else "still_open"] += 1


def fake_answer(
    step: StepSpec,
    roles: tuple[str, ...],
    organisation: Organisation,
    rng: random.Random,
    now: datetime,
) -> dict[str, Any]:
    """A plausible valid answer to `step` for a person holding `roles`."""
    answer: dict[str, Any] = {}
    for spec in fields_for(step, roles):
        if spec.required_unless and answer.get(spec.required_unless):
            continue
        if spec.type is FieldType.BOOLEAN and spec.id.startswith("inget"):
            answer[spec.id] = rng.random() < 0.3
            continue
        if not spec.required and spec.type is not FieldType.BOOLEAN and rng.random() < 0.5:
            continue
        answer[spec.id] = _fake_value(spec, organisation, rng, now)
    return answer


def _fake_value(
    spec: FieldSpec, organisation: Organisation, rng: random.Random, now: datetime
) -> Any:
    if spec.type is FieldType.TEXT:
        return rng.choice(PHRASES)[: spec.max_length]
    if spec.type is FieldType.NUMBER:
        low = int(spec.minimum or 0)
        return rng.randint(low, int(spec.maximum or low + 20))
    if spec.type is FieldType.CHOICE:
        return rng.choice(spec.options)
    if spec.type is FieldType.DATE:
        return (now + timedelta(days=rng.randint(7, 30))).date().isoformat()
    if spec.type is FieldType.DATETIME:
        return (now - timedelta(hours=rng.randint(1, 120))).isoformat(timespec="minutes")
    if spec.type is FieldType.BOOLEAN:
        return rng.random() < 0.5
    if spec.type is FieldType.PERSON:
        people = [p for p in organisation.people if spec.party is None or p.party == spec.party]
        return rng.choice(people).id
    rows = max(spec.min_rows, rng.randint(1, 3))
    return [
        {
            c.id: _fake_value(c, organisation, rng, now)
            for c in spec.columns
            if c.required or rng.random() < 0.5
        }
        for _ in range(rows)
    ]
