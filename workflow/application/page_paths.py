"""Where the pages that emails lead to live, for the web routes and the email links alike:
a cycle (with its meeting and decision), an action, my tasks, the administration."""

from __future__ import annotations

from datetime import date

TASKS = "/uppgifter"
ADMIN = "/admin"


def cycle_page(unit_id: str, instance_id: int) -> str:
    return f"/enhet/{unit_id}/cykler/{instance_id}"


def action_page(unit_id: str, action_id: int) -> str:
    """An action's page; without an id (an email stored before it had one), the unit's
    action register."""
    return f"/enhet/{unit_id}/atgarder/{action_id}" if action_id else f"/enhet/{unit_id}/atgarder"


def lagesbild_page(unit_id: str, first: date, last: date) -> str:
    """A unit's lägesbild from `first` to `last` (Stockholm dates, both included)."""
    return f"/enhet/{unit_id}/lagesbild?fran={first.isoformat()}&till={last.isoformat()}"
