"""Nobody is booked in two meetings at once, and no room twice: every meeting of the setup (each
meeting step of each unit's effective definition) is laid out over a year, and two meetings
that overlap and share a participant or a place are reported, naming both, at the meeting whose
time the unit set (its override) or else at the definition's meeting.

The times follow the engine's rules (`workflow.core.cadence` and `step_times`, which this layer
may not import): occurrence k opens at `anchor + k * every` in local time, moved to the next
working day unless `opening_rule: exact`; the meeting starts its offset after the opening, moved
off days off unless `rule: exact`. A test holds the two to the same times.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lofte.definitions.cycle import Cadence, CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.definitions.organisation import DefinitionOverride
from lofte.definitions.steps import AnyStep, MeetingSpec
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel import words
from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import DefinitionProblem
from lofte.kernel.timerules import STOCKHOLM, localize, next_working_moment, zone

HORIZON = IsoDuration(months=12)  # laid out from the earliest anchor of the setup's meetings
MAX_REPORTED = 30  # a setup that clashes everywhere is told the first ones and how many more

Interval = tuple[datetime, datetime]  # [start, end) in UTC
TimingKey = tuple[Cadence, str, IsoDuration, IsoDuration, str]


@dataclass(frozen=True)
class Series:
    """One unit's meetings of one meeting step: who is invited, where, and where it is set."""

    definition: CycleDefinition
    step: AnyStep
    unit: Unit
    people: frozenset[str]
    location: str
    doc: YamlDocument
    path: PathKey
    overridden: bool  # the unit set the time (an override): the problem is reported there

    @property
    def title(self) -> str:
        return f"{self.definition.display_title()} i {self.unit.name}"

    @property
    def meeting(self) -> MeetingSpec:
        assert self.step.meeting is not None
        return self.step.meeting

    def timing(self) -> TimingKey:
        """What decides the times: units that keep the template share one layout."""
        meeting = self.meeting
        cadence = self.definition.cadence
        return (cadence, self.definition.timezone, meeting.starts, meeting.length, meeting.rule)


@dataclass(frozen=True)
class Placed:
    """Where a definition and its units' overrides are written, for reporting."""

    doc: YamlDocument
    org_doc: YamlDocument
    unit_paths: Mapping[str, PathKey]


def meeting_series(
    effective: Sequence[tuple[CycleDefinition, Unit]],
    directory: Directory,
    placed: Mapping[str, Placed],
) -> list[Series]:
    """The meeting series of each enabled (effective definition, unit) pair."""
    found = []
    for definition, unit in effective:
        where = placed[definition.name]
        override = unit.overrides.get(definition.name)
        for index, step in enumerate(definition.steps):
            if step.meeting is None:
                continue
            roles = step.meeting.participants or step.asked_roles()
            people = frozenset(p.id for r in roles for p, _ in directory.holders_for(r, unit))
            set_at = _override_path(override, step, where.unit_paths.get(unit.id), definition)
            found.append(
                Series(
                    definition=definition,
                    step=step,
                    unit=unit,
                    people=people,
                    location=(step.meeting.location or unit.location).strip(),
                    doc=where.doc if set_at is None else where.org_doc,
                    path=("steps", index, "meeting") if set_at is None else set_at,
                    overridden=set_at is not None,
                )
            )
    return found


def _override_path(
    override: DefinitionOverride | None,
    step: AnyStep,
    unit_path: PathKey | None,
    definition: CycleDefinition,
) -> PathKey | None:
    """Where the unit's override sets this meeting's time, or None if the template does."""
    if override is None or unit_path is None:
        return None
    here: PathKey = (*unit_path, "overrides", definition.name)
    changed = override.steps.get(step.id)
    if changed is not None and changed.meeting is not None:
        return (*here, "steps", step.id, "meeting")
    if override.cadence is not None:
        return (*here, "cadence")
    return None


