"""`lofte show` as text: every answer in full (long texts wrapped, never cut)."""

from __future__ import annotations

import textwrap
from typing import Any

from lofte.kernel import words
from lofte.workflow.application.show import ShownCycle

INDENT = "      "


def print_cycle(shown: ShownCycle) -> None:
    instance, definition = shown.instance, shown.definition
    print(
        f"{definition.title.sv} {instance.period_label}, {shown.unit.name} "
        f"(cykel {instance.id}, definition v{instance.definition_version}): {shown.state}"
    )
    for meeting in shown.meetings:
        status = "inställt" if meeting.cancelled else words.moment(meeting.starts_at)
        name = definition.meeting_name(definition.step(meeting.step_id))
        print(f"  möte {name}: {status}, {meeting.location}")
    if shown.content_hidden:
        print("  (innehåll som bara en part får se visas inte)")
    for step in shown.steps:
        if not step.requests:
            continue
        spec = definition.step(step.id)
        decided = f" ({definition.decision_name(spec)})" if spec.records_decision else ""
        print(f"\n  {step.title}{decided}")
        for item in step.requests:
            about = f" – {item.about}" if item.about else ""
            late = " (sent)" if item.request.late else ""
            print(f"    [{item.request.id}] {item.person_name}{about}: {item.status}{late}")
            for shown_field in item.fields:
                _print_field(shown_field, INDENT)
            for label, value in item.sensitive:
                _print_text(label, value, INDENT)


def _print_field(shown: dict[str, Any], indent: str) -> None:
    label = shown["label"]["sv"]
    if "rows" in shown:
        print(f"{indent}{label}:")
        for number, row in enumerate(shown["rows"], start=1):
            print(f"{indent}  {number}.")
            for cell in row:
                _print_field(cell, indent + "     ")
        return
    _print_text(label, shown["value"]["sv"], indent)


def _print_text(label: str, value: str, indent: str) -> None:
    lines = str(value).splitlines() or [""]
    wrapped = [w for line in lines for w in (textwrap.wrap(line, 90) or [""])]
    print(f"{indent}{label}: {wrapped[0]}")
    for line in wrapped[1:]:
        print(f"{indent}  {line}")
