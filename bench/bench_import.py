"""Benchmark: `lofte import observations` on SQLite. Writes a CSV export of N rows (Swedish
headers, `;`, UTF-8 with a byte-order mark; places by name, alias, coordinates and "annan
plats"), then times reading and understanding it (the preview), storing it, and importing it
a second time (which adds nothing). The last line is `RESULT {json}`.

    .venv/bin/python bench/bench_import.py [ROWS] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

CATEGORIES = ["Klotter", "Skadegörelse", "Nedskräpning", "Sprutfynd", "Alkohol/berusning"]
PLACES = ["Stationen", "Stora torget", "Parken", "Gångtunneln", "Bakom Folkets hus", ""]
HEADER = "Id;Kategori;Plats;Datum;Klockslag;Del av dygnet;Antal;Beskrivning;Latitud;Longitud"


def export(rows: int, seed: int = 7) -> bytes:
    pick = random.Random(seed)
    lines = [HEADER]
    first = date(2026, 1, 1)
    for number in range(rows):
        place = pick.choice(PLACES)
        lat, lon = ("59.92115", "16.60580") if not place else ("", "")
        clock = f"{pick.randrange(24):02d}:{pick.randrange(60):02d}" if pick.random() < 0.5 else ""
        part = "" if clock else pick.choice(["natt", "morgon", "dag", "kväll", "okänd tid"])
        day = first + timedelta(days=pick.randrange(330))
        lines.append(
            f"B-{number};{pick.choice(CATEGORIES)};{place};{day.isoformat()};{clock};{part};"
            f"{pick.randrange(1, 5)};Iakttagelse nummer {number}.;{lat};{lon}"
        )
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8")


def measure(url: str, data: bytes) -> dict[str, Any]:
    from lofte.cli.wiring import connect
    from lofte.workflow.application.import_observations import (
        preview_observations,
        store_observation_import,
    )

    wired = connect(url, create=True)
    app = wired.app
    viewer = app.viewer("lars-berg")
    started = time.perf_counter()
    found = preview_observations(app, viewer, "sala", "bench.csv", data)
    previewed = time.perf_counter()
    added = store_observation_import(app, viewer, found)
    stored = time.perf_counter()
    again = store_observation_import(
        app, viewer, preview_observations(app, viewer, "sala", "bench.csv", data)
    )
    second = time.perf_counter()
    wired.close()  # its audit head written while the folder is still there
    rows = len(found.rows)
    return {
        "rows": rows,
        "added": added,
        "added_again": again,
        "preview_s": round(previewed - started, 3),
        "store_s": round(stored - previewed, 3),
        "first_import_rows_per_s": round(rows / (stored - started)),
        "second_import_rows_per_s": round(rows / (second - stored)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=10_000)
    parser.add_argument("--database", metavar="URL")
    args = parser.parse_args()
    data = export(args.rows)
    with tempfile.TemporaryDirectory(prefix="lofte-bench-import-") as folder:
        from lofte.cli.main import main as lofte

        os.chdir(folder)  # the data key is made beside the database
        url = args.database or f"sqlite:///{Path(folder) / 'lofte.db'}"
        assert lofte(["init", "--database", url]) == 0
        results = measure(url, data)
    for name, value in results.items():
        print(f"{name:>26}: {value}")
    print("RESULT " + json.dumps(results))


if __name__ == "__main__":
    main()
