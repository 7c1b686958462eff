"""The page of one action (an insats, tidig insats or åtagande), which its owner's email leads
to: what, where, by when, who owns it, where it was decided, its status and every follow-up.
Visibility as the unit's action register (a role in the unit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lofte.definitions.directory import Unit
from lofte.kernel import words
from lofte.kernel.errors import NotFound
from lofte.workflow.application import page_paths
from lofte.workflow.application.app import Application
from lofte.workflow.application.texts import action_kind, action_status, article
from lofte.workflow.application.visibility import Viewer, require_unit
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.effect import Effect, effects_of
from lofte.workflow.core.effect_words import baseline_text, latest_text
from lofte.workflow.core.records import Action


@dataclass(frozen=True)
class FollowUpLine:
    at: datetime
    status: str
    by: str
    note: str
    effect: str


@dataclass(frozen=True)
class ActionPage:
    unit: Unit
    action: Action
    kind: str  # `åtagande`
    article: str  # `ett`
    owner: str
    party: str
    due: str  # `20 feb 2027`, or empty
    status: str
    decided_in: str
    decided_in_link: str
    history: list[FollowUpLine]
    effect: Effect | None = None
    counted: str = ""  # what the numbers count (`klotter vid Stationen`)
    baseline: str = ""  # `24 iakttagelser de 12 veckorna före beslutet (2,0 per vecka)`
    latest: str = ""


def action_page(
    app: Application, viewer: Viewer, unit_id: str, action_id: int, language: str = "sv"
) -> ActionPage:
    """NotFound for an action that is not the unit's; AccessDenied without a role there."""
    unit = app.require_unit(unit_id)
    require_unit(viewer, unit)
    action = next((a for a in app.reads.actions([unit.id], None) if a.id == action_id), None)
    if action is None:
        raise NotFound("åtgärd", str(action_id))
    directory = viewer.directory
    source = app.reads.cycle(action.source_instance_id)
    effect = app.engine.inspect(lambda work: effects_of(work, unit, [action])).get(action_id)
    return ActionPage(
        unit,
        action,
        action_kind(action.kind, language),
        article(action.kind, language),
        directory.name_of(action.owner_id),
        directory.party_title(action.owner_party, language),
        words.plain_date(action.due_date, language) if action.due_date else "",
        action_status(action.status.value, language),
        (
            f"{app.definition_of(source).display_title(language)} "
            f"{label_of_key(source.period_key, language)}"
            if source is not None
            else action.source_label
        ),
        page_paths.cycle_page(source.unit_id, source.id or 0) if source is not None else "",
        [
            FollowUpLine(at, action_status(status, language), directory.name_of(by), note, effect)
            for at, status, by, note, effect in app.reads.action_history(action_id)
        ],
        effect,
        effect.target if effect else "",
        baseline_text(effect, language) if effect else "",
        latest_text(effect, language) if effect else "",
    )
