"""`lofte outbox list|send|retry`, `lofte timers list|retry`, `lofte meeting move|cancel`."""

from __future__ import annotations

import argparse
from typing import Any

from lofte.cli import arguments

OUTBOX_STATUSES = ["pending", "sending", "sent", "held", "digested", "failed", "expired"]


def _db(parser: Any) -> None:
    arguments.add_database(parser)


def add_commands(commands: Any) -> None:
    _add_outbox(commands)
    _add_timers(commands)
    _add_meeting(commands)


def _add_outbox(commands: Any) -> None:
    outbox = commands.add_parser(
        "outbox", help="e-post: vad som skickats vart, skicka, försök igen"
    )
    sub = outbox.add_subparsers(dest="outbox_command", required=True, parser_class=type(outbox))
    listing = sub.add_parser("list", help="meddelanden med status, mottagare och vart de gick")
    listing.add_argument("--status", choices=OUTBOX_STATUSES)
    listing.add_argument("--unit", type=arguments.identifier, metavar="ENHET")
    listing.add_argument("--limit", type=arguments.bounded_int(1, 100000), default=50, metavar="N")
    _db(listing)
    listing.set_defaults(handler=run_list)
    send = sub.add_parser("send", help="skicka det som ska skickas nu och avsluta")
    _db(send)
    send.set_defaults(handler=run_send)
    retry = sub.add_parser("retry", help="skicka ett meddelande som blivit en incident igen")
    retry.add_argument("id", type=arguments.positive_int, metavar="ID", nargs="?")
    retry.add_argument("--all", action="store_true", help="alla incidenter")
    retry.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    _db(retry)
    retry.set_defaults(handler=run_retry)


def _add_timers(commands: Any) -> None:
    timers = commands.add_parser("timers", help="timers: vad som väntar, incidenter, kör igen")
    tsub = timers.add_subparsers(dest="timers_command", required=True, parser_class=type(timers))
    tlist = tsub.add_parser("list", help="timers med status")
    tlist.add_argument(
        "--status", choices=["pending", "fired", "cancelled", "failed"], default="pending"
    )
    tlist.add_argument("--unit", type=arguments.identifier, metavar="ENHET")
    tlist.add_argument("--limit", type=arguments.bounded_int(1, 100000), default=50, metavar="N")
    _db(tlist)
    tlist.set_defaults(handler=run_timers)
    tretry = tsub.add_parser("retry", help="kör en timer som blivit en incident igen")
    tretry.add_argument("id", type=arguments.positive_int, metavar="ID")
    tretry.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    _db(tretry)
    tretry.set_defaults(handler=run_timer_retry)


def _add_meeting(commands: Any) -> None:
    meeting = commands.add_parser(
        "meeting", help="flytta eller ställ in ett möte (skickar uppdateringar)"
    )
    msub = meeting.add_subparsers(dest="meeting_command", required=True, parser_class=type(meeting))
    move = msub.add_parser("move", help="ny starttid; deltagarna får en uppdaterad inbjudan")
    move.add_argument("instance", type=arguments.positive_int, metavar="CYKEL")
    move.add_argument("step", type=arguments.identifier, metavar="STEG")
    move.add_argument(
        "--to",
        dest="start",
        required=True,
        type=arguments.local_moment,
        metavar="TIDPUNKT",
        help="ny start, svensk tid (ÅÅÅÅ-MM-DDTTT:MM)",
    )
    move.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    _db(move)
    move.set_defaults(handler=run_move)
    cancel = msub.add_parser("cancel", help="ställ in; deltagarna får en avbokning")
    cancel.add_argument("instance", type=arguments.positive_int, metavar="CYKEL")
    cancel.add_argument("step", type=arguments.identifier, metavar="STEG")
    cancel.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    _db(cancel)
    cancel.set_defaults(handler=run_cancel)


