"""The simulation summary as tables."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lofte.cli.output import table
from lofte.kernel import words
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import outcome_text
from lofte.workflow.drivers.simulation import SimulationReport

HEADERS = ["Öppnade", "I tid", "Sent", "Ofullständiga", "Inget att följa upp", "Pågår"]
KEYS = [
    "opened",
    "completed_on_time",
    "completed_late",
    "closed_incomplete",
    "no_basis",
    "still_open",
]
SETTLED = ("completed_on_time", "no_basis")  # closed as they should: not listed as problems


def print_simulation(
    wired: Any, result: SimulationReport, args: argparse.Namespace, mail_dir: Path | None
) -> None:
    app = wired.app
    print(
        f"Simulering {words.moment(result.start)} – {words.moment(result.end)}: "
        f"{args.weeks} veckor, "
        f"svarsfrekvens {args.response_rate:.0%}, seed {args.seed}\n"
    )
    summary = result.as_dict()
    directory = app.directory()
    rows = []
    for unit_id, by_definition in summary["units"].items():
        for name, counts in by_definition.items():
            rows.append([app.unit(unit_id, directory).name, name, *[counts[k] for k in KEYS]])
    print(table(["Enhet", "Cykel", *HEADERS], rows))
    print()
    totals = [[name, *[c[k] for k in KEYS]] for name, c in summary["definitions"].items()]
    print(table(["Cykel (alla enheter)", *HEADERS], totals))
    incomplete = [
        c
        for c in app.reads.cycles(CycleFilter())
        if c.outcome is not None and c.outcome.value not in SETTLED
    ][-8:]
    if incomplete:
        print("\nSenast avslutade som inte blev klara i tid:")
        for cycle in incomplete:
            definition = app.definition_of(cycle)
            print(
                f"  {definition.display_title()} {cycle.period_label}, "
                f"{app.unit(cycle.unit_id, directory).name}: "
                f"{outcome_text(cycle.outcome, definition.names.gender)}"
            )
    sent = app.reads.outbox_counts()
    print(
        f"\n{result.timers_fired} timers, {result.answers} svar "
        f"({result.answers_refused} kom för sent), {sum(sent.values())} meddelanden i utkorgen."
    )
    if mail_dir is not None:
        print(f"E-posten ligger som .eml-filer i {mail_dir}/ (öppna dem i valfritt e-postprogram).")
    if args.database:
        print(f"Resultatet finns kvar i {wired.url}: prova `lofte status --database {wired.url}`.")
