"""Cause and effect in numbers: what an insats or åtagande targets (EST categories, a place of
the register or an area) and how many such observations there were before it was decided and
since. The baseline is computed, never typed: the count over the `BASELINE_WEEKS` before the
decision. The latest count runs from the decision to now (or to when the action was closed),
and both are also given per week, so a count over three weeks can stand beside one over
twelve. The owner still judges the effect in words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lofte.definitions.directory import Unit
from lofte.definitions.places import PlaceRegister, normalised
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.core.observation_reads import read_observations
from lofte.workflow.core.places import register_of
from lofte.workflow.core.records import Action
from lofte.workflow.core.work import Work

BASELINE_WEEKS = 12
WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class Effect:
    """The observations an action targets: `baseline` in the `BASELINE_WEEKS` before it was
    decided, `since` from then to `until`; `weekly` counts per ISO week over both."""

    baseline: int
    since: int
    decided: datetime
    until: datetime
    weekly: tuple[tuple[str, int], ...]
    target: str  # what was counted, in words: "klotter, skadegörelse vid Stationen"
    target_en: str = ""  # the same in English: "graffiti, vandalism at Stationen"

    @property
    def since_weeks(self) -> float:
        return max((self.until - self.decided) / WEEK, 0.0)

    @property
    def baseline_per_week(self) -> float:
        return self.baseline / BASELINE_WEEKS

    @property
    def since_per_week(self) -> float | None:
        """None until a day has passed: a rate over hours says nothing."""
        weeks = self.since_weeks
        return self.since / weeks if weeks >= 1 / 7 else None


def matcher(action: Action, register: PlaceRegister) -> Callable[[dict[str, Any]], bool] | None:
    """Whether an observation is one `action` targets; None when it names no category and no
    place (nothing to count: a number would not mean what its label says)."""
    categories = set(action.categories)
    written = action.place.strip()
    if not categories and not written:
        return None
    place = register.resolve(written) if written else None
    areas = {normalised(p.area) for p in register.places}
    area = normalised(written) if place is None and normalised(written) in areas else ""

    def hits(observation: dict[str, Any]) -> bool:
        if categories and str(observation.get("category")) not in categories:
            return False
        if place is not None:
            return observation.get("place_id") == place.id
        if area:
            return normalised(str(observation.get("area") or "")) == area
        if written:
            shown = observation.get("written_place") or observation.get("place") or ""
            return normalised(str(shown)) == normalised(written)
        return True

    return hits


def effects_of(work: Work, unit: Unit, actions: Sequence[Action]) -> dict[int, Effect]:
    """The effect of each action of `unit` (by id) that names a target, from one read of the
    unit's observations."""
    register = register_of(work, unit)
    targeted = [(a, m) for a in actions if a.id is not None and (m := matcher(a, register))]
    if not targeted:
        return {}
    start = min(a.created_at for a, _ in targeted) - BASELINE_WEEKS * WEEK
    end = max(work.now, *(a.created_at for a, _ in targeted))
    read = read_observations(work, unit, start, end, reports_from=end)
    labels = {c["value"]: (c["sv"], c["en"]) for c in read.categories}
    found: dict[int, Effect] = {}
    for action, hits in targeted:
        until = max(min(action.closed_at or work.now, work.now), action.created_at)
        moments = [at for at, o in read.found if hits(o)]
        target = (_target(action, labels, 0), _target(action, labels, 1))
        found[action.id or 0] = effect_from(action, moments, until, target)
    return found


def effect_from(
    action: Action, moments: Iterable[datetime], until: datetime, target: tuple[str, str] = ("", "")
) -> Effect:
    """The numbers of `action` from the moments of the observations it targets."""
    decided = action.created_at
    first = decided - BASELINE_WEEKS * WEEK
    kept = [m for m in moments if first <= m < until or first <= m < decided]
    return Effect(
        baseline=sum(1 for m in kept if m < decided),
        since=sum(1 for m in kept if m >= decided),
        decided=decided,
        until=until,
        weekly=weekly_counts(kept, first, until),
        target=target[0],
        target_en=target[1],
    )


def weekly_counts(
    moments: Sequence[datetime], first: datetime, until: datetime
) -> tuple[tuple[str, int], ...]:
    """(`v. 12`, count) for each ISO week (Stockholm) from `first`'s week to `until`'s."""
    counts: dict[tuple[int, int], int] = {}
    monday = first.astimezone(STOCKHOLM).date()
    monday -= timedelta(days=monday.weekday())
    last = until.astimezone(STOCKHOLM).date()
    while monday <= last:
        year, week, _ = monday.isocalendar()
        counts[(year, week)] = 0
        monday += timedelta(days=7)
    for moment in moments:
        year, week, _ = moment.astimezone(STOCKHOLM).isocalendar()
        if (year, week) in counts:
            counts[(year, week)] += 1
    return tuple((f"v. {week}", n) for (_, week), n in counts.items())


def _target(action: Action, labels: dict[str, tuple[str, str]], language: int) -> str:
    """What is counted (`klotter vid Stationen`; language 0 Swedish, 1 English)."""
    named = [labels.get(c, (c, c))[language].lower() for c in action.categories]
    what = ", ".join(named) or ("alla iakttagelser", "all observations")[language]
    where = action.place.strip()
    return f"{what} {('vid', 'at')[language]} {where}" if where else what
