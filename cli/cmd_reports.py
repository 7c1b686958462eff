"""`lofte audit` and `lofte show`: what auditors and staff check afterwards."""

from __future__ import annotations

import argparse
from argparse import SUPPRESS
from typing import Any

from lofte.cli import arguments


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="för revisorer: gick varje cykel och blev den klar?")
    arguments.add_database(audit)
    audit.add_argument(
        "--cycle", type=arguments.identifier, metavar="NAMN", help="bara denna definition"
    )
    audit.add_argument(
        "--unit", type=arguments.identifier, metavar="ENHET", help="bara denna enhet"
    )
    audit.add_argument(
        "--instance",
        type=arguments.positive_int,
        metavar="ID",
        help="en cykels hela granskningslogg",
    )
    audit.add_argument(
        "--as",
        dest="viewer",
        type=arguments.identifier,
        metavar="PERSON",
        help="visa det PERSON får se",
    )
    audit.set_defaults(handler=run_audit)
    asub = audit.add_subparsers(
        dest="audit_command", required=False, parser_class=type(audit), metavar="{verify,head}"
    )
    check = asub.add_parser(
        "verify",
        help=(
            "kontrollera granskningsloggens hashkedja mot granskningsnyckeln, huvudfilen och "
            "skyddstriggrarna (avslutas med 1 om något är fel)"
        ),
    )
    check.add_argument(
        "--head", metavar="NR:HASH", help="ett huvud som sparats tidigare med `lofte audit head`"
    )
    # Given before the subcommand or after it (SUPPRESS: not given here keeps the other).
    arguments.add_database(check, default=SUPPRESS)
    check.set_defaults(handler=run_verify)
    head = asub.add_parser("head", help="skriv ut kedjans huvud att spara någon annanstans")
    arguments.add_database(head, default=SUPPRESS)
    head.set_defaults(handler=run_head)
    _add_show(commands)


def _add_show(commands: Any) -> None:
    show = commands.add_parser("show", help="en cykel: steg, förfrågningar och svar i sin helhet")
    show.add_argument("instance", type=arguments.positive_int, metavar="ID")
    show.add_argument(
        "--as",
        dest="viewer",
        type=arguments.identifier,
        metavar="PERSON",
        help="visa det PERSON får se (skyddade fält bara för behöriga roller)",
    )
    show.add_argument(
        "--unit",
        type=arguments.identifier,
        metavar="ENHET",
        help="kontrollera att cykeln hör till enheten",
    )
    arguments.add_database(show)
    show.set_defaults(handler=run_show)


def run_audit(args: argparse.Namespace) -> int:
    from lofte.cli.audit_output import print_audit, print_audit_log
    from lofte.cli.wiring import connect
    from lofte.workflow.application.audit_report import build_audit

    wired = connect(args.database)
    viewer = wired.app.viewer(args.viewer)
    if args.instance:
        cycle = wired.app.cycle(args.instance)
        print_audit_log(wired.app, cycle, wired.app.reads.audit_events(instance_id=args.instance))
        return 0
    units = [wired.app.require_unit(args.unit).id] if args.unit else None
    report = build_audit(wired.app, viewer, definition=args.cycle, unit_ids=units)
    print_audit(report)
    wired.close()
    return 0


def run_show(args: argparse.Namespace) -> int:
    from lofte.cli.show_output import print_cycle
    from lofte.cli.wiring import connect
    from lofte.kernel.errors import NotFound
    from lofte.workflow.application.show import show_cycle

    wired = connect(args.database)
    shown = show_cycle(wired.app, wired.app.viewer(args.viewer), args.instance)
    if args.unit and shown.instance.unit_id != args.unit:
        raise NotFound("cykel", f"{args.instance} i enheten {args.unit}")
    print_cycle(shown)
    wired.close()
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from lofte.cli.audit_output import print_verdict
    from lofte.cli.wiring import connect
    from lofte.storage.audit_check import verify_store
    from lofte.workflow.application.audit_verify import parse_head

    expected = parse_head(args.head) if args.head else None
    wired = connect(args.database, need_setup=False, audit_key=False)
    verdict = verify_store(wired.app, wired.store, expected)
    wired.close()
    return print_verdict(verdict, given_head=expected is not None)


def run_head(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.kernel import words
    from lofte.workflow.application.audit_verify import verify

    wired = connect(args.database, need_setup=False, audit_key=False)
    verdict = verify(wired.app)
    wired.close()
    when = words.moment(verdict.head_at) if verdict.head_at else "-"
    print(f"{verdict.head_seq}:{verdict.head_hash}")
    print(f"(händelse nr {verdict.head_seq} från {when}; spara raden ovan utanför databasen)")
    return 0 if verdict.ok else 1
