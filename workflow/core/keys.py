"""Deterministic keys. Each names the installation and the unit, never a database row id, so
a replay after a crash writes the same keys on PostgreSQL as on SQLite, and two installations
never produce the same Message-ID or calendar UID."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

INSTALLATION_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_installation_id() -> str:
    return "".join(secrets.choice(INSTALLATION_ALPHABET) for _ in range(10))


def instance_key(definition: str, unit: str, period_key: str) -> str:
    """A cycle's identity: one per (definition, unit, period)."""
    return f"{definition}/{unit}/{period_key}"


@dataclass(frozen=True)
class Keys:
    installation: str

    def opening(self, definition: str, unit: str, period_key: str) -> str:
        return f"{self.installation}:{unit}:{instance_key(definition, unit, period_key)}:open"

    def step(self, cycle_key: str, unit: str, step: str) -> str:
        return f"{self.installation}:{unit}:{cycle_key}/{step}"

    def step_timer(self, cycle_key: str, unit: str, step: str, kind: str, number: int = 0) -> str:
        suffix = f":{number}" if number else ""
        return f"{self.step(cycle_key, unit, step)}:{kind}{suffix}"

    def request(self, cycle_key: str, unit: str, step: str, person: str, item: str = "") -> str:
        tail = f"/{item}" if item else ""
        return f"{self.step(cycle_key, unit, step)}/{person}{tail}"

    def message(self, subject_key: str, kind: str, person: str, number: int = 0) -> str:
        """An outbox key from the key of what the message is about (a request, a step...)."""
        suffix = f":{number}" if number else ""
        return f"{subject_key}:{kind}{suffix}:{person}"

    def meeting_uid(self, cycle_key: str, unit: str, step: str) -> str:
        return f"{cycle_key.replace('/', '.')}.{step}@{unit}.{self.installation}.lofte"

    def action(self, cycle_key: str, unit: str, step: str, field: str, row: str | int) -> str:
        return f"{self.step(cycle_key, unit, step)}/{field}[{row}]"

    def unit_message(self, unit: str, kind: str, stamp: str, person: str) -> str:
        return f"{self.installation}:{unit}:{kind}:{stamp}:{person}"
