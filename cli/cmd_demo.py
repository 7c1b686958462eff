"""`lofte demo`: a few simulated weeks of the example police area in a fresh SQLite database,
requests left open "now" (the demo's clock), their emails in `lofte-mail/`, and the web pages
served on http://127.0.0.1:8000 until Ctrl-C.

The demo's clock is a clock file (`lofte-demo.clock`): it reads the simulated Monday when the
demo is made and moves on with the real clock, so sign-in links expire and rate limits reset
while the pages are served. The demo prints the commands that look at its database with that
clock and its key file: a new user copies them, and `lofte status` in the same folder keeps
meaning `./lofte.db` (a command that quietly picked another database would surprise an
administrator far more than a demo user is helped by it)."""

from __future__ import annotations

import argparse
import os
import shlex
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lofte.cli import arguments

DEMO_FILE = "lofte-demo.db"
CLOCK_FILE = "lofte-demo.clock"
KEY_FILE = "lofte-demo.key"
AUDIT_KEY_FILE = "lofte-demo-audit.key"  # the demo's audit key and head, made afresh each time
AUDIT_HEAD = "lofte-demo-audit.head"
DEMO_PERSON = "tove-lind"  # an EST reporter in Sala and Surahammar
# The first of March: the steering groups' analysis opens, and within the default three weeks
# every steering group meets and decides the next quarter, so the public pages show decisions.
DEMO_START = "2027-03-01T09:00"
DEMO_WEEKS = 3


def add_commands(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="prova Löfte: simulerade veckor, öppna förfrågningar och webbsidorna",
        description=(
            f"Skapar {DEMO_FILE} på nytt i den här mappen med exemplets polisområde, simulerar "
            "några veckor med svar, lämnar veckans förfrågningar öppna, skriver e-posten till "
            "lofte-mail/ (e-post från en tidigare demo tas bort) och visar webbsidorna tills du "
            "trycker Ctrl-C. Demons klocka börjar på den simulerade måndagen och går sedan som "
            f"en vanlig klocka ({CLOCK_FILE})."
        ),
    )
    demo.add_argument(
        "--from",
        dest="start",
        type=arguments.local_moment,
        metavar="DATUM",
        default=arguments.local_moment(DEMO_START),
        help=f"första veckan (standard {DEMO_START[:10]}: styrgrupperna hinner fatta beslut)",
    )
    demo.add_argument("--weeks", type=arguments.bounded_int(1, 52), default=DEMO_WEEKS, metavar="N")
    demo.add_argument("--port", type=arguments.bounded_int(1, 65535), default=8000, metavar="PORT")
    demo.add_argument("--no-serve", action="store_true", help="förbered bara; visa inga webbsidor")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from lofte.kernel.clock import SystemClock, running_clock_text
    from lofte.notifications.config import mail_settings

    base_url = f"http://127.0.0.1:{args.port}"
    os.environ["LOFTE_BASE_URL"] = base_url  # the emails' links point at the demo
    if not os.environ.get("LOFTE_DATA_KEY"):  # the demo's own key, beside its database
        os.environ["LOFTE_DATA_KEY_FILE"] = str(Path(KEY_FILE).resolve())
        Path(KEY_FILE).unlink(missing_ok=True)
    if not os.environ.get("LOFTE_AUDIT_KEY"):
        os.environ["LOFTE_AUDIT_KEY_FILE"] = str(Path(AUDIT_KEY_FILE).resolve())
        Path(AUDIT_KEY_FILE).unlink(missing_ok=True)
    os.environ["LOFTE_AUDIT_HEAD"] = str(Path(AUDIT_HEAD).resolve())  # never a real one
    Path(AUDIT_HEAD).unlink(missing_ok=True)
    mail_dir = mail_settings().mail_dir
    removed = remove_earlier_mail(Path(DEMO_FILE), mail_dir)
    for suffix in ("", "-wal", "-shm"):
        Path(DEMO_FILE + suffix).unlink(missing_ok=True)
    wired, now = _prepare(args.start, args.weeks)
    Path(CLOCK_FILE).write_text(running_clock_text(now, SystemClock().now()), encoding="utf-8")
    commands = look_commands(args.start, now)
    _print_start(wired, now, mail_dir, removed, commands, None if args.no_serve else base_url)
    wired.close()
    if not args.no_serve:
        _serve(base_url, args.port)
    return 0


