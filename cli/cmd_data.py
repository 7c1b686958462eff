"""`lofte lagesbild`, `lofte actions`, `lofte export answers`, `lofte report`: the data the
cycles carry, for coordinators, chiefs and steering groups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lofte.cli import arguments


def add_commands(commands: Any) -> None:
    picture = commands.add_parser("lagesbild", help="lägesbilden för en enhet och period")
    picture.add_argument("unit", type=arguments.identifier, metavar="ENHET")
    picture.add_argument(
        "--from", dest="start", required=True, type=arguments.iso_date, metavar="DATUM"
    )
    picture.add_argument(
        "--to", dest="end", required=True, type=arguments.iso_date, metavar="DATUM"
    )
    picture.add_argument("--csv", action="store_true", help="varje iakttagelse som CSV för Excel")
    picture.add_argument("--as", dest="viewer", type=arguments.identifier, metavar="PERSON")
    arguments.add_database(picture)
    picture.set_defaults(handler=run_lagesbild)

    actions = commands.add_parser(
        "actions", help="åtgärdsregistret: insatser, tidiga insatser, åtaganden"
    )
    actions.add_argument("unit", type=arguments.identifier, metavar="ENHET")
    actions.add_argument(
        "--status", metavar="STATUS", help="oppna, stangda, pagar, genomford, andrad, avbruten ..."
    )
    actions.add_argument("--csv", action="store_true")
    actions.add_argument("--as", dest="viewer", type=arguments.identifier, metavar="PERSON")
    arguments.add_database(actions)
    actions.set_defaults(handler=run_actions)

    export = commands.add_parser("export", help="exportera data som CSV för Excel")
    esub = export.add_subparsers(dest="export_command", required=True, parser_class=type(export))
    answers = esub.add_parser("answers", help="svaren i en cykeldefinition, en rad per listrad")
    answers.add_argument("unit", type=arguments.identifier, metavar="ENHET")
    answers.add_argument("--definition", required=True, type=arguments.identifier, metavar="NAMN")
    answers.add_argument("--from", dest="start", type=arguments.iso_date, metavar="DATUM")
    answers.add_argument("--to", dest="end", type=arguments.iso_date, metavar="DATUM")
    answers.add_argument(
        "--csv", action="store_true", help="(CSV är formatet; flaggan finns för tydlighet)"
    )
    answers.add_argument("--as", dest="viewer", type=arguments.identifier, metavar="PERSON")
    arguments.add_database(answers)
    answers.set_defaults(handler=run_export_answers)
    _add_report(commands)


def _add_report(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="lägesbild och åtgärdsplan för ett år (lag 2023:196, 4 §) som utskrivbar HTML; "
        "för ett polisområde med alla dess kommuner",
    )
    report.add_argument("unit", type=arguments.identifier, metavar="ENHET")
    report.add_argument("--year", required=True, type=arguments.year, metavar="ÅR")
    report.add_argument(
        "--output", type=Path, metavar="FIL", help="standard: lagesbild-atgardsplan-ENHET-ÅR.html"
    )
    report.add_argument("--as", dest="viewer", type=arguments.identifier, metavar="PERSON")
    arguments.add_database(report)
    report.set_defaults(handler=run_report)


def _write(text: str) -> None:
    sys.stdout.write(text)


def run_lagesbild(args: argparse.Namespace) -> int:
    from lofte.cli.lagesbild_output import print_lagesbild
    from lofte.cli.wiring import connect
    from lofte.workflow.application.lagesbild_view import lagesbild, observations_csv

    wired = connect(args.database)
    data = lagesbild(wired.app, wired.app.viewer(args.viewer), args.unit, args.start, args.end)
    if args.csv:
        _write(observations_csv(data))
    else:
        print_lagesbild(data)
    return 0


def run_actions(args: argparse.Namespace) -> int:
    from lofte.cli.output import table
    from lofte.cli.wiring import connect
    from lofte.workflow.application.actions_view import actions_csv, list_actions
    from lofte.workflow.core.effect_words import weeks_text

    wired = connect(args.database)
    lines = list_actions(wired.app, wired.app.viewer(args.viewer), args.unit, args.status)
    if args.csv:
        _write(actions_csv(lines))
        return 0
    rows = [
        [
            line.action.id,
            line.kind,
            line.action.what,
            f"{line.owner} ({line.party})",
            line.due or "-",
            line.status,
            line.action.source_label,
            line.effect.baseline if line.effect else "-",
            f"{line.effect.since} på {weeks_text(line.effect.since_weeks)}" if line.effect else "-",
            line.latest_effect or "-",
        ]
        for line in lines
    ]
    header = [
        "Id",
        "Slag",
        "Åtgärd",
        "Ansvarig",
        "Klart senast",
        "Status",
        "Beslutad i",
        "Utgångsläge (12 v)",
        "Senaste läge",
        "Senaste effekt",
    ]
    print(table(header, rows) if rows else "Inga åtgärder.")
    return 0


def run_export_answers(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.workflow.application.exports import export_answers

    wired = connect(args.database)
    viewer = wired.app.viewer(args.viewer)
    _write(export_answers(wired.app, viewer, args.unit, args.definition, args.start, args.end))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.kernel.errors import ConfigError, system_reason
    from lofte.workflow.application.yearly_report import render_report, report_data

    wired = connect(args.database)
    data = report_data(wired.app, wired.app.viewer(args.viewer), args.unit, args.year)
    target = args.output or Path(f"lagesbild-atgardsplan-{args.unit}-{args.year}.html")
    try:
        target.write_text(render_report(data), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--output {target}: går inte att skriva ({system_reason(exc)})") from exc
    print(
        f"Lägesbild och åtgärdsplan {args.year} för {data['unit'].name} finns i {target} "
        "(öppna i en webbläsare, skriv ut eller spara som PDF)."
    )
    return 0
