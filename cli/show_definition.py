"""`lofte definitions show`: a definition as an administrator reads it, in Swedish words
(durations, rules, events), with the identifiers named as such for editing the files."""

from __future__ import annotations

from lofte.definitions.cycle import TERMINAL_STATES, CycleDefinition
from lofte.definitions.fields import AnyField
from lofte.definitions.steps import AnyStep
from lofte.kernel import words
from lofte.workflow.application import definition_words as dw
from lofte.workflow.application.mermaid_diagram import mermaid


def print_definition(definition: CycleDefinition, role_title: dw.RoleTitle) -> None:
    d = definition
    print(f"{d.title.sv} (definitions-id {d.name}), gäller {dw.unit_kind_text(d.applies_to)}")
    if d.description.sv:
        print(f"  {d.description.sv}")
    print(f"  Öppnas {dw.cadence_text(d)} (svensk tid)")
    print(f"  En öppning {dw.rule_text(d.cadence.opening_rule)}")
    print(f"  Ordförande: {role_title(d.chair_role)}")
    if d.restricted_to_party:
        print(f"  Innehållet visas bara för: {d.restricted_to_party}")
    print("\nSteg")
    for number, step in enumerate(d.steps, 1):
        _print_step(d, number, step, role_title)
    ends = ", ".join(dw.state_name(d, s) for s in TERMINAL_STATES)
    print(f"Slutlägen: {ends}\n\nÖvergångar")
    for t in d.transitions:
        print(
            f"  {dw.state_name(d, t.source)} → {dw.state_name(d, t.dest)} "
            f"när {dw.event_text(t.event)}"
        )
    print("\nMermaid\n" + mermaid(d))


def _print_step(d: CycleDefinition, number: int, step: AnyStep, role_title: dw.RoleTitle) -> None:
    print(f"  {number}. {step.title.sv} (steg-id {step.id}): {dw.kind_text(step)}")
    print(f"     Frågar: {dw.who(step, role_title)}")
    for line in dw.timing_lines(step, role_title):
        print(f"     {line}")
    if step.meeting is not None:
        m = step.meeting
        where = m.location or "enhetens mötesplats"
        participants = ", ".join(role_title(r) for r in m.participants) or dw.who(step, role_title)
        print(
            f"     Möte: {d.meeting_name(step)}, {dw.after_opening(m.starts)}, "
            f"{words.duration(m.length)}, {where} ({dw.rule_text(m.rule)}); "
            f"deltagare: {participants}"
        )
    if step.decision is not None or step.records_decision:
        print(f"     Beslutet heter: {d.decision_name(step)}")
    if step.publication is not None:
        print(f"     Publiceras som: {d.publication_name(step)}")
    print("     Fält:")
    for spec in step.fields:
        print(f"       - {_field(spec, role_title)}")
        for column in dw.columns_of(spec):
            print(f"           · {_field(column, role_title)}")


def _field(spec: AnyField, role_title: dw.RoleTitle) -> str:
    flags = [dw.field_type_text(spec)]
    if not spec.required or spec.type == "boolean":
        flags.append("frivilligt")
    if spec.sensitive:
        flags.append("SKYDDAT, visas för " + ", ".join(role_title(r) for r in spec.visible_to))
    if spec.publish:
        flags.append("publiceras")
    choices = dw.choices_text(spec)
    options = f"; alternativ: {choices}" if choices else ""
    return f"{spec.label.sv} (fält-id {spec.id}; {', '.join(flags)}{options})"