def remove_earlier_mail(database: Path, mail_dir: Path) -> int:
    """Remove the .eml files an earlier demo wrote into `mail_dir` (the outbox of its database
    says where each message went), and nothing else. Returns how many."""
    if not database.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            where = [r[0] for r in db.execute("SELECT delivery FROM outbox")]
    except sqlite3.Error:  # not a demo database of this Löfte: leave the folder alone
        return 0
    folder = mail_dir.resolve()
    removed = 0
    for delivery in where:
        path = Path(str(delivery or ""))
        if path.suffix == ".eml" and path.resolve().parent == folder and path.is_file():
            path.unlink()
            removed += 1
    return removed


def _prepare(start: datetime, weeks: int) -> tuple[Any, datetime]:
    from lofte.cli.wiring import connect
    from lofte.definitions.loader import load_packaged
    from lofte.kernel.clock import VirtualClock
    from lofte.workflow.drivers.simulation import Simulation

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


def look_commands(start: datetime, now: datetime) -> list[str]:
    """The commands that look at the demo's database with its clock (and its key file)."""
    from lofte.kernel.timerules import STOCKHOLM

    settings = [
        f"LOFTE_DATABASE_URL=sqlite:///{DEMO_FILE}",
        f"LOFTE_CLOCK_FILE={CLOCK_FILE}",
    ]
    if os.environ.get("LOFTE_DATA_KEY_FILE") and not os.environ.get("LOFTE_DATA_KEY"):
        settings.append(f"LOFTE_DATA_KEY_FILE={KEY_FILE}")
    if os.environ.get("LOFTE_AUDIT_KEY_FILE") and not os.environ.get("LOFTE_AUDIT_KEY"):
        settings.append(f"LOFTE_AUDIT_KEY_FILE={AUDIT_KEY_FILE}")
    settings.append(f"LOFTE_AUDIT_HEAD={AUDIT_HEAD}")
    first, last = (m.astimezone(STOCKHOLM).date() for m in (start, now - timedelta(days=1)))
    return [
        f"cd {shlex.quote(str(Path.cwd()))}",
        f"export {' '.join(settings)}",
        "lofte status",
        "lofte audit",
        f"lofte lagesbild sala --from {first} --to {last}",
        f"lofte places sala --from {first} --to {last}",
        "lofte actions sala",
    ]


def _print_start(
    wired: Any,
    now: datetime,
    mail_dir: Path,
    removed: int,
    commands: list[str],
    base_url: str | None,
) -> None:
    from lofte.kernel import words
    from lofte.workflow.application.tasks import my_tasks

    print(
        f"Demon är förberedd i {DEMO_FILE}; demons klocka står på {words.moment(now)} "
        f"och går vidare som en vanlig klocka ({CLOCK_FILE})."
    )
    earlier = f" (e-posten från förra demon, {removed} filer, är borttagen)" if removed else ""
    print(f"E-posten ligger som .eml-filer i {mail_dir}/{earlier}.")
    print("\nTitta i demons databas med demons klocka, till exempel i ett annat terminalfönster:")
    for command in commands:
        print(f"  {command}")
    if base_url is None:
        return
    tasks = my_tasks(wired.app, DEMO_PERSON)
    person = wired.app.directory().find(DEMO_PERSON)
    print(f"\nWebbsidorna:        {base_url}/")
    if tasks.open:
        print(f"En svarslänk:       {base_url}/svar/{tasks.open[0].token}")
    print(f"Logga in som:       {person.email if person else DEMO_PERSON} på {base_url}/logga-in")
    print(f"                    (inloggningslänken hamnar i {mail_dir}/sign_in-*.eml)")
    print(f"Allmänheten:        {base_url}/publikt/")


def demo_connection() -> Any:
    """The demo's database on its clock: what the served pages (and their mail) run on."""
    from lofte.cli.wiring import connect
    from lofte.kernel.clock import FileClock

    return connect(f"sqlite:///{DEMO_FILE}", clock=FileClock(Path(CLOCK_FILE)), durable=False)


def _serve(base_url: str, port: int) -> None:
    from lofte.cli.web_server import serve_in_process
    from lofte.storage.web_access import SqlWebAccess
    from lofte.web.factory import create_app

    wired = demo_connection()
    app = create_app(wired.app, SqlWebAccess(wired.store.engine), base_url=base_url)
    dispatcher = wired.dispatcher()
    stop = threading.Event()

    def deliver() -> None:  # sign-in links and answers' follow-ups reach lofte-mail/
        while not stop.wait(2.0):
            dispatcher.run_once()

    threading.Thread(target=deliver, daemon=True, name="demo-delivery").start()
    try:
        serve_in_process(app, "127.0.0.1", port, 8)  # one process: the delivery thread is here
    finally:
        stop.set()
        wired.close()
