"""Run the engine through virtual time with simulated people answering their requests: a
rehearsal of weeks or a year of a real setup, and the workload of the benchmarks."""

from __future__ import annotations

import heapq
import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.definitions.steps import AnyStep
from lofte.kernel.clock import VirtualClock
from lofte.kernel.errors import RequestClosed, SubmissionError
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.core.commitments import commitment_kinds, offered
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.drivers.fake_answers import Situation, fake_answer, observations_of

RECENT = 60  # observations a simulated person remembers per unit
RECORDED_WITHIN = timedelta(days=2)  # a meeting's decision is recorded within this
COUNTS = (
    "opened",
    "completed_on_time",
    "completed_late",
    "closed_incomplete",
    "no_basis",  # a follow-up with no decision in force: nothing to follow up, not incomplete
    "still_open",
)


@dataclass
class SimulationReport:
    """What happened, per definition and per unit, during a simulated period."""

    start: datetime
    end: datetime
    timers_fired: int = 0
    answers: int = 0
    answers_refused: int = 0
    per_definition: dict[str, Counter[str]] = field(default_factory=dict)
    per_unit: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "timers_fired": self.timers_fired,
            "answers": self.answers,
            "answers_refused": self.answers_refused,
            "definitions": {name: _counts(c) for name, c in sorted(self.per_definition.items())},
            "units": {
                unit: {name: _counts(c) for name, c in sorted(by_def.items())}
                for unit, by_def in sorted(self.per_unit.items())
            },
        }


def _next_interval(moment: datetime, every: timedelta) -> datetime:
    """The first whole multiple of `every` (counted from the epoch) at or after `moment`."""
    if every <= timedelta(0):
        return moment
    moment = moment.astimezone(UTC)
    rest = (moment - datetime(1970, 1, 1, tzinfo=UTC)) % every
    return moment if rest == timedelta(0) else moment + (every - rest)


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {key: counter[key] for key in COUNTS}


