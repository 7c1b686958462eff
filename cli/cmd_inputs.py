"""`lofte submit` and `lofte status`: answering requests and seeing what is pending."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from cli import arguments
from cli.output import table
from cli.wiring import connect, link_secret
from notifications.formatting import moment, moment_with_year, outcome_text
from storage import queries
from workflow.errors import ConfigError


def add_commands(commands: Any) -> None:
    submit = commands.add_parser("submit", help="record an answer to an input request")
    submit.add_argument("request", type=arguments.positive_int, metavar="REQUEST_ID", nargs="?")
    submit.add_argument(
        "--as",
        dest="person",
        metavar="PERSON",
        help="the person answering (their id in the organisation)",
    )
    submit.add_argument(
        "--token",
        metavar="TOKEN",
        help="the token (or whole link) from an email, instead of REQUEST_ID and --as",
    )
    submit.add_argument("--file", type=Path, metavar="FILE", help="the answer as YAML or JSON")
    submit.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="one field (JSON values allowed); repeatable",
    )
    submit.add_argument("--database", metavar="URL")
    submit.set_defaults(handler=run_submit)

    status = commands.add_parser("status", help="open cycles, pending inputs, overdue")
    status.add_argument("--database", metavar="URL")
    status.add_argument("--person", metavar="PERSON", help="only this person's pending inputs")
    status.set_defaults(handler=run_status)


def read_answer(file: Path | None, values: list[str]) -> dict[str, Any]:
    """The answer from a file and/or FIELD=VALUE pairs; a clear error when unreadable."""
    answer: dict[str, Any] = {}
    if file is not None:
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"--file {file}: cannot read it ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"--file {file}: not valid YAML or JSON ({exc})") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"--file {file}: expected a mapping of field id to value")
        answer.update(loaded)
    for item in values:
        field, sep, raw = item.partition("=")
        if not sep or not field.strip():
            raise ConfigError(f"--set {item!r}: expected FIELD=VALUE")
        try:
            answer[field.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            answer[field.strip()] = raw
    if not answer:
        raise ConfigError("give the answer with --file FILE or --set FIELD=VALUE")
    return answer


def run_submit(args: argparse.Namespace) -> int:
    if args.token and (args.request or args.person):
        raise ConfigError("give either --token, or REQUEST_ID with --as PERSON, not both")
    if not args.token and not (args.request and args.person):
        raise ConfigError("say which request: REQUEST_ID with --as PERSON, or --token TOKEN")
    answer = read_answer(args.file, args.values)
    app = connect(args.database)
    if args.token:
        token = args.token.rsplit("/", 1)[-1]  # the whole link works too
        request = app.engine.submit_with_token(token, answer, link_secret())
    else:
        request = app.engine.submit(args.request, args.person, answer)
    late = " (efter tidsfristen)" if request.late else ""
    print(f"Svar på förfrågan {request.id} registrerat{late}.")
    with app.store.reading() as session:
        instance = queries.instance(session, request.instance_id)
    if instance is not None:
        print(
            f"{instance.definition_name} {instance.period_label}: steg {instance.state}, "
            f"{outcome_text(instance.outcome.value if instance.outcome else None)}"
        )
    return 0


def run_status(args: argparse.Namespace) -> int:
    app = connect(args.database)
    now = app.clock.now()
    with app.store.reading() as session:
        cycles = queries.open_cycles(session)
        waiting = queries.open_requests(session, args.person)
        done = queries.instances(session)
        counts = queries.timer_counts(session)
        due = queries.next_timer(session)
        outbox = queries.outbox_counts(session, by="status")
        incidents = queries.outbox(session, 20, "failed")
    print(f"Databas {app.url}, klockan {moment_with_year(now)}\n")
    print("Öppna cykler")
    print(
        table(
            ["Id", "Cykel", "Period", "Steg", "Steget klart senast"],
            [
                [
                    c.instance.id,
                    c.instance.definition_name,
                    c.instance.period_label,
                    c.instance.state,
                    moment(c.step.deadline_at) if c.step else "-",
                ]
                for c in cycles
            ],
        )
        if cycles
        else "  inga"
    )
    print("\nVäntande svar")
    rows = [
        [
            r.id,
            r.person_id,
            r.step_id,
            moment(r.deadline_at),
            "FÖRSENAD" if r.deadline_at < now else "",
        ]
        for r in waiting
    ]
    print(table(["Förfrågan", "Person", "Steg", "Svar senast", ""], rows) if rows else "  inga")
    closed = [i for i in done if i.outcome is not None][-10:]
    print("\nSenast avslutade")
    print(
        table(
            ["Id", "Cykel", "Period", "Utfall"],
            [
                [
                    i.id,
                    i.definition_name,
                    i.period_label,
                    outcome_text(i.outcome.value if i.outcome else None),
                ]
                for i in closed
            ],
        )
        if closed
        else "  inga"
    )
    if incidents:
        print("\nIncidenter (meddelanden som inte gick att skicka; `lofte outbox retry ID`)")
        print(
            table(
                ["Id", "Till", "Slag", "Försök", "Fel"],
                [
                    [m.id, m.recipient, m.kind.value, m.attempts, (m.last_error or "")[:70]]
                    for m in incidents
                ],
            )
        )
    overdue = sum(1 for r in waiting if r.deadline_at < now)
    print(
        f"\n{len(waiting)} väntande svar, varav {overdue} försenade. Timers: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + (f"; nästa {moment_with_year(due)}" if due else "")
        + ". Utkorg: "
        + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "tom")
    )
    return 0
