"""`lofte audit` and `lofte show`: what auditors and staff check afterwards."""

from __future__ import annotations

import argparse
from typing import Any

from cli import arguments
from cli.output import table
from cli.wiring import connect
from definitions.schema import CycleDefinition, Organisation
from notifications.formatting import STATUS, moment_with_year, outcome_text
from storage import queries
from storage.sql_store import SqlStore
from workflow.cadence import first_period_after, period
from workflow.catalog import Catalog
from workflow.errors import NotFound
from workflow.records import CycleInstance

HIDDEN = "[skyddad uppgift]"


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="did every cycle run and complete? (auditors)")
    audit.add_argument("--database", metavar="URL")
    audit.add_argument("--cycle", metavar="NAME", help="only this definition")
    audit.add_argument(
        "--instance",
        type=arguments.positive_int,
        metavar="ID",
        help="the full audit log of one cycle",
    )
    audit.set_defaults(handler=run_audit)

    show = commands.add_parser("show", help="one cycle: steps, requests and answers")
    show.add_argument("instance", type=arguments.positive_int, metavar="ID")
    show.add_argument(
        "--as",
        dest="viewer",
        metavar="PERSON",
        help="show sensitive fields only if PERSON's roles may see them",
    )
    show.add_argument("--database", metavar="URL")
    show.set_defaults(handler=run_show)


def run_audit(args: argparse.Namespace) -> int:
    app = connect(args.database)
    with app.store.reading() as session:
        if args.instance:
            events = queries.audit_events(session, args.instance)
            if not events:
                raise NotFound("cycle instance", args.instance)
            print(
                table(
                    ["Tid", "Händelse", "Från", "Till", "Av", "Version", "Detaljer"],
                    [
                        [
                            moment_with_year(e.at),
                            e.event,
                            e.from_state or "",
                            e.to_state or "",
                            e.actor,
                            e.definition_version,
                            _brief(e.detail),
                        ]
                        for e in events
                    ],
                )
            )
            return 0
        all_instances = queries.instances(session, args.cycle)
        done = queries.completions(session)
    rows = []
    for instance in all_instances:
        record = done.get(instance.id or 0)
        rows.append(
            [
                instance.id,
                instance.definition_name,
                f"v{instance.definition_version}",
                instance.period_key,
                moment_with_year(instance.opened_at),
                moment_with_year(instance.closed_at) if instance.closed_at else "-",
                outcome_text(instance.outcome.value if instance.outcome else None),
                ", ".join(f"{m['person_name']} ({m['step']})" for m in record.missing)
                if record
                else "",
            ]
        )
    print(
        table(["Id", "Cykel", "Def.", "Period", "Öppnad", "Stängd", "Utfall", "Saknade svar"], rows)
        if rows
        else "Inga cykler har körts ännu."
    )
    gaps = _gaps(app.store, app.engine.catalog, all_instances)
    print("\nPerioder utan cykel: " + (", ".join(gaps) if gaps else "inga"))
    return 0


def _gaps(store: SqlStore, catalog: Catalog, instances: list[CycleInstance]) -> list[str]:
    """Periods between a definition's first and last cycle for which no cycle was opened."""
    gaps = []
    names = sorted({i.definition_name for i in instances})
    with store.transaction() as tx:
        for name in names:
            runs = [i for i in instances if i.definition_name == name]
            definition = catalog.definition(tx, name, runs[-1].definition_version)
            keys = {i.period_key for i in runs}
            current = first_period_after(definition, runs[0].period_start)
            while current.starts_at <= runs[-1].period_start:
                if current.key not in keys:
                    gaps.append(f"{name} {current.key}")
                current = period(definition, current.index + 1)
    return gaps


def run_show(args: argparse.Namespace) -> int:
    app = connect(args.database)
    catalog = app.engine.catalog
    with app.store.transaction() as tx:
        instance = tx.instance(args.instance)
        definition = catalog.definition(tx, instance.definition_name, instance.definition_version)
        organisation, _ = catalog.organisation(tx)
    if args.viewer and organisation.find(args.viewer) is None:
        raise NotFound("person", args.viewer)
    with app.store.reading() as session:
        requests = queries.requests_for_instance(session, args.instance)
        answers = {s.request_id: s for s in queries.submissions(session, args.instance)}
    print(
        f"{definition.title} {instance.period_label} (cykel {instance.id}, definition "
        f"v{instance.definition_version}): {instance.state}, "
        f"{outcome_text(instance.outcome.value if instance.outcome else None)}"
    )
    for request in requests:
        name = organisation.name_of(request.person_id)
        print(
            f"\n[{request.id}] {request.step_id} – {name}: {STATUS[request.status.value]}"
            + (" (sent)" if request.late else "")
        )
        if request.subject:
            print(f"    gäller: {_brief(request.subject.get('values', {}))}")
        submission = answers.get(request.id or 0)
        if submission is None:
            continue
        for key, value in submission.data.items():
            print(f"    {key}: {_brief(value)}")
        visible = _may_see(definition, organisation, args.viewer, request.step_id)
        for key, value in submission.sensitive_data.items():
            print(f"    {key}: {_brief(value) if key in visible else HIDDEN}")
    return 0


def _may_see(
    definition: CycleDefinition, organisation: Organisation, viewer: str | None, step_id: str
) -> set[str]:
    if viewer is None:
        return set()
    roles = set(organisation.person(viewer).roles)
    return {
        f.id for f in definition.step(step_id).fields if f.sensitive and roles & set(f.visible_to)
    }


def _brief(value: Any, limit: int = 80) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_brief(v, 30)}" for k, v in value.items())
    elif isinstance(value, list):
        text = "; ".join(_brief(v, 60) for v in value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
