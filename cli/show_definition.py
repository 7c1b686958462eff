"""`lofte definitions show`: a definition as an administrator reads it."""

from __future__ import annotations

from definitions.cycle import CycleDefinition, events_of
from definitions.fields import RowsField
from workflow.application.definition_view import KIND_TEXT, UNIT_KIND, who
from workflow.core.machines import mermaid_diagram


def print_definition(definition: CycleDefinition) -> None:
    cadence = definition.cadence
    print(f"{definition.title.sv} ({definition.name}), gäller {UNIT_KIND[definition.applies_to]}")
    print(
        f"  öppnas från {cadence.anchor:%Y-%m-%d kl. %H.%M} var {cadence.every} "
        f"({definition.timezone}); öppning på helgdag: {cadence.opening_rule}"
    )
    print(f"  ordförande: {definition.chair_role}")
    if definition.restricted_to_party:
        print(f"  innehållet visas bara för: {definition.restricted_to_party}")
    print("\nSteg (lägen)")
    for step in definition.steps:
        print(f"  {step.id}: {step.title.sv} [{KIND_TEXT[step.kind]}]")
        print(
            f"    frågar: {who(step)}; tidsfrist +{step.deadline} ({step.deadline_rule}); "
            f"påminnelser {', '.join(map(str, step.reminders)) or '-'}; "
            f"eskalering {step.escalation.role if step.escalation else '-'}; "
            f"sena svar tas emot {step.accept_late_for}"
        )
        if step.meeting is not None:
            m = step.meeting
            print(
                f"    möte: +{m.starts} i {m.length} ({m.location or 'enhetens mötesplats'}); "
                f"deltagare {', '.join(m.participants) or who(step)}"
            )
        for spec in step.fields:
            flags = []
            if not spec.required:
                flags.append("frivilligt")
            if spec.sensitive:
                flags.append(f"SKYDDAT, visas för {', '.join(spec.visible_to)}")
            if spec.publish:
                flags.append("publiceras")
            extra = f" ({', '.join(flags)})" if flags else ""
            print(f"    - {spec.id} [{spec.type}]{extra}: {spec.label.sv}")
            if isinstance(spec, RowsField):
                for column in spec.columns:
                    print(f"        · {column.id} [{column.type}]: {column.label.sv}")
        print(f"    lämnas vid: {', '.join(sorted(e.value for e in events_of(step)))}")
    print("  completed, closed_incomplete: slutlägen\n\nÖvergångar")
    for t in definition.transitions:
        print(f"  {t.source} --{t.event.value}--> {t.dest}")
    print("\nMermaid\n" + mermaid_diagram(definition))
