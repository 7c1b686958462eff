"""The action register as people read it: every intervention, early intervention and
commitment of a unit with its owner, due date, status, follow-ups and observed effect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lofte.kernel import words
from lofte.kernel.errors import ConfigError
from lofte.workflow.application.app import Application
from lofte.workflow.application.csv_export import csv_date, csv_moment, to_csv
from lofte.workflow.application.texts import action_kind, action_status
from lofte.workflow.application.visibility import Viewer, can_see_unit, require_unit
from lofte.workflow.core.effect import Effect, effects_of
from lofte.workflow.core.effect_words import baseline_text, decimal, latest_text, trend_text
from lofte.workflow.core.records import CLOSED_ACTION, Action, ActionStatus
from lofte.workflow.core.work import Work

STATUS_FILTERS = {
    "oppna": [s.value for s in ActionStatus if s not in CLOSED_ACTION],
    "stangda": [s.value for s in CLOSED_ACTION],
    **{s.value: [s.value] for s in ActionStatus},
}


@dataclass(frozen=True)
class ActionLine:
    action: Action
    kind: str
    owner: str
    party: str
    status: str
    due: str
    history: list[tuple[str, str, str, str, str]]  # follow-ups: (when, status, by, note, effect)
    followed_up_at: datetime | None = None  # the latest follow-up
    effect: Effect | None = None  # the counts of what it targets; None if it names no target
    language: str = "sv"
    unit_name: str = ""  # the action's unit (a police area's register lists its municipalities')

    @property
    def latest_effect(self) -> str:
        return self.history[-1][4] if self.history else ""

    @property
    def baseline_text(self) -> str:
        return baseline_text(self.effect, self.language) if self.effect else ""

    @property
    def latest_text(self) -> str:
        return latest_text(self.effect, self.language) if self.effect else ""

    @property
    def trend_text(self) -> str:
        return trend_text(self.effect, self.language) if self.effect else ""


def list_actions(
    app: Application,
    viewer: Viewer,
    unit_id: str,
    status: str | None = None,
    language: str = "sv",
) -> list[ActionLine]:
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    if status is not None and status not in STATUS_FILTERS:
        raise ConfigError(f"okänd status {status!r}; välj bland {', '.join(STATUS_FILTERS)}")
    directory = viewer.directory
    units = [unit.id]
    if unit.kind == "police_area":  # and its municipalities' that the viewer may see
        units += [m.id for m in directory.municipalities_of(unit) if can_see_unit(viewer, m)]
    found = app.reads.actions(units, STATUS_FILTERS[status] if status else None)
    effects = _effects(app, found)
    lines = []
    for action in found:
        events = app.reads.action_history(action.id or 0)
        history = [
            (
                words.moment(at, language),
                action_status(st, language),
                directory.name_of(by),
                note,
                effect,
            )
            for at, st, by, note, effect in events
        ]
        lines.append(
            ActionLine(
                action,
                action_kind(action.kind, language),
                directory.name_of(action.owner_id),
                directory.party_title(action.owner_party, language),
                action_status(action.status.value, language),
                words.plain_date(action.due_date, language) if action.due_date else "",
                history,
                events[-1][0] if events else None,
                effects.get(action.id or 0),
                language,
                app.unit(action.unit_id, directory).name,
            )
        )
    return lines


def _effects(app: Application, found: Sequence[Action]) -> dict[int, Effect]:
    """Each action's numbers, read with its own unit's register (one read per unit)."""
    if not found:
        return {}
    by_unit: dict[str, list[Action]] = {}
    for action in found:
        by_unit.setdefault(action.unit_id, []).append(action)

    def read(work: Work) -> dict[int, Effect]:
        numbers: dict[int, Effect] = {}
        for unit_id, actions in by_unit.items():
            numbers |= effects_of(work, work.unit_or_placeholder(unit_id), actions)
        return numbers

    return app.engine.inspect(read)


ACTION_HEADERS = [
    "Slag",
    "Åtgärd",
    "Plats",
    "Problemområde",
    "Indikator",
    "Räknas",
    "Utgångsläge",
    "Utgångsläge per vecka",
    "Senaste läge",
    "Senaste läge per vecka",
    "Veckor sedan beslut",
    "Utgångsläge (angivet)",
    "Ansvarig",
    "Part",
    "Klart senast",
    "Status",
    "Beslutad i",
    "Senaste uppföljning",
    "Effekt",
]


def actions_csv(lines: Sequence[ActionLine]) -> str:
    return to_csv(ACTION_HEADERS, [action_cells(line) for line in lines])


def action_cells(line: ActionLine) -> list[object]:
    """One action's cells under `ACTION_HEADERS` (also the archive's, `archive_actions`)."""
    return [
        line.kind,
        line.action.what,
        line.action.place,
        line.action.problem,
        line.action.indicator,
        *_effect_cells(line.effect),
        line.action.baseline,
        line.owner,
        line.party,
        csv_date(line.action.due_date),
        line.status,
        line.action.source_label,
        csv_moment(line.followed_up_at),
        line.action.effect,
    ]


def _effect_cells(effect: Effect | None) -> list[object]:
    """What is counted, the baseline and the latest count (each also per week, Swedish
    decimals) and the weeks since the decision; empty cells for an action with no target."""
    if effect is None:
        return [""] * 6
    rate = effect.since_per_week
    return [
        effect.target,
        effect.baseline,
        decimal(effect.baseline_per_week),
        effect.since,
        "" if rate is None else decimal(rate),
        decimal(effect.since_weeks),
    ]
