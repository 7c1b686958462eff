"""`lofte run` and `lofte simulate`."""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from lofte.cli import arguments


def add_commands(commands: Any) -> None:
    run = commands.add_parser("run", help="kör motorn i realtid tills den stoppas (Ctrl-C)")
    arguments.add_database(run)
    run.add_argument(
        "--tick",
        type=arguments.seconds,
        default=5.0,
        metavar="SEKUNDER",
        help="hur ofta motorn letar efter förfallna timers och e-post (standard 5)",
    )
    run.add_argument(
        "--exit-when-idle",
        action="store_true",
        help="gör det som förfallit och avsluta (för cron och tester)",
    )
    run.set_defaults(handler=run_engine)
    _add_simulate(commands)


def _add_simulate(commands: Any) -> None:
    sim = commands.add_parser(
        "simulate", help="kör veckor av cykler i virtuell tid med simulerade svar"
    )
    sim.add_argument(
        "--from",
        dest="start",
        required=True,
        type=arguments.local_moment,
        metavar="DATUM",
        help="start (svensk tid), t.ex. 2027-01-04",
    )
    sim.add_argument("--weeks", required=True, type=arguments.weeks, metavar="N")
    sim.add_argument(
        "--response-rate",
        type=arguments.rate,
        default=0.9,
        metavar="R",
        help="andel förfrågningar som besvaras, 0–1 (standard 0,9)",
    )
    sim.add_argument("--seed", type=int, default=1, metavar="S")
    sim.add_argument(
        "--database",
        metavar="URL",
        help="spara resultatet i denna databas (standard: en tillfällig)",
    )
    sim.add_argument(
        "--definitions",
        metavar="MAPP",
        type=Path,
        action="append",
        default=[],
        help="läs in denna uppsättning (standard: databasens egen, eller exemplet i en ny databas)",
    )
    _add_mail_options(sim)
    sim.add_argument(
        "--processes",
        type=arguments.bounded_int(1, 64),
        metavar="N",
        help="dela polisområdena mellan N processer (standard: en per kärna, högst två, när "
        "resultatet blir detsamma som i en process: ingen --database och ingen "
        "dagssammanfattning)",
    )
    sim.add_argument("--json", action="store_true", help="skriv sammanfattningen som JSON")
    sim.set_defaults(handler=run_simulate)


def _add_mail_options(sim: Any) -> None:
    """How a simulation's email is rendered, written and sent."""
    sim.add_argument("--no-mail", action="store_true", help="rendera e-posten men skriv den inte")
    sim.add_argument(
        "--inline-delivery",
        action="store_true",
        help="skicka e-posten i samma process som simuleringen (standard: en egen process, "
        "utom när någon vill ha dagssammanfattning)",
    )
    sim.add_argument(
        "--deliver-every",
        type=arguments.bounded_int(0, 1440),
        default=5,
        metavar="MINUTER",
        help="skicka e-post som ett utskick var N:e minut skulle (standard 5; 0 = efter varje "
        "händelse)",
    )


def run_engine(args: argparse.Namespace) -> int:
    from lofte.cli.stopping import report_stop
    from lofte.cli.wiring import connect
    from lofte.kernel import words
    from lofte.kernel.stopping import StopSignal
    from lofte.workflow.application.operations import Heartbeat
    from lofte.workflow.application.texts import TIMER_KIND
    from lofte.workflow.core.records import Timer
    from lofte.workflow.drivers.loop import EngineLoop

    wired = connect(args.database)
    stop = StopSignal()  # SIGTERM, Ctrl-C: see workflow.drivers.loop
    dispatcher = wired.dispatcher(stop=stop)
    # For /readyz and /metrics: written at most every 30 s, also during a long catch-up.
    heartbeat = Heartbeat(wired.store, wired.clock, wired.engine.engine_id)

    def report(timer: Timer) -> None:
        heartbeat.beat()
        when = words.moment(timer.fired_at) if timer.fired_at else ""
        kind = TIMER_KIND.get(timer.kind.value, timer.kind.value)
        print(f"timer {when} {kind} {timer.key}: {timer.note}", flush=True)

    print(
        f"Löfte kör mot {wired.url} (motor {wired.engine.engine_id}); stoppa med Ctrl-C "
        "eller SIGTERM.",
        flush=True,
    )
    from lofte.cli.memory import freeze_start_up

    freeze_start_up()
    from lofte.cli.cmd_inbox import inbox_job

    inbox = inbox_job(wired.app, stop)  # with LOFTE_IMAP_HOST: replies read beside the engine
    in_time = EngineLoop(
        wired.engine,
        tick_seconds=args.tick,
        deliver=lambda: _deliver(dispatcher),
        on_fired=report,
        exit_when_idle=args.exit_when_idle,
        heartbeat=heartbeat.beat,
        stop=stop,
        inbox=inbox,
        inbox_seconds=inbox.seconds if inbox else 60.0,
    ).run()
    if stop.is_set():
        report_stop(wired, stop, in_time=in_time)
    return 0


def _deliver(dispatcher: Any) -> int:
    """One pass of the outbox, told on a line when it did something; how much it did."""
    done = dispatcher.run_once()
    if done.sent or done.failed_attempts or done.digests or done.expired:
        print(
            f"utkorg: {done.sent} skickade, {done.failed_attempts} misslyckade försök, "
            f"{done.incidents} incidenter, {done.expired} för sena, "
            f"{done.digests} sammanställningar",
            flush=True,
        )
    return int(done.sent + done.held + done.digests + done.expired)


