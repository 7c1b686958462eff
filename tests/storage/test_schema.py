"""The migrations build exactly the schema the SQLModel tables describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import lofte.storage.tables  # noqa: F401  (registers the tables)
from lofte.storage.database import make_engine, migrate


def test_migrations_match_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert differences == []
