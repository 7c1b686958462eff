"""`lofte lagesbild` as text."""

from __future__ import annotations

from typing import Any

from lofte.cli.output import heading, table
from lofte.workflow.application.lagesbild_view import change, headline
from lofte.workflow.core.observations import when_text

WEEKDAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")


def print_lagesbild(data: dict[str, Any]) -> None:
    print(headline(data))
    heading("Per kategori (förändring mot perioden före)")
    rows = [[c["sv"], c["count"], change(c["count"], c["previous"])] for c in data["by_category"]]
    print(table(["Kategori", "Antal", "Förändring"], rows) if rows else "  inga iakttagelser")
    heading("Per område")
    rows = [[a["name"], a["count"], change(a["count"], a["previous"])] for a in data["by_area"]]
    print(table(["Område", "Antal", "Förändring"], rows) if rows else "  inga")
    heading("Mest rapporterade platser")
    rows = [[p["place"], p["area"], p["count"]] for p in data["top_places"]]
    print(table(["Plats", "Område", "Antal"], rows) if rows else "  inga")
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
