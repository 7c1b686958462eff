"""`lofte promise UNIT`: a municipality's medborgarlöfte in force, what each party promises,
its revisions, the decisions and follow-ups that serve it, and the promises before and after."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from lofte.cli import arguments

if TYPE_CHECKING:
    from lofte.workflow.application.app import Application
    from lofte.workflow.application.promise_view import PromiseView, UnitPromises

DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"


def add_commands(commands: Any) -> None:
    promise = commands.add_parser(
        "promise",
        help="en kommuns medborgarlöfte: löftena per part, revideringar och beslut under det",
        description=(
            "Visar det medborgarlöfte som gäller för kommunen (i dag eller --date), vad varje "
            "part lovar, revideringarna hittills, de inriktningsbeslut och uppföljningar som "
            "hör till löftet och kommunens tidigare och kommande löften. Löftena skrivs under "
            "`promises:` i organisationsfilen."
        ),
    )
    promise.add_argument(
        "unit", type=arguments.identifier, metavar="KOMMUN", help="kommunens id (se `lofte units`)"
    )
    promise.add_argument(
        "--date", type=arguments.iso_date, metavar="ÅÅÅÅ-MM-DD", help="dagen (standard: i dag)"
    )
    promise.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    promise.set_defaults(handler=run_promise)


def run_promise(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.workflow.application.promise_view import today, unit_promises

    wired = connect(args.database)
    try:
        unit = wired.app.require_unit(args.unit)
        day = args.date or today(wired.app)
        promises = unit_promises(wired.app.directory(), unit.id, day)
        if unit.kind != "municipality":
            print(f"{unit.name} är ett polisområde; medborgarlöften ges av kommunerna.")
        elif promises.in_force is None:
            print(f"Inget medborgarlöfte gäller för {unit.name} {day.isoformat()}.")
        else:
            _print_promise(wired.app, unit.id, promises.in_force)
        _print_others(promises)
    finally:
        wired.close()
    return 0


def _print_promise(app: Application, unit_id: str, promise: PromiseView) -> None:
    from lofte.cli.output import heading, table
    from lofte.workflow.application.promise_view import cycles_serving

    print(promise.title.text)
    print(f"Gäller {promise.starts.isoformat()} – {promise.ends.isoformat()}")
    if promise.document:
        print(f"Hela löftet: {promise.document}")
    if promise.goal:
        print(f"Mål: {promise.goal.text}")
    if promise.focus:
        heading("Det här arbetar vi med:")
        for focus in promise.focus:
            print(f"  - {focus.text}")
    for group in promise.pledges:
        heading(f"{group.party}:")
        for item in group.items:
            print(f"  - {item.text}")
    heading("Revideringar:")
    for revision in promise.revisions:
        print(f"  {revision.day.isoformat()}  {revision.change.text}")
    if not promise.revisions:
        print("  inga ännu")
    serving = cycles_serving(app, unit_id, promise)
    heading(f"Beslut och uppföljningar under löftet ({len(serving)}):")
    if serving:
        rows = [[c.instance_id, c.title, c.period, c.outcome] for c in serving]
        print(table(["Id", "Cykel", "Period", "Läge"], rows))
    else:
        print("  inga ännu")


def _print_others(promises: UnitPromises) -> None:
    from lofte.cli.output import heading

    for label, found in (("Kommande", promises.coming), ("Tidigare", promises.earlier)):
        if found:
            heading(f"{label} medborgarlöften:")
            for other in found:
                print(
                    f"  {other.title.text} ({other.starts.isoformat()} – {other.ends.isoformat()})"
                )
