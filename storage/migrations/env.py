"""Alembic environment: runs on the connection Löfte hands it (see storage.database.migrate)."""

from alembic import context
from sqlmodel import SQLModel

import lofte.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `lofte init` (storage.database.migrate)")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