def check_meeting_clashes(
    series: Sequence[Series], directory: Directory
) -> list[DefinitionProblem]:
    """Every pair of meeting series that overlap in time and share a person or a place."""
    if len(series) < 2:
        return []
    start = min(s.definition.cadence.anchor for s in series)
    end = HORIZON.add_to(start)
    layouts: dict[TimingKey, tuple[Interval, ...]] = {}
    times = []
    for one in series:
        key = one.timing()
        if key not in layouts:
            layouts[key] = _layout(one, start, end)
        times.append(layouts[key])
    clashes: dict[tuple[int, int], tuple[Interval, Interval]] = {}
    for group in _sharing(series):
        for (a, b), when in _overlaps(group, times):
            if (a, b) not in clashes or when < clashes[(a, b)]:
                clashes[(a, b)] = when
    ordered = sorted(clashes.items(), key=lambda item: (item[1], item[0]))
    problems = [
        _problem(series[a], series[b], when, directory) for (a, b), when in ordered[:MAX_REPORTED]
    ]
    if len(ordered) > MAX_REPORTED:
        last = problems[-1]
        more = f"och {len(ordered) - MAX_REPORTED} krockar till mellan möten"
        problems.append(DefinitionProblem(last.file, last.path, more, last.line))
    return problems


def _sharing(series: Sequence[Series]) -> Iterator[tuple[int, ...]]:
    """The series that share each person or place, each distinct group once."""
    by_thing: dict[tuple[str, str], list[int]] = {}
    for index, one in enumerate(series):
        for person in one.people:
            by_thing.setdefault(("person", person), []).append(index)
        if one.location:
            by_thing.setdefault(("place", one.location.casefold()), []).append(index)
    seen: set[tuple[int, ...]] = set()
    for members in by_thing.values():
        group = tuple(members)
        if len(group) > 1 and group not in seen:
            seen.add(group)
            yield group


def _overlaps(
    group: tuple[int, ...], times: Sequence[tuple[Interval, ...]]
) -> Iterator[tuple[tuple[int, int], tuple[Interval, Interval]]]:
    """Pairs (lower index first) of series of `group` whose meetings overlap, with the two
    meetings (in the pair's order), earliest first."""
    events = sorted((when, index) for index in group for when in times[index])
    active: list[tuple[Interval, int]] = []
    for when, index in events:
        active = [(other, o) for other, o in active if other[1] > when[0]]
        for other, other_index in active:
            if other_index < index:
                yield (other_index, index), (other, when)
            elif other_index > index:
                yield (index, other_index), (when, other)
        active.append((when, index))


def _layout(series: Series, start: datetime, end: datetime) -> tuple[Interval, ...]:
    """The series' meetings of cycles whose nominal start is in [start, end) local time."""
    cadence, meeting = series.definition.cadence, series.meeting
    tz = zone(series.definition.timezone)
    every = cadence.every
    index = int((start - cadence.anchor).total_seconds() // every.approx_seconds()) - 1
    while every.times(index).add_to(cadence.anchor) >= start:
        index -= 1
    found = []
    while (nominal := every.times(index := index + 1).add_to(cadence.anchor)) < end:
        if nominal < start:
            continue
        opening = nominal
        if cadence.opening_rule == "next_working_day":
            opening = next_working_moment(opening)
        begins = meeting.starts.add_to(opening)
        if meeting.rule == "next_working_day":
            begins = next_working_moment(begins)
        ends = meeting.length.add_to(begins)
        found.append((localize(begins, tz).astimezone(UTC), localize(ends, tz).astimezone(UTC)))
    return tuple(found)


def _problem(
    first: Series, second: Series, when: tuple[Interval, Interval], directory: Directory
) -> DefinitionProblem:
    first_when, second_when = when
    if first.overridden and not second.overridden:  # reported where a unit set the time
        first, second, first_when, second_when = second, first, second_when, first_when
    shared = sorted(directory.name_of(p) for p in first.people & second.people)
    what = []
    if shared:
        names = shared[0] if len(shared) == 1 else f"{', '.join(shared[:-1])} och {shared[-1]}"
        what.append(f"{names} är kallad{'e' if len(shared) > 1 else ''} till båda")
    if first.location and first.location.casefold() == second.location.casefold():
        what.append(f"båda hålls i {second.location}")
    message = (
        f"mötet {second.title} ({_span(second_when)}) krockar med mötet {first.title} "
        f"({_span(first_when)}): {' och '.join(what)}; flytta det ena mötet (meeting.starts, "
        "för en enhet under overrides i organisationsfilen) eller ändra vilka som kallas"
    )
    return second.doc.problem(second.path, message)


def _span(when: Interval) -> str:
    start, end = when
    return f"{words.moment(start)}–{end.astimezone(STOCKHOLM):%H.%M}"
