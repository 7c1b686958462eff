"""`lofte lagesbild` as text."""

from __future__ import annotations

from typing import Any

from lofte.cli.output import heading, table
from lofte.workflow.application.lagesbild_view import change, headline
from lofte.workflow.core.observations import when_text

WEEKDAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")


def print_lagesbild(data: dict[str, Any]) -> None:
    print(headline(data))
    if data.get("municipalities"):
        print_municipalities(data)
    heading("Per kategori (förändring mot perioden före)")
    rows = [[c["sv"], c["count"], change(c["count"], c["previous"])] for c in data["by_category"]]
    print(table(["Kategori", "Antal", "Förändring"], rows) if rows else "  inga iakttagelser")
    names = {unit_id: name for unit_id, name, _ in data.get("registers", ())}
    combined = data.get("unit_kind") == "police_area"
    first: list[str] = ["Kommun"] if combined else []
    heading("Per område")
    rows = [
        [*_unit(names, a, combined), a["name"], a["count"], change(a["count"], a["previous"])]
        for a in data["by_area"]
    ]
    print(table([*first, "Område", "Antal", "Förändring"], rows) if rows else "  inga")
    heading("Mest rapporterade platser")
    rows = [
        [
            *([names.get(p["unit"], p["unit"])] if combined else []),
            p["place"],
            p["area"],
            p["count"],
        ]
        for p in data["top_places"]
    ]
    print(table([*first, "Plats", "Område", "Antal"], rows) if rows else "  inga")
    heading("Per vecka, veckodag och tid på dygnet")
    print(
        "  " + ", ".join(f"v. {int(w['week'][-2:])}: {w['count']}" for w in data["by_week"])
        or "  -"
    )
    print("  " + ", ".join(f"{d}: {n}" for d, n in zip(WEEKDAYS, data["by_weekday"], strict=True)))
    bands = ", ".join(f"kl. {b['band']}: {b['count']}" for b in data["by_hour_band"])
    print(f"  {bands}; okänd tid: {data.get('unknown_time', 0)}")
    heading("Iakttagelserna i sin helhet")
    for o in data["observations"]:
        when = when_text(o)
        assessed = f", bedömning {o['assessment']}" if o["assessment"] is not None else ""
        where = f"{o['place']} ({o['area']})" if o["area"] else o["place"]
        print(f"  {when} · {o['category_label']} · {where}{assessed}")
        print(f"      {o['text']}")


def print_municipalities(data: dict[str, Any]) -> None:
    """A police area's municipalities side by side: observations, change, most common
    category, EST inventory cycles completed of those run, and the answer rate."""
    heading("Kommunerna sida vid sida")
    rows = []
    for m in data["municipalities"]:
        top = m["top_category"]
        rate = f"{round(100 * m['answered'] / m['asked'])} %" if m["asked"] else "–"
        rows.append(
            [
                m["unit_name"],
                m["total"],
                change(m["total"], m["previous_total"]),
                f"{top['sv']} ({m['top_count']})" if top else "–",
                f"{m['cycles_completed']} av {m['cycles_ran']}",
                rate,
            ]
        )
    rows.append(
        ["Totalt", data["total"], change(data["total"], data["previous_total"]), "", "", ""]
    )
    headers = ["Kommun", "Iakttagelser", "Förändring", "Vanligaste kategori"]
    print(table([*headers, "EST-inventeringar klara", "Svarsfrekvens"], rows))


def _unit(names: dict[str, str], row: dict[str, Any], combined: bool) -> list[str]:
    """The municipality's name as a first column, in a police area's picture."""
    return [names.get(row["unit"], row["unit"])] if combined else []
