"""The SQL path the storage tests run on (`LOFTE_SQL_PATH`; `.ci/run` runs them on both)."""

from __future__ import annotations

import pytest

from lofte.storage.drivers import sql_path_from_env

FAST = sql_path_from_env() == "fast"

# A test of how the fast path itself works (prepared statements, pipelines, one INSERT for many
# rows): on the SQLAlchemy path SQLAlchemy does that work, as it documents.
fast_path_only = pytest.mark.skipif(
    not FAST, reason="tests the fast path's own mechanics (LOFTE_SQL_PATH=sqlalchemy)"
)