class Simulation:
    """Virtual time moves to the next timer or simulated answer, whichever comes first."""

    def __init__(
        self,
        app: Application,
        clock: VirtualClock,
        *,
        response_rate: float,
        seed: int,
        late_share: float = 0.1,
        after_moment: Callable[[], object] = lambda: None,
        deliver_every: timedelta = timedelta(0),
    ) -> None:
        self.app = app
        self.engine = app.engine
        self.clock = clock
        self.response_rate = response_rate
        self.late_share = late_share
        self.after_moment = after_moment
        self.deliver_every = deliver_every
        self._changed_since: datetime | None = None  # first change not yet followed by delivery
        self._next_timer: datetime | None = None
        # The store's counts (`Store.writes`) when the next timer was read and when requests
        # were last planned: read again only after timers were written or requests added.
        self._timers_read_at: int | None = None
        self._requests_planned_at: int | None = None
        # Each unit draws from streams of its own (what people answer; whether and when they
        # answer), so a unit's year is the same whichever other units run beside it: a run
        # split between processes by police area (`cli/simulate_parts.py`) equals one run.
        self.seed = seed
        self._streams: dict[str, tuple[random.Random, random.Random]] = {}
        self._answers: list[tuple[datetime, int, InputRequest, CycleInstance]] = []
        self._recent: dict[str, deque[dict[str, Any]]] = {}  # observations reported per unit
        self._seen = 0

    def run_until(self, end: datetime) -> SimulationReport:
        """Move through every moment up to `end`. At each moment the due timers fire and the
        answers planned for it are given. Before time moves on, the requests opened so far are
        planned (their answers always come later), and `after_moment` (the CLI delivers email
        there) runs as a delivery job every `deliver_every` would: at the first whole interval
        after a change, on the clock of that moment; with no interval, after every moment."""
        report = SimulationReport(self.clock.now(), end)
        self.engine.ensure_schedule()
        while True:
            moment = self._next_moment()
            if moment is not None and moment > self.clock.now():
                self._plan_answers()
                moment = self._next_moment()
                self._deliver_before(end if moment is None else min(moment, end))
            if moment is None or moment > end:
                break
            self.clock.set(max(moment, self.clock.now()))
            if self._answers and self._answers[0][0] <= self.clock.now():
                _, _, request, instance = heapq.heappop(self._answers)
                self._answer(request, instance, report)
            else:
                report.timers_fired += len(self.engine.run_due())
            self._changed_since = self._changed_since or self.clock.now()
        self.clock.set(max(end, self.clock.now()))
        report.timers_fired += len(self.engine.run_due())
        self._plan_answers()
        self.after_moment()
        self._count(report)
        return report

    def _deliver_before(self, moment: datetime) -> None:
        if self._changed_since is None:
            return
        due = _next_interval(self._changed_since, self.deliver_every)
        if due <= moment:
            self.clock.set(max(due, self.clock.now()))
            self.after_moment()
            self._changed_since = None

    def _next_moment(self) -> datetime | None:
        written = self.engine.store.writes().timer_writes
        if written != self._timers_read_at:  # only the engine writes timers: read after it did
            with self.engine.store.unit_of_work(read_only=True) as uow:
                self._next_timer = uow.timers.next_due()
            self._timers_read_at = written
        next_timer = self._next_timer
        next_answer = self._answers[0][0] if self._answers else None
        moments = [m for m in (next_timer, next_answer) if m is not None]
        return min(moments) if moments else None

    def _plan_answers(self) -> None:
        """Decide who answers the requests opened since the last look, and when."""
        added = self.engine.store.writes().requests_added
        if added == self._requests_planned_at:
            return  # no request was made since the last look
        self._requests_planned_at = added
        while True:
            new = self.app.reads.requests_after(self._seen)
            for request, instance in new:
                self._seen = max(self._seen, request.id or 0)
                plan = self._stream(instance.unit_id)[1]
                if plan.random() < self.response_rate:
                    held_until = self._held_until(request, instance)
                    when = self._answer_time(request, held_until, plan)
                    heapq.heappush(self._answers, (when, request.id or 0, request, instance))
            if len(new) < 1000:
                break

    def _held_until(self, request: InputRequest, instance: CycleInstance) -> datetime | None:
        """When the meeting of the request's step ends, if it is held as one: what a meeting
        decides is recorded after it, never before."""
        if self.app.definition_of(instance).step(request.step_id).meeting is None:
            return None
        with self.engine.store.unit_of_work(read_only=True) as uow:
            meeting = uow.meetings.get(instance.id or 0, request.step_id)
        return None if meeting is None or meeting.cancelled else meeting.ends_at

    def _stream(self, unit_id: str) -> tuple[random.Random, random.Random]:
        """The unit's two random streams: what its people answer, whether and when."""
        streams = self._streams.get(unit_id)
        if streams is None:
            streams = (
                random.Random(f"{self.seed}:{unit_id}"),
                random.Random(f"{self.seed}:plan:{unit_id}"),
            )
            self._streams[unit_id] = streams
        return streams

    def _answer_time(
        self, request: InputRequest, held_until: datetime | None, plan: random.Random
    ) -> datetime:
        """When the person answers: mostly within the deadline, some late; what a meeting
        decides is recorded within two days after it, if the deadline allows."""
        start = max(request.requested_at, held_until or request.requested_at)
        window = max(request.deadline_at - start, timedelta(minutes=5))
        if plan.random() < self.late_share:
            return max(start, request.deadline_at) + window * plan.uniform(0.01, 0.3)
        if held_until is not None:
            window = min(window, RECORDED_WITHIN)
        return start + window * plan.uniform(0.05, 0.98)

    def _answer(
        self, request: InputRequest, instance: CycleInstance, report: SimulationReport
    ) -> None:
        definition = self.app.definition_of(instance)
        directory = self.app.view().directory
        unit = self.app.unit(instance.unit_id, directory)
        step = definition.step(request.step_id)
        answer = fake_answer(
            step,
            request.roles,
            directory.members(unit),
            self._stream(unit.id)[0],
            self.clock.now(),
            self._situation(instance, definition, step, unit, request),
        )
        try:
            self.engine.submit(request.id or 0, request.person_id, answer)
            report.answers += 1
            self._remember(unit.id, observations_of(step, answer))
        except (RequestClosed, SubmissionError):
            report.answers_refused += 1

    def _situation(
        self,
        instance: CycleInstance,
        definition: CycleDefinition,
        step: AnyStep,
        unit: Unit,
        request: InputRequest,
    ) -> Situation:
        """What the person sees: the observations of the lägesbild the cycle's steps show (an
        inventory's own reporters see none), and the action a follow-up is about."""
        about = str(request.subject.get("title", "")) if request.subject else ""
        commitments = (
            tuple(self.engine.inspect(lambda work: offered(work, unit, step)).values())
            if commitment_kinds(step.fields)
            else ()
        )
        if step.observations is not None or instance.id is None:
            return Situation(unit, (), about, commitments)
        observations: list[dict[str, Any]] = []
        with self.engine.store.unit_of_work(read_only=True) as uow:
            for shown in (s for s in definition.steps if s.context):
                context = uow.contexts.get(instance.id, shown.id) or {}
                for item in context.get("items", ()):
                    for part in item.get("parts", ()) if item.get("kind") == "lagesbild" else ():
                        observations.extend(part.get("observations", ()))
        if not observations:  # nothing shown: what the person saw in the last weeks' reports
            observations = list(self._recent.get(unit.id, ()))
        return Situation(unit, tuple(observations), about, commitments)

    def _remember(self, unit_id: str, observations: list[dict[str, Any]]) -> None:
        if observations:
            self._recent.setdefault(unit_id, deque(maxlen=RECENT)).extend(observations)

    def _count(self, report: SimulationReport) -> None:
        for instance in self.app.reads.cycles(
            CycleFilter(started_before=report.end + timedelta(days=1))
        ):
            if not report.start <= instance.opened_at <= report.end:
                continue
            outcome = instance.outcome.value if instance.outcome else "still_open"
            for counter in (
                report.per_definition.setdefault(instance.definition_name, Counter()),
                report.per_unit.setdefault(instance.unit_id, {}).setdefault(
                    instance.definition_name, Counter()
                ),
            ):
                counter["opened"] += 1
                counter[outcome] += 1
