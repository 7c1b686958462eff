"""`lofte person`: the people of the organisation, what Löfte holds about one of them
(`export`, GDPR art. 15) and removing one who left (`remove`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from lofte.cli import arguments

DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"


def add_commands(commands: Any) -> None:
    group = commands.add_parser(
        "person", help="personerna: lista, utdrag om en person, ta bort en som slutat"
    )
    sub = group.add_subparsers(dest="person_command", required=True, metavar="KOMMANDO")
    listing = sub.add_parser("list", help="personerna i organisationen och de som har slutat")
    listing.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    listing.set_defaults(handler=run_list)

    export = sub.add_parser(
        "export",
        help="allt Löfte har om en person, som JSON och som läsbar HTML-sida",
        description=(
            "Skriver ut allt Löfte har om personen: roller, förfrågningar och svar, åtgärder, "
            "e-post, inloggningar, visningar av skyddade uppgifter och händelser i "
            "granskningsloggen. Skyddade uppgifter dekrypteras inte; utdraget säger vilka svar "
            "som har sådana. Utan --json och --html skrivs JSON till standard ut. Utdraget "
            "loggas i granskningsloggen."
        ),
    )
    export.add_argument("person", type=arguments.identifier, metavar="PERSON")
    export.add_argument("--json", type=Path, metavar="FIL", help="skriv JSON till FIL")
    export.add_argument("--html", type=Path, metavar="FIL", help="skriv en HTML-sida till FIL")
    export.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    export.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    export.set_defaults(handler=run_export)

    remove = sub.add_parser(
        "remove",
        help="ta bort en person som slutat; samordnaren tar över det som är öppet",
        description=(
            "Personen har inte längre några roller. Öppna förfrågningar och åtgärder går till "
            "samordnaren i enheten, som får ett meddelande. Avslutade cykler behåller namnet "
            "tills deras gallringsfrist har gått ut; sedan står en pseudonym i stället. Allt "
            "sker i en transaktion och loggas."
        ),
    )
    remove.add_argument("person", type=arguments.identifier, metavar="PERSON")
    remove.add_argument("--as", dest="actor", default="administrator", metavar="PERSON")
    remove.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    remove.set_defaults(handler=run_remove)


def run_list(args: argparse.Namespace) -> int:
    from lofte.cli.output import heading, table
    from lofte.cli.wiring import connect
    from lofte.kernel import words
    from lofte.workflow.application.people_admin import people_list

    found = people_list(connect(args.database).app)
    rows = [[pid, name, ", ".join(roles) or "-"] for pid, name, roles in found.people]
    print(table(["Id", "Namn", "Roller"], rows))
    heading("Har slutat")
    left = [[d.id, d.name, words.moment(d.departed_at), d.by] for d in found.departed]
    print(table(["Id", "Namn", "Borttagen", "Av"], left) if left else "  ingen")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.storage.sign_in_history import SqlSignInHistory
    from lofte.workflow.application.person_export import export_person
    from lofte.workflow.application.person_export_page import render_person_export

    for target in (args.json, args.html):
        if target is not None and not target.parent.resolve().is_dir():
            from lofte.kernel.errors import ConfigError

            raise ConfigError(f"mappen {target.parent} finns inte; inget skrevs")
    wired = connect(args.database)
    data = export_person(wired.app, args.person, args.actor, SqlSignInHistory(wired.store.engine))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.json is None and args.html is None:
        sys.stdout.write(text)
        return 0
    if args.json is not None:
        _write(args.json, text)
        print(f"JSON: {args.json}")
    if args.html is not None:
        _write(args.html, render_person_export(data))
        print(f"HTML: {args.html}")
    return 0


def _write(target: Path, text: str) -> None:
    """Write whole or not at all: a temporary file beside the target, then renamed over it."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)  # personal data: for the one who asked
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _what(app: Any, request: Any) -> str:
    """`Rapportera veckans iakttagelser, EST-inventering v. 2 2027`: the step and its cycle."""
    from lofte.workflow.core.cadence import label_of_key

    cycle = app.reads.cycle(request.instance_id)
    if cycle is None:
        return str(request.step_id)
    definition = app.definition_of(cycle)
    title = definition.step(request.step_id).title.sv
    return f"{title}, {definition.display_title('sv')} {label_of_key(cycle.period_key, 'sv')}"


def run_remove(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.workflow.application.people_admin import remove

    wired = connect(args.database)
    done = remove(wired.app, args.person, args.actor)
    names = wired.app.directory()
    print(f"{done.name} ({done.person_id}) är borttagen ur organisationen.")
    ended = [
        f"{names.role_title(role)} ({_unit_name(names, unit)})"
        for unit, roles in sorted(done.roles_ended.items())
        for role in roles
    ]
    print(f"  Roller som upphörde: {', '.join(ended) or 'inga'}")
    for old, new in done.requests:
        print(
            f"  Förfrågan {old.id} ({_what(wired.app, old)}) går nu till "
            f"{names.name_of(new.person_id)} som förfrågan {new.id}"
        )
    for action, to in done.actions:
        print(f"  Åtgärd {action.id} ({action.what}) ägs nu av {names.name_of(to)}")
    if done.notified:
        print(f"  Meddelande till: {', '.join(names.name_of(p) for p in done.notified)}")
    if done.unsent:
        word = "meddelande" if done.unsent == 1 else "meddelanden"
        print(f"  {done.unsent} {word} till personen som ännu inte gått iväg skickas inte")
    if done.pseudonymised_cycles:
        print(
            f"  {done.pseudonymised_cycles} avslutade cykler hade passerat sin gallringsfrist: "
            "personen har fått pseudonym där"
        )
    for role, unit in done.unstaffed:
        print(
            f"  Obs: ingen har längre rollen {role} i {unit}; lägg till någon i "
            "organisationsfilen, annars tillfrågas ingen för den rollen"
        )
    return 0


def _unit_name(directory: Any, unit_id: str) -> str:
    unit = directory.unit(unit_id)
    return unit_id if unit is None else str(unit.name)
