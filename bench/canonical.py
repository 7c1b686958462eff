"""The canonical cycle the benchmarks measure: open, five input requests with their emails,
answers (three, a reminder to the other two, two more), a decision that assigns an action,
and the follow-up of that action: nine durable steps, each its own unit of work with its state
read back from the database."""

from __future__ import annotations

from pathlib import Path

PEOPLE = ["anna", "bo", "cecilia", "david", "eva"]

DEFINITION = """
format: 1
name: bench
applies_to: municipality
title: Mätcykel
cadence: {anchor: 2027-01-04T09:00, every: P1W, period_key: iso_week}
# The names of people who left are kept past the years the bench spans: the canonical cycle's
# steps are measured, not the retention's (a timer two years after each close).
retention: P50Y
chair_role: ordforande
steps:
  - id: underlag
    kind: inputs
    title: Lämna underlag
    responsible: [rapportor]
    deadline: P2D
    reminders: [P1D]
    accept_late_for: P1D
    fields:
      - {id: iakttagelse, type: text, label: Iakttagelse}
      - {id: antal, type: number, label: Antal, minimum: 0}
  - id: beslut
    kind: decision
    title: Besluta
    decided_by: ordforande
    deadline: P4D
    accept_late_for: P1D
    creates_actions: [{field: insatser, kind: insats, what: insats, owner: ansvarig}]
    fields:
      - {id: motivering, type: text, label: Motivering}
      - id: insatser
        type: rows
        label: Insatser
        columns:
          - {id: insats, type: text, label: Insats}
          - {id: ansvarig, type: person, label: Ansvarig}
  - id: uppfoljning
    kind: follow_up
    title: Följ upp
    follows_up: [insats]
    deadline: P6D
    fields:
      - id: status
        type: choice
        label: Status
        options: [genomford, pagar]
      - {id: effekt, type: text, label: Effekt, required: false}
transitions:
  - {from: underlag, event: inputs_complete, to: beslut}
  - {from: underlag, event: expired, to: beslut}
  - {from: beslut, event: decided, to: uppfoljning}
  - {from: beslut, event: expired, to: closed_incomplete}
  - {from: uppfoljning, event: inputs_complete, to: completed}
  - {from: uppfoljning, event: expired, to: closed_incomplete}
"""


def organisation(units: int = 1) -> str:
    people = [
        f"  - {{id: {name}-{u}, name: {name.title()} {u}, email: {name}.{u}@example.se, "
        f"party: kommun, roles: {{m{u}: [rapportor]}}}}"
        for u in range(units)
        for name in PEOPLE
    ]
    chairs = [
        f"  - {{id: chair-{u}, name: Ordförande {u}, email: chair.{u}@example.se, "
        f"party: kommun, roles: {{m{u}: [ordforande]}}}}"
        for u in range(units)
    ]
    municipalities = ", ".join(f"{{id: m{u}, name: Kommun {u}}}" for u in range(units))
    return f"""format: 1
name: Mätning
coordinators: {{municipality: ordforande, police_area: ordforande}}
parties: [{{id: kommun, title: Kommunen}}]
roles:
  - {{id: rapportor, title: Rapportör, party: kommun}}
  - {{id: ordforande, title: Ordförande, party: kommun, held_in: any}}
police_areas:
  - id: lpo
    name: LPO
    municipalities: [{municipalities}]
people:
{chr(10).join(people + chairs)}
"""


def write(folder: Path, units: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.yaml").write_text(DEFINITION, encoding="utf-8")
    (folder / "organisation.yaml").write_text(organisation(units), encoding="utf-8")
    return folder
