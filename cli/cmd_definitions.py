"""`lofte definitions validate|show`: check definition files, see their machines."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from definitions.loader import load_bundle
from workflow.errors import NotFound
from workflow.machines import mermaid_diagram


def add_commands(commands: Any) -> None:
    group = commands.add_parser("definitions", help="check and show cycle definitions")
    sub = group.add_subparsers(dest="definitions_command", required=True, parser_class=type(group))
    validate = sub.add_parser("validate", help="check files (exit 0 if all valid)")
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: the packaged definitions)",
    )
    validate.set_defaults(handler=run_validate)
    show = sub.add_parser("show", help="states, transitions and a Mermaid diagram")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--definitions", metavar="PATH", type=Path, action="append", default=[])
    show.set_defaults(handler=run_show)


def run_validate(args: argparse.Namespace) -> int:
    bundle = load_bundle(args.paths)
    for source in bundle.definitions:
        definition = source.definition
        print(
            f"ok  {source.file}: {definition.name} ({definition.title}), every "
            f"{definition.cadence.every}, {len(definition.steps)} steps"
        )
    org = bundle.organisation
    print(
        f"ok  {org.file}: {len(org.organisation.people)} people, "
        f"{len(org.organisation.roles)} roles"
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    bundle = load_bundle(args.definitions)
    try:
        definition = bundle.definition(args.name)
    except KeyError:
        names = ", ".join(s.definition.name for s in bundle.definitions)
        raise NotFound("definition", f"{args.name} (known: {names})") from None
    cadence = definition.cadence
    print(f"{definition.title} ({definition.name})")
    print(
        f"  cadence: from {cadence.anchor:%Y-%m-%d %H:%M} every {cadence.every} "
        f"({definition.timezone}), opening rule {cadence.opening_rule}"
    )
    print(f"  chair: {definition.chair_role}\n\nStates")
    for step in definition.steps:
        who = (
            step.decided_by
            or ", ".join(step.responsible)
            or (
                f"owners in {step.requests_from.definition}.{step.requests_from.step}"
                if step.requests_from
                else "-"
            )
        )
        print(f"  {step.id}: {step.title}")
        print(
            f"    asks: {who}; advances on {step.advance.value}; deadline +{step.deadline} "
            f"({step.deadline_rule}); reminders {', '.join(map(str, step.reminders)) or '-'}; "
            f"escalation {step.escalation.role if step.escalation else '-'}; "
            f"late answers for {step.accept_late_for}"
        )
        for spec in step.fields:
            flag = " SENSITIVE" if spec.sensitive else ""
            print(
                f"    - {spec.id} ({spec.type.value}{'' if spec.required else ', optional'})"
                f"{flag}: {spec.label}"
            )
    print("  completed, closed_incomplete: end states\n\nTransitions")
    for t in definition.transitions:
        print(f"  {t.source} --{t.event.value}--> {t.dest}")
    print("\nMermaid\n" + mermaid_diagram(definition))
    return 0
