"""`lofte demo`: a few simulated weeks of the example police area in a fresh SQLite database,
requests left open "now" (the demo's clock), their emails in `lofte-mail/`, and the web pages
served on http://127.0.0.1:8000 until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cli import arguments

DEMO_FILE = "lofte-demo.db"
DEMO_PERSON = "tove-lind"  # an EST reporter in Sala and Surahammar


def add_commands(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="prova Löfte: simulerade veckor, öppna förfrågningar och webbsidorna",
        description=(
            f"Skapar {DEMO_FILE} på nytt i den här mappen med exemplets polisområde, simulerar "
            "några veckor med svar, lämnar veckans förfrågningar öppna, skriver e-posten till "
            "lofte-mail/ och visar webbsidorna tills du trycker Ctrl-C."
        ),
    )
    demo.add_argument(
        "--from",
        dest="start",
        type=arguments.local_moment,
        metavar="DATUM",
        default=arguments.local_moment("2027-01-04T09:00"),
        help="första veckan (standard 2027-01-04)",
    )
    demo.add_argument("--weeks", type=arguments.bounded_int(1, 52), default=3, metavar="N")
    demo.add_argument("--port", type=arguments.bounded_int(1, 65535), default=8000, metavar="PORT")
    demo.add_argument("--no-serve", action="store_true", help="förbered bara; visa inga webbsidor")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    base_url = f"http://127.0.0.1:{args.port}"
    os.environ["LOFTE_BASE_URL"] = base_url  # the emails' links point at the demo
    os.environ.setdefault("LOFTE_DATA_KEY", Fernet.generate_key().decode())  # no key file
    for suffix in ("", "-wal", "-shm"):
        Path(DEMO_FILE + suffix).unlink(missing_ok=True)
    wired, now = _prepare(args.start, args.weeks)
    _print_start(wired, now, base_url)
    if not args.no_serve:
        _serve(wired, base_url, args.port)
    wired.close()
    return 0


def _prepare(start: datetime, weeks: int) -> tuple[Any, datetime]:
    from cli.wiring import connect
    from definitions.loader import load_packaged
    from workflow.drivers.simulation import Simulation
    from workflow.kernel.clock import VirtualClock

    clock = VirtualClock(start - timedelta(days=1))
    wired = connect(f"sqlite:///{DEMO_FILE}", clock=clock, create=True, durable=False)
    wired.engine.register(load_packaged(), actor="demo")
    dispatcher = wired.dispatcher()
    now = start + timedelta(weeks=weeks, hours=1)  # Monday 10:00: the new week's requests are open
    Simulation(
        wired.app, clock, response_rate=0.85, seed=7, after_moment=dispatcher.run_once
    ).run_until(now)
    dispatcher.run_once()
    return wired, now


def _print_start(wired: Any, now: datetime, base_url: str) -> None:
    from workflow.application.tasks import my_tasks
    from workflow.kernel import words

    tasks = my_tasks(wired.app, DEMO_PERSON)
    person = wired.app.directory().find(DEMO_PERSON)
    print(f"Demon är förberedd i {DEMO_FILE}; demons klocka står på {words.moment(now)}.")
    print("E-posten ligger som .eml-filer i lofte-mail/ (öppna dem i ett e-postprogram).")
    print(f"Webbsidorna:        {base_url}/")
    if tasks.open:
        print(f"En svarslänk:       {base_url}/svar/{tasks.open[0].token}")
    print(f"Logga in som:       {person.email if person else DEMO_PERSON} på {base_url}/logga-in")
    print("                    (inloggningslänken hamnar i lofte-mail/sign_in-*.eml)")
    print(f"Allmänheten:        {base_url}/publikt/")


def _serve(wired: Any, base_url: str, port: int) -> None:
    from cli.cmd_web import serve
    from storage.web_access import SqlWebAccess
    from web.factory import create_app

    app = create_app(wired.app, SqlWebAccess(wired.store.engine), base_url=base_url)
    dispatcher = wired.dispatcher()
    stop = threading.Event()

    def deliver() -> None:  # sign-in links and answers' follow-ups reach lofte-mail/
        while not stop.wait(2.0):
            dispatcher.run_once()

    threading.Thread(target=deliver, daemon=True, name="demo-delivery").start()
    try:
        serve(app, "127.0.0.1", port, 8)
    finally:
        stop.set()
