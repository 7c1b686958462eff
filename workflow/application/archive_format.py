"""The shapes of an archive package (`lofte archive`): names, versions and the one way its
JSON is written, so that two packages of the same data are the same bytes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

FORMAT = "lofte-archive"  # manifest.json's `format`
VERSION = 1  # of the package: its layout, the manifest and every file's shape
MANIFEST = "manifest.json"
README = "README.txt"
EVENTS = "audit/events.jsonl"
VERIFICATION = "audit/verification.json"
EVENT_VERSION = 1  # of one line of audit/events.jsonl


def iso(moment: datetime | date | None) -> str | None:
    """A moment (UTC as stored) or a date as ISO 8601 text; None stays None."""
    return None if moment is None else moment.isoformat()


def json_bytes(value: Any) -> bytes:
    """Pretty, sorted, UTF-8 JSON ending in a newline: the same value gives the same bytes."""
    return (json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode()


def json_line(value: Any) -> str:
    """One JSON object on one line, keys sorted (audit/events.jsonl)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def table_document(kind: str, unit_id: str, year: int, rows: list[dict[str, Any]]) -> bytes:
    """A table's JSON file: its shape named and versioned, then its rows."""
    return json_bytes(
        {
            "format": f"{FORMAT}-{kind}",
            "version": VERSION,
            "unit": unit_id,
            "year": year,
            "rows": rows,
        }
    )


def thousands(n: int) -> str:
    """2314 -> `2 314`, as Swedish text writes numbers."""
    return f"{n:,}".replace(",", " ")
