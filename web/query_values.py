"""Values read from a page's query string: a bad one is a 400 page, never a traceback."""

from __future__ import annotations

from datetime import date

from flask import abort


def query_date(raw: str, default: date) -> date:
    """`ÅÅÅÅ-MM-DD` from the query string, `default` when it is empty."""
    if not raw:
        return default
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)
