"""`lofte places`: a municipality's place register with how often each place was reported
(aliases and the coordinator's mappings counted as the place), and the "annan plats" texts
still to be mapped."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from lofte.cli import arguments

DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"
DEFAULT_DAYS = 364  # 52 weeks back from today


def add_commands(commands: Any) -> None:
    places = commands.add_parser(
        "places",
        help="en kommuns platsregister: platserna med antal iakttagelser",
        description=(
            "Visar kommunens platser (namn, område, slag, koordinater i WGS 84, andra namn) med "
            "antalet iakttagelser under perioden; alias och kopplade namn räknas som platsen. "
            "Annan plats som ännu inte kopplats till registret listas för sig."
        ),
    )
    places.add_argument("unit", type=arguments.identifier, metavar="KOMMUN")
    places.add_argument(
        "--from",
        dest="start",
        type=arguments.iso_date,
        metavar="DATUM",
        help="periodens första dag (standard: 52 veckor bakåt)",
    )
    places.add_argument(
        "--to", dest="end", type=arguments.iso_date, metavar="DATUM", help="standard: i dag"
    )
    places.add_argument("--csv", action="store_true", help="som CSV för Excel")
    places.add_argument("--as", dest="viewer", type=arguments.identifier, metavar="PERSON")
    places.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    places.set_defaults(handler=run_places)


def run_places(args: argparse.Namespace) -> int:
    from lofte.cli.output import heading, table
    from lofte.cli.wiring import connect
    from lofte.kernel.timerules import STOCKHOLM
    from lofte.workflow.application.places_view import CSV_HEADER, places_csv, places_picture

    wired = connect(args.database)
    today = wired.app.now.astimezone(STOCKHOLM).date()
    end = args.end or today
    start = args.start or end - timedelta(days=DEFAULT_DAYS)
    viewer = wired.app.viewer(args.viewer)
    picture = places_picture(wired.app, viewer, args.unit, start, end)
    if args.csv:
        sys.stdout.write(places_csv(picture))
        return 0
    print(
        f"Platser i {picture.unit.name}, {start.isoformat()}–{end.isoformat()}: "
        f"{picture.total} iakttagelser, {len(picture.places)} platser i registret"
    )
    rows = [
        [
            line.name,
            line.area,
            line.kind,
            f"{line.place.lat:.4f}, {line.place.lon:.4f}" if line.place else "",
            ", ".join(line.other_names) or "-",
            line.count,
        ]
        for line in picture.places
    ]
    header = [*CSV_HEADER[:3], "Koordinater", *CSV_HEADER[5:7]]
    print(table(header, rows) if rows else "  Inga platser i registret (places: i organisationen).")
    heading("Annan plats, ännu inte kopplad till registret")
    others = [[line.name, line.area or "-", line.count] for line in picture.others]
    print(table(["Skriven plats", "Område", "Antal"], others) if others else "  inga")
    return 0