def run_simulate(args: argparse.Namespace) -> int:
    from lofte.cli.simulate_output import print_simulation
    from lofte.definitions.loader import load_bundle

    given = load_bundle(args.definitions) if args.definitions else None
    from lofte.cli.simulate_parallel import processes_for, run_parts

    processes = processes_for(args, given)
    if given is not None and processes > 1:
        return run_parts(args, given, processes)

    def show(wired: Any, result: Any, delivery: _Delivery) -> None:
        if args.json:
            print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        else:
            print_simulation(wired, result, args, None if args.no_mail else delivery.mail_dir)

    return simulate_failed(simulate_in(args, given, show))


def simulate_failed(problems: dict[str, int]) -> int:
    if problems:
        from lofte.cli.output import fail

        lines = "\n  ".join(f"{reason} ({n} meddelanden)" for reason, n in problems.items())
        return fail(f"e-post kunde inte skapas eller skickas:\n  {lines}")
    return 0


def simulate_in(args: argparse.Namespace, given: Any, show: Any) -> dict[str, int]:
    """Simulate in this process (its email in a worker beside it); `show(wired, result,
    delivery)` before the database goes; the email that could not be made, by reason."""
    from lofte.cli.wiring import connect
    from lofte.definitions.loader import load_packaged
    from lofte.kernel.clock import VirtualClock
    from lofte.workflow.drivers.simulation import Simulation

    end = args.start + timedelta(weeks=args.weeks)
    with tempfile.TemporaryDirectory(prefix="lofte-sim-") as folder:
        url = args.database or f"sqlite:///{folder}/simulation.db"
        clock = VirtualClock(args.start)
        durable = args.database is not None  # else a database of this run alone, deleted after
        wired = connect(url, clock=clock, create=True, durable=durable, throw_away=not durable)
        # Like `lofte init`: a database that holds a setup keeps it unless one is given.
        if given is not None or not wired.has_setup():
            wired.engine.register(given or load_packaged(), actor="simulate")
        mail_dir = Path(folder) / "mail" if args.no_mail else None
        # A daily digest lists a person's open requests as they are when it is written, so
        # with digests in the setup delivery keeps step with the engine, in this process.
        inline = args.inline_delivery or bool(wired.app.directory().digest_people)
        delivery = _Delivery(wired, mail_dir, inline=inline)
        simulation = Simulation(
            wired.app,
            clock,
            response_rate=args.response_rate,
            seed=args.seed,
            after_moment=delivery.after_moment,
            deliver_every=timedelta(minutes=args.deliver_every),
        )
        from lofte.cli.memory import freeze_start_up

        freeze_start_up()
        try:
            result = simulation.run_until(end)
        except BaseException:  # Ctrl-C or an error: stop delivering, say why
            delivery.stop()
            raise
        problems = delivery.finish()
        show(wired, result, delivery)
        wired.close()
    return problems


WORKER_LEASE = timedelta(days=3650)  # the worker is this dispatcher's own: nobody else claims
# Only the worker's failures can make an outage here (the dispatcher is exclusive): each one
# brings a look at once, and while an outage is open it is looked at every quarter of an hour,
# so its alert (after an hour of failures) comes at most a quarter of an hour late.
WORKER_OUTAGE_CHECK = timedelta(minutes=15)


class _Delivery:
    """The simulation's email: claimed and recorded here, rendered and sent in a worker
    process beside it (the default), or all of it inline."""

    def __init__(self, wired: Any, mail_dir: Path | None, *, inline: bool) -> None:
        from lofte.cli.delivery_worker import DeliveryWorker
        from lofte.notifications.config import mail_settings
        from lofte.notifications.dispatcher import DispatchReport

        self.clock = wired.clock
        self.worker = None if inline else DeliveryWorker(mail_dir)
        # The simulation's dispatcher is the only one that sends from its database.
        if self.worker is None:
            self.dispatcher = wired.dispatcher(mail_dir, exclusive=True)
        else:
            # What it hands over stays claimed until its result is recorded, however far
            # virtual time moves meanwhile: no lease runs out under the worker.
            self.dispatcher = wired.dispatcher(
                mail_dir,
                hand_off=self.worker.send,
                lease=WORKER_LEASE,
                outage_check_every=WORKER_OUTAGE_CHECK,
                exclusive=True,
            )
            self.worker.start(self.dispatcher.answer_secret())
        self.report = DispatchReport()
        self.mail_dir = mail_dir or mail_settings().mail_dir
        self.store = wired.store
        self.queued_at_last_run = -1  # the store's count of queued messages at the last run

    def after_moment(self) -> None:
        if self.worker is not None:
            self.worker.collect(self._record)
        queued = self.store.writes().messages_queued  # the engine writes through this store
        report = self.dispatcher.run_once(anything_new=queued != self.queued_at_last_run)
        self.queued_at_last_run = queued
        self.report.permanent_failures += report.permanent_failures

    def finish(self) -> dict[str, int]:
        if self.worker is not None:
            self.worker.finish(self._record)
        problems: dict[str, int] = {}
        for reason in self.report.permanent_failures:
            problems[reason] = problems.get(reason, 0) + 1
        return problems

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def _record(self, results: list[Any]) -> None:
        self.dispatcher.record_all([(r, r.moment) for r in results], self.report)
