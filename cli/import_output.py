"""What `lofte import` prints: what a file held, what was understood and stored, and each
bad row with its number and column."""

from __future__ import annotations

from lofte.cli.output import heading, table
from lofte.workflow.application.import_indicators import IndicatorImport
from lofte.workflow.application.import_observations import ObservationImport
from lofte.workflow.application.indicators_view import figure
from lofte.workflow.core.imported import IndicatorOutcome


def print_observation_import(found: ObservationImport, shown: int, *, added: int = -1) -> None:
    new, already = len(found.new), len(found.good) - len(found.new)
    print(
        f"{found.file} för {found.unit.name}: {len(found.rows)} rader, {len(found.good)} "
        f"lästa, {len(found.bad)} med fel; {new} nya, {already} redan inlästa"
    )
    print("Kolumner: " + ", ".join(f"{h} → {f}" for h, f in found.used))
    if found.columns.unused:
        print("Lästes inte: " + ", ".join(found.columns.unused))
    if shown:
        rows = [
            [
                r.number,
                r.observation["date"] if r.observation else "",
                found.labels.get(r.observation["category"], "") if r.observation else "",
                r.matched,
                "redan inläst" if r.already else "ny",
            ]
            for r in found.good[:shown]
        ]
        if rows:
            heading(f"De första {len(rows)} raderna")
            print(table(["Rad", "Datum", "Kategori", "Plats i registret", "Status"], rows))
    if found.bad:
        heading("Rader med fel" + (" (hoppades över)" if added >= 0 else ""))
        print("\n".join(f"  {m}" for m in found.messages()))
    if added >= 0:
        print(f"\nSparade {added} nya iakttagelser.")
    else:
        print("\nIngenting sparades (--dry-run).")


def print_indicator_import(
    found: IndicatorImport, outcome: IndicatorOutcome | None, *, dry_run: bool
) -> None:
    print(
        f"{found.file} för {found.unit.name}: {found.rows} rader, {len(found.figures)} "
        f"indikatorer, {len(found.problems)} fel"
    )
    rows = [[f.year, f.name, figure(f.value), f.measure, f.source] for _, f in found.figures[:20]]
    if rows:
        print(table(["År", "Indikator", "Värde", "Enhet", "Källa"], rows))
    if found.problems:
        heading("Rader med fel")
        print("\n".join(f"  {p}" for p in found.problems))
    if outcome is not None:
        verb = "Skulle spara" if dry_run else "Sparade"
        print(
            f"\n{verb}: {outcome.added} nya, {outcome.changed} ändrade (ny version), "
            f"{outcome.unchanged} oförändrade."
        )
    if dry_run:
        print("Ingenting sparades (--dry-run).")
