"""`lofte init`, `lofte run` and `lofte simulate`."""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from cli import arguments
from cli.output import table
from cli.wiring import App, connect
from definitions.loader import load_bundle
from notifications.formatting import moment_with_year, outcome_text
from storage import queries
from workflow.clock import VirtualClock
from workflow.records import Timer
from workflow.runner import EngineLoop
from workflow.simulation import Simulation, SimulationReport


def add_commands(commands: Any) -> None:
    init = commands.add_parser("init", help="create or update the database, load definitions")
    init.add_argument("--database", metavar="URL", help="default: LOFTE_DATABASE_URL or ./lofte.db")
    init.add_argument(
        "--definitions",
        metavar="PATH",
        type=Path,
        action="append",
        default=[],
        help="definition files or folders (default: the packaged examples)",
    )
    init.set_defaults(handler=run_init)

    run = commands.add_parser("run", help="run the engine in real time until stopped")
    run.add_argument("--database", metavar="URL")
    run.add_argument(
        "--tick",
        type=arguments.seconds,
        default=5.0,
        metavar="SECONDS",
        help="how often to look for due timers (default 5)",
    )
    run.add_argument(
        "--exit-when-idle",
        action="store_true",
        help="fire what is due, then exit (for cron-style use and tests)",
    )
    run.set_defaults(handler=run_engine)

    sim = commands.add_parser("simulate", help="run weeks of cycles in virtual time")
    sim.add_argument(
        "--from",
        dest="start",
        required=True,
        type=arguments.local_moment,
        metavar="DATE",
        help="start (Stockholm time), e.g. 2027-01-04",
    )
    sim.add_argument("--weeks", required=True, type=arguments.weeks, metavar="N")
    sim.add_argument(
        "--response-rate",
        type=arguments.rate,
        default=0.9,
        metavar="R",
        help="share of requests people answer, 0..1 (default 0.9)",
    )
    sim.add_argument("--seed", type=int, default=1, metavar="S")
    sim.add_argument(
        "--database",
        metavar="URL",
        help="keep the result in this database (default: a throw-away one)",
    )
    sim.add_argument("--definitions", metavar="PATH", type=Path, action="append", default=[])
    sim.add_argument("--json", action="store_true", help="print the summary as JSON")
    sim.set_defaults(handler=run_simulate)


def run_init(args: argparse.Namespace) -> int:
    # Fails before anything touches the database. Given folders are the whole set.
    bundle = load_bundle(args.definitions, use_packaged=not args.definitions)
    app = connect(args.database, create=True)
    changes = app.engine.register(bundle)
    print(f"Databas: {app.url}")
    for line in changes or ["inga ändringar (definitionerna är redan inlästa)"]:
        print(f"  {line}")
    with app.store.reading() as session:
        due = queries.next_timer(session)
    if due is not None:
        print(f"Nästa händelse: {moment_with_year(due)}. Starta motorn med `lofte run`.")
    return 0


def run_engine(args: argparse.Namespace) -> int:
    app = connect(args.database)

    def report(timer: Timer) -> None:
        print(
            f"{timer.fired_at:%Y-%m-%dT%H:%M:%S%z} {timer.kind.value} {timer.key}: {timer.note}",
            flush=True,
        )

    print(f"Löfte kör mot {app.url} (motor {app.engine.engine_id}); stoppa med Ctrl-C.", flush=True)
    dispatcher = app.dispatcher()

    def deliver() -> int:
        done = dispatcher.run_once()
        if done.sent or done.failed_attempts or done.digests:
            print(
                f"utkorg: {done.sent} skickade, {done.failed_attempts} misslyckade försök, "
                f"{done.incidents} incidenter, {done.digests} sammanställningar",
                flush=True,
            )
        return done.sent + done.held + done.digests

    EngineLoop(
        app.engine,
        tick_seconds=args.tick,
        on_fired=report,
        exit_when_idle=args.exit_when_idle,
        after_timers=deliver,
    ).run()
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    bundle = load_bundle(args.definitions, use_packaged=not args.definitions)
    end = args.start + timedelta(weeks=args.weeks)
    with tempfile.TemporaryDirectory(prefix="lofte-sim-") as folder:
        url = args.database or f"sqlite:///{folder}/simulation.db"
        clock = VirtualClock(args.start)
        app = connect(url, clock=clock, create=True, durable=args.database is not None)
        app.engine.register(bundle)
        # A kept simulation delivers its emails (as .eml files unless SMTP is configured);
        # a throw-away one only counts them: its database and mail would vanish anyway.
        dispatcher = app.dispatcher()
        simulation = Simulation(
            app.engine,
            clock,
            response_rate=args.response_rate,
            seed=args.seed,
            after_step=dispatcher.run_once if args.database else lambda: None,
        )
        result = simulation.run_until(end)
        if args.json:
            print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        else:
            _print_simulation(app, result, args)
            if args.database:
                print(
                    f"E-posten ligger som .eml-filer i {dispatcher.settings.mail_dir}/ "
                    "(öppna dem i valfritt e-postprogram); `lofte outbox list` visar vart "
                    "varje meddelande gick."
                )
        app.store.engine.dispose()
    return 0


def _print_simulation(app: App, result: SimulationReport, args: argparse.Namespace) -> None:
    print(
        f"Simulering {moment_with_year(result.start)} – {moment_with_year(result.end)}: "
        f"{args.weeks} veckor, svarsfrekvens {args.response_rate:.0%}, seed {args.seed}\n"
    )
    with app.store.reading() as session:
        done = queries.completions(session)
        rows = []
        for instance in queries.instances(session):
            record = done.get(instance.id or 0)
            missing = ", ".join(m["person_name"] for m in record.missing) if record else ""
            rows.append(
                [
                    instance.definition_name,
                    instance.period_label,
                    moment_with_year(instance.opened_at),
                    outcome_text(instance.outcome.value if instance.outcome else None),
                    missing or "-",
                ]
            )
        sent = queries.outbox_counts(session)
    print(table(["Cykel", "Period", "Öppnad", "Utfall", "Saknade svar från"], rows))
    print()
    summary = [
        [
            name,
            c["opened"],
            c["completed_on_time"],
            c["completed_late"],
            c["closed_incomplete"],
            c["still_open"],
        ]
        for name, c in result.as_dict()["definitions"].items()
    ]
    print(table(["Definition", "Öppnade", "I tid", "Sent", "Ofullständiga", "Pågår"], summary))
    print(
        f"\n{result.timers_fired} timers, {result.answers} svar "
        f"({result.answers_refused} för sent för att tas emot), "
        f"{sum(sent.values())} meddelanden i utkorgen: "
        + ", ".join(f"{k} {v}" for k, v in sorted(sent.items()))
    )
    if args.database:
        print(
            f"\nResultatet finns kvar i {app.url}: prova "
            f"`lofte status --database {app.url}` och `lofte audit --database {app.url}`."
        )
