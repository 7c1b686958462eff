"""The simulation summary as tables."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
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
SHOWN_INCOMPLETE = 8


def print_simulation(
    wired: Any, result: SimulationReport, args: argparse.Namespace, mail_dir: Path | None
) -> None:
    app = wired.app
    directory = app.directory()
    print_summary(
        result.as_dict(),
        lambda unit_id: str(app.unit(unit_id, directory).name),
        [line for _, line in incomplete_lines(wired)],
        sum(app.reads.outbox_counts().values()),
        args,
        mail_dir,
        wired.url if args.database else None,
    )


def incomplete_lines(wired: Any) -> list[tuple[str, str]]:
    """The last cycles closed without being done in time: (opened, what) each."""
    app = wired.app
    directory = app.directory()
    incomplete = [
        c
        for c in app.reads.cycles(CycleFilter())
        if c.outcome is not None and c.outcome.value not in SETTLED
    ][-SHOWN_INCOMPLETE:]
    lines = []
    for cycle in incomplete:
        definition = app.definition_of(cycle)
        lines.append(
            (
                cycle.opened_at.isoformat(),
                f"  {definition.display_title()} {cycle.period_label}, "
                f"{app.unit(cycle.unit_id, directory).name}: "
                f"{outcome_text(cycle.outcome, definition.names.gender)}",
            )
        )
    return lines


def print_summary(
    summary: dict[str, Any],
    unit_name: Callable[[str], str],
    incomplete: Sequence[str],
    outbox_total: int,
    args: argparse.Namespace,
    mail_dir: Path | None,
    kept_in: str | None,
) -> None:
    print(
        f"Simulering {words.moment(_moment(summary['from']))} – "
        f"{words.moment(_moment(summary['to']))}: {args.weeks} veckor, "
        f"svarsfrekvens {args.response_rate:.0%}, seed {args.seed}\n"
    )
    rows = []
    for unit_id, by_definition in summary["units"].items():
        for name, counts in by_definition.items():
            rows.append([unit_name(unit_id), name, *[counts[k] for k in KEYS]])
    print(table(["Enhet", "Cykel", *HEADERS], rows))
    print()
    totals = [[name, *[c[k] for k in KEYS]] for name, c in summary["definitions"].items()]
    print(table(["Cykel (alla enheter)", *HEADERS], totals))
    if incomplete:
        print("\nSenast avslutade som inte blev klara i tid:")
        print("\n".join(incomplete))
    print(
        f"\n{summary['timers_fired']} timers, {summary['answers']} svar "
        f"({summary['answers_refused']} kom för sent), {outbox_total} meddelanden i utkorgen."
    )
    if mail_dir is not None:
        print(f"E-posten ligger som .eml-filer i {mail_dir}/ (öppna dem i valfritt e-postprogram).")
    if kept_in:
        print(f"Resultatet finns kvar i {kept_in}: prova `lofte status --database {kept_in}`.")


def _moment(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)
