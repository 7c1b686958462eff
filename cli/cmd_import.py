"""`lofte import`: EST reports exported from other tools (CSV or XLSX) as a municipality's
observations, and yearly indicators (reported crimes, trygghetsmätning) with their source."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lofte.cli import arguments
from lofte.kernel.errors import ConfigError, system_reason

DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"
SHOWN_ROWS = 20  # rows of the preview printed with --dry-run


def add_commands(commands: Any) -> None:
    group = commands.add_parser(
        "import",
        help="läs in iakttagelser eller indikatorer från andra verktyg (CSV eller XLSX)",
        description=(
            "Läser in EST-rapporter som exporterats från andra verktyg (Embrace, Excel, "
            "formulär) och årliga indikatorer (anmälda brott, trygghetsmätning)."
        ),
    )
    kinds = group.add_subparsers(
        dest="what", required=True, parser_class=type(group), title="vad", metavar="VAD"
    )
    observations = kinds.add_parser(
        "observations",
        help="EST-iakttagelser till en kommuns lägesbild",
        description=(
            "Läser en CSV- eller XLSX-fil med en iakttagelse per rad. Rubrikerna får vara på "
            "svenska eller engelska: Kategori/Category, Plats/Place, Område/Area, Datum/Date, "
            "Klockslag/Tid/Time, Del av dygnet, Antal/Quantity, Beskrivning/Description, "
            "Åtgärd, Felanmält till, Latitud/Longitud (lat/lon), Id; andra namn kopplas med "
            "en mappningsfil. Platser matchas mot kommunens platsregister (namn, andra namn, "
            "eller koordinater inom 150 m); annars blir det en annan plats som samordnaren "
            "kopplar senare. Finns ett fel på någon rad sparas ingenting (utom med "
            "--skip-bad). Samma fil två gånger lägger inte till något."
        ),
    )
    _common(observations)
    observations.add_argument(
        "--mapping",
        metavar="FIL",
        help="mappningsfil (YAML): columns: {rubrik: fält}, categories: {värde: kategori}",
    )
    observations.set_defaults(handler=run_observations)
    indicators = kinds.add_parser(
        "indicators",
        help="årliga indikatorer (anmälda brott, trygghetsmätning) med källa",
        description=(
            "Läser en CSV- eller XLSX-fil med en indikator per rad: År, Indikator, Värde, "
            "Enhet, Källa (eller Year, Indicator, Value, Unit, Source). Samma år, indikator "
            "och källa igen ersätter värdet med en ny version om det ändrats; annars ändras "
            "ingenting."
        ),
    )
    _common(indicators)
    indicators.set_defaults(handler=run_indicators)


def _common(parser: Any) -> None:
    parser.add_argument("unit", type=arguments.identifier, metavar="KOMMUN")
    parser.add_argument("file", metavar="FIL", help="CSV- eller XLSX-filen")
    parser.add_argument(
        "--dry-run", action="store_true", help="visa vad som skulle läsas in utan att spara"
    )
    parser.add_argument(
        "--skip-bad", action="store_true", help="hoppa över rader med fel och spara resten"
    )
    parser.add_argument("--as", dest="viewer", type=arguments.identifier, metavar="PERSON")
    parser.add_argument("--database", metavar="URL", help=DATABASE_HELP)


def _read(path: str, what: str = "filen") -> bytes:
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"{what} {path} finns inte")
    if file.is_dir():
        raise ConfigError(f"{path} är en mapp, inte en fil")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what} {path} kan inte läsas: {system_reason(exc)}") from None


def run_observations(args: argparse.Namespace) -> int:
    from lofte.cli.import_output import print_observation_import
    from lofte.cli.wiring import connect
    from lofte.workflow.application.import_fields import NO_MAPPING, read_mapping
    from lofte.workflow.application.import_observations import (
        preview_observations,
        store_observation_import,
    )

    data = _read(args.file)
    mapping = NO_MAPPING
    if args.mapping:
        text = _read(args.mapping, "mappningsfilen").decode("utf-8", errors="replace")
        mapping = read_mapping(Path(args.mapping).name, text)
    wired = connect(args.database)
    viewer = wired.app.viewer(args.viewer)
    found = preview_observations(wired.app, viewer, args.unit, args.file, data, mapping)
    if args.dry_run:
        print_observation_import(found, SHOWN_ROWS)
        return 1 if found.bad and not args.skip_bad else 0
    added = store_observation_import(wired.app, viewer, found, skip_bad=args.skip_bad)
    print_observation_import(found, 0, added=added)
    return 0


def run_indicators(args: argparse.Namespace) -> int:
    from lofte.cli.import_output import print_indicator_import
    from lofte.cli.wiring import connect
    from lofte.workflow.application.import_indicators import (
        read_indicators,
        store_indicator_import,
    )

    data = _read(args.file)
    wired = connect(args.database)
    viewer = wired.app.viewer(args.viewer)
    found = read_indicators(wired.app, viewer, args.unit, args.file, data)
    if args.dry_run and found.problems and not args.skip_bad:
        print_indicator_import(found, None, dry_run=True)
        return 1
    outcome = store_indicator_import(
        wired.app, viewer, found, skip_bad=args.skip_bad, dry_run=args.dry_run
    )
    print_indicator_import(found, outcome, dry_run=args.dry_run)
    return 0