def run_list(args: argparse.Namespace) -> int:
    from lofte.cli.output import table
    from lofte.cli.wiring import connect
    from lofte.kernel import words
    from lofte.workflow.application.texts import OUTBOX_STATUS, message_about

    wired = connect(args.database)
    messages = wired.app.reads.outbox(args.status, args.limit)
    if args.unit:
        wired.app.require_unit(args.unit)
        messages = [m for m in messages if m.unit_id == args.unit]
    rows = [
        [
            m.id,
            OUTBOX_STATUS.get(m.status.value, m.status.value),
            m.kind.value,
            m.recipient,
            message_about(m.context) or "-",
            words.moment(m.sent_at) if m.sent_at else "-",
            m.delivery or (m.last_error or "")[:60],
        ]
        for m in messages
    ]
    print(
        table(["Id", "Status", "Slag", "Till", "Gäller", "Skickat", "Vart / fel"], rows)
        if rows
        else "Utkorgen är tom."
    )
    return 0


def run_send(args: argparse.Namespace) -> int:
    from lofte.cli.stopping import report_stop
    from lofte.cli.wiring import connect
    from lofte.kernel.stopping import STOP_GRACE, StopSignal, stop_on_signals, until_stopped

    wired = connect(args.database)
    stop = StopSignal()  # SIGTERM, Ctrl-C: what is not sent waits for the next run
    dispatcher = wired.dispatcher(stop=stop)
    with stop_on_signals(stop):
        ended, done = until_stopped(dispatcher.run_once, stop, STOP_GRACE)
    if not ended or done is None:  # it waits (for the database): this ends the process
        report_stop(wired, stop, in_time=False)
        return 0
    print(
        f"{done.sent} skickade, {done.failed_attempts} misslyckade försök "
        f"({done.incidents} blev incidenter), {done.expired} för sena för att skickas, "
        f"{done.held} väntar på daglig sammanställning, {done.digests} sammanställningar.",
        flush=True,
    )
    if stop.is_set():
        report_stop(wired, stop, in_time=True)
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.kernel.errors import UsageError

    if bool(args.id) == bool(args.all):
        raise UsageError("ange ett meddelande-ID eller --all")
    wired = connect(args.database)
    if args.all:
        count = wired.engine.retry_all_messages(args.actor)
        print(f"{count} incidenter köade igen.")
    else:
        message = wired.engine.retry_message(args.id, args.actor)
        print(f"Meddelande {message.id} till {message.recipient} köat igen.")
    done = wired.dispatcher().run_once()
    print(f"{done.sent} skickade nu, {done.failed_attempts} misslyckade.")
    return 0


def run_timers(args: argparse.Namespace) -> int:
    from lofte.cli.output import table
    from lofte.cli.wiring import connect
    from lofte.kernel import words
    from lofte.workflow.application.texts import TIMER_KIND

    wired = connect(args.database)
    found = wired.app.reads.timers(args.status, args.limit)
    if args.unit:
        wired.app.require_unit(args.unit)
        found = [t for t in found if t.unit_id == args.unit]
    rows = [
        [
            t.id,
            TIMER_KIND.get(t.kind.value, t.kind.value),
            words.moment(t.due_at),
            t.key,
            t.attempts,
            (t.last_error or t.note or "")[:60],
        ]
        for t in found
    ]
    print(
        table(["Id", "Slag", "Förfaller", "Nyckel", "Försök", "Fel / anteckning"], rows)
        if rows
        else "Inga timers."
    )
    return 0


def run_timer_retry(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect

    wired = connect(args.database)
    timer = wired.engine.retry_timer(args.id, args.actor)
    fired = wired.engine.run_due()
    print(f"Timern {timer.id} ({timer.key}) körs igen; {len(fired)} timers kördes nu.")
    return 0


def run_move(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.kernel import words

    meeting = connect(args.database).engine.move_meeting(
        args.instance, args.step, args.start, args.actor
    )
    print(
        f"Mötet flyttat till {words.moment(meeting.starts_at)} (SEQUENCE {meeting.sequence}); "
        f"{len(meeting.participants)} deltagare får en uppdaterad inbjudan."
    )
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect

    meeting = connect(args.database).engine.cancel_meeting(args.instance, args.step, args.actor)
    print(f"Mötet är inställt; {len(meeting.participants)} deltagare får en avbokning.")
    return 0
