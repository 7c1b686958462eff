"""`lofte init`, `lofte definitions validate|show|export`, `lofte example national`,
`lofte units`: setting up and inspecting a deployment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lofte.cli import arguments


def add_commands(commands: Any) -> None:
    _add_init(commands)
    _add_definitions(commands)
    _add_example_and_units(commands)


def _add_init(commands: Any) -> None:
    init = commands.add_parser(
        "init",
        help="skapa eller uppdatera databasen och läs in definitioner och organisation",
        description=(
            "Skapar databasen (eller migrerar den) och läser in en uppsättning. En ny databas "
            "får exemplet om inget annat anges; en databas med en uppsättning behåller den "
            "om inte --definitions (eller --example) anges."
        ),
    )
    arguments.add_database(init)
    init.add_argument(
        "--definitions",
        metavar="MAPP",
        type=Path,
        action="append",
        default=[],
        help="mapp (eller filer) med definitioner och organisation.yaml; hela uppsättningen",
    )
    init.add_argument(
        "--example",
        action="store_true",
        help="läs in det medföljande exemplet, även över en befintlig uppsättning",
    )
    init.set_defaults(handler=run_init)


def _add_definitions(commands: Any) -> None:
    group = commands.add_parser("definitions", help="kontrollera, visa och exportera definitioner")
    sub = group.add_subparsers(dest="definitions_command", required=True, parser_class=type(group))
    validate = sub.add_parser(
        "validate", help="kontrollera filer (avslutas med 0 om allt är giltigt)"
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="SÖKVÄG",
        help="filer eller mappar (standard: exemplet)",
    )
    validate.set_defaults(handler=run_validate)
    show = sub.add_parser("show", help="lägen, övergångar, steg, fält och ett Mermaid-diagram")
    show.add_argument("name", metavar="NAMN")
    show.add_argument("--unit", type=arguments.identifier, metavar="ENHET", help="enhetens version")
    show.add_argument("--definitions", metavar="MAPP", type=Path, action="append", default=[])
    show.set_defaults(handler=run_show)
    export = sub.add_parser(
        "export", help="skriv de medföljande definitionerna och exemplet till en mapp"
    )
    export.add_argument("directory", type=Path, metavar="MAPP")
    export.add_argument("--force", action="store_true", help="skriv över filer som finns")
    export.set_defaults(handler=run_export)


def _add_example_and_units(commands: Any) -> None:
    example = commands.add_parser("example", help="skapa exempeluppsättningar")
    esub = example.add_subparsers(dest="example_command", required=True, parser_class=type(example))
    national = esub.add_parser(
        "national", help="en påhittad nationell uppsättning: N kommuner i polisområden om 1–6"
    )
    national.add_argument(
        "--municipalities", type=arguments.bounded_int(1, 290), default=290, metavar="N"
    )
    national.add_argument("--seed", type=int, default=1, metavar="S")
    national.add_argument("directory", type=Path, metavar="MAPP")
    national.add_argument("--force", action="store_true", help="skriv över filer som finns")
    national.set_defaults(handler=run_national)

    units = commands.add_parser("units", help="polisområden, kommuner och vem som har vilken roll")
    units.add_argument("--unit", type=arguments.identifier, metavar="ENHET")
    arguments.add_database(units)
    units.set_defaults(handler=run_units)


def run_init(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.definitions.loader import load_bundle, load_packaged
    from lofte.kernel import words
    from lofte.storage.database import analyze

    if args.example and args.definitions:
        from lofte.kernel.errors import UsageError

        raise UsageError("ange antingen --definitions eller --example, inte båda")
    # Files are read and checked before anything touches the database.
    bundle = load_bundle(args.definitions) if args.definitions else None
    wired = connect(args.database, create=True)
    print(f"Databas: {wired.url}")
    for name in wired.restored_triggers:
        print(f"  återställde skyddet av granskningsloggen: {name}")
    if bundle is None and (args.example or not wired.has_setup()):
        bundle = load_packaged()
        print("  läser in exemplet (LPO Norra Västmanland med fem kommuner)")
    if bundle is None:
        print("  behåller den inlästa uppsättningen (ange --definitions MAPP för att byta)")
        changes = []
    else:
        changes = wired.engine.register(bundle, actor="init")
        analyze(wired.store.engine)  # the new timers, for PostgreSQL's planner
        if not changes:
            print("  inga ändringar: definitionerna och organisationen är redan inlästa")
    for line in changes:
        print(f"  {line}")
    due = wired.app.reads.next_timer()
    if due is not None:
        print(f"Nästa händelse: {words.moment(due)}. Starta motorn med `lofte run`.")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from lofte.definitions.loader import PACKAGED_DIR, load_bundle
    from lofte.kernel import words

    bundle = load_bundle(args.paths or [PACKAGED_DIR])
    for source in bundle.definitions:
        d = source.definition
        units = len(bundle.directory.units_of_kind(d.applies_to))
        print(
            f"ok  {source.file}: {d.name} ({d.title.sv}), {words.every(d.cadence.every)}, "
            f"{len(d.steps)} steg, gäller {words.count(units, 'enhet', 'enheter')}"
        )
    org = bundle.organisation
    print(
        f"ok  {org.file}: {len(bundle.directory.units)} enheter, {len(org.spec.people)} personer, "
        f"{len(org.spec.roles)} roller, "
        f"{words.count(len(org.spec.promises), 'medborgarlöfte', 'medborgarlöften')}"
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from lofte.cli.show_definition import print_definition
    from lofte.definitions.loader import PACKAGED_DIR, load_bundle
    from lofte.definitions.overrides import apply_override
    from lofte.kernel.errors import NotFound

    bundle = load_bundle(args.definitions or [PACKAGED_DIR])
    try:
        definition = bundle.definition(args.name)
    except KeyError:
        names = ", ".join(s.definition.name for s in bundle.definitions)
        raise NotFound("definition", f"{args.name!r} (finns: {names})") from None
    if args.unit:
        unit = bundle.directory.unit(args.unit)
        if unit is None:
            raise NotFound(
                "enhet", f"{args.unit!r} (finns: {', '.join(sorted(bundle.directory.units))})"
            )
        definition = apply_override(definition, unit.overrides.get(definition.name))
    print_definition(definition, bundle.directory.role_title)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from lofte.definitions.loader import PACKAGED_DIR
    from lofte.definitions.national import write_example

    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(PACKAGED_DIR.glob("*.yaml"))}
    written = write_example(args.directory, files, overwrite=args.force)
    print(f"Skrev {len(written)} filer till {args.directory}:")
    for path in written:
        print(f"  {path.name}")
    print(
        f"Redigera dem, kontrollera med `lofte definitions validate {args.directory}` och läs in "
        f"med `lofte init --definitions {args.directory}`."
    )
    return 0


def run_national(args: argparse.Namespace) -> int:
    from lofte.definitions.national import national_example, write_example

    written = write_example(
        args.directory, national_example(args.municipalities, args.seed), overwrite=args.force
    )
    print(
        f"Skrev en påhittad uppsättning med {args.municipalities} kommuner till {args.directory} "
        f"({len(written)} filer). Prova `lofte simulate --definitions {args.directory} ...`."
    )
    return 0


def run_units(args: argparse.Namespace) -> int:
    from lofte.cli.output import table
    from lofte.cli.wiring import connect

    wired = connect(args.database)
    directory = wired.app.directory()
    units = list(directory.units.values())
    if args.unit:
        units = [wired.app.require_unit(args.unit)]
    rows = []
    for unit in sorted(units, key=lambda u: (u.parent or u.id, u.kind != "police_area", u.name)):
        holders: dict[str, list[str]] = {}
        for person in directory.people.values():
            for role in person.roles.get(unit.id, ()):
                holders.setdefault(directory.role_title(role), []).append(person.name)
        kind = "polisområde" if unit.kind == "police_area" else "kommun"
        roles = "; ".join(
            f"{role}: {', '.join(sorted(names))}" for role, names in sorted(holders.items())
        )
        rows.append([unit.id, unit.name, kind, roles or "-"])
    print(table(["Id", "Namn", "Slag", "Roller"], rows))
    wired.close()
    return 0
