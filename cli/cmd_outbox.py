"""`lofte outbox list|send|retry` and `lofte meeting move|cancel`."""

from __future__ import annotations

import argparse
from typing import Any

from cli import arguments
from cli.output import table
from cli.wiring import connect
from notifications.formatting import moment_with_year, subject
from storage import queries


def add_commands(commands: Any) -> None:
    outbox = commands.add_parser("outbox", help="messages: what was sent where, send, retry")
    sub = outbox.add_subparsers(dest="outbox_command", required=True, parser_class=type(outbox))
    listing = sub.add_parser("list", help="messages with status, recipient and where they went")
    listing.add_argument(
        "--status", choices=["pending", "sending", "sent", "held", "digested", "failed"]
    )
    listing.add_argument("--limit", type=arguments.positive_int, default=50, metavar="N")
    listing.add_argument("--database", metavar="URL")
    listing.set_defaults(handler=run_list)
    send = sub.add_parser("send", help="deliver what is due now, then exit")
    send.add_argument("--database", metavar="URL")
    send.set_defaults(handler=run_send)
    retry = sub.add_parser("retry", help="send a failed message (an incident) again")
    retry.add_argument("id", type=arguments.positive_int, metavar="ID")
    retry.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    retry.add_argument("--database", metavar="URL")
    retry.set_defaults(handler=run_retry)

    meeting = commands.add_parser("meeting", help="move or cancel a meeting (sends updates)")
    msub = meeting.add_subparsers(dest="meeting_command", required=True, parser_class=type(meeting))
    move = msub.add_parser("move", help="new start time; participants get an updated invite")
    move.add_argument("instance", type=arguments.positive_int, metavar="CYCLE_ID")
    move.add_argument("step", metavar="STEP")
    move.add_argument(
        "--to",
        dest="start",
        required=True,
        type=arguments.local_moment,
        metavar="DATETIME",
        help="new start, Stockholm time (YYYY-MM-DDTHH:MM)",
    )
    move.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    move.add_argument("--database", metavar="URL")
    move.set_defaults(handler=run_move)
    cancel = msub.add_parser("cancel", help="cancel; participants get a cancellation")
    cancel.add_argument("instance", type=arguments.positive_int, metavar="CYCLE_ID")
    cancel.add_argument("step", metavar="STEP")
    cancel.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    cancel.add_argument("--database", metavar="URL")
    cancel.set_defaults(handler=run_cancel)


def run_list(args: argparse.Namespace) -> int:
    app = connect(args.database)
    with app.store.reading() as session:
        messages = queries.outbox(session, args.limit, args.status)
    rows = [
        [
            m.id,
            m.status.value,
            m.kind.value,
            m.recipient,
            subject(m),
            moment_with_year(m.sent_at) if m.sent_at else "-",
            m.delivery or (m.last_error or "")[:60],
        ]
        for m in messages
    ]
    print(
        table(["Id", "Status", "Slag", "Till", "Ämne", "Skickat", "Vart / fel"], rows)
        if rows
        else "Utkorgen är tom."
    )
    return 0


def run_send(args: argparse.Namespace) -> int:
    app = connect(args.database)
    done = app.dispatcher().run_once()
    print(
        f"{done.sent} skickade, {done.failed_attempts} misslyckade försök "
        f"({done.incidents} blev incidenter), {done.held} väntar på daglig sammanställning, "
        f"{done.digests} sammanställningar."
    )
    return 0


def run_retry(args: argparse.Namespace) -> int:
    app = connect(args.database)
    dispatcher = app.dispatcher()
    message = dispatcher.retry(args.id, args.actor)
    done = dispatcher.run_once()
    print(
        f"Meddelande {message.id} till {message.recipient} köat igen; "
        f"{done.sent} skickade nu, {done.failed_attempts} misslyckade."
    )
    return 0


def run_move(args: argparse.Namespace) -> int:
    app = connect(args.database)
    meeting = app.engine.move_meeting(args.instance, args.step, args.start, args.actor)
    print(
        f"Mötet {meeting.uid} flyttat till {moment_with_year(meeting.starts_at)} "
        f"(SEQUENCE {meeting.sequence}); {len(meeting.participants)} deltagare får en uppdatering."
    )
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    app = connect(args.database)
    meeting = app.engine.cancel_meeting(args.instance, args.step, args.actor)
    print(f"Mötet {meeting.uid} är inställt; {len(meeting.participants)} deltagare meddelas.")
    return 0
