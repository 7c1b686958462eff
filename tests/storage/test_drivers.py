"""A driver per database and the switch back to plain SQLAlchemy (`storage.drivers`):
`LOFTE_SQL_PATH=sqlalchemy` runs every statement through SQLAlchemy Core and leaves the same
rows as the fast path; an unknown value is refused in Swedish; nothing outside the drivers asks
which database it is on."""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from lofte.kernel.errors import ConfigError
from lofte.storage.database import make_engine
from lofte.storage.drivers import driver_for
from lofte.workflow.core import engine as engine_module
from tests.conftest import START, packaged, pg_schema_url
from tests.harness import make_harness, utc

STORAGE = Path(__file__).resolve().parents[2] / "storage"


def _a_fortnight(url: str, monkeypatch: pytest.MonkeyPatch, path: str) -> tuple[Any, list[Any]]:
    """Run two weeks on `path`; what the store holds then, and each statement's execution
    context (None for a statement the fast path ran on the driver)."""
    monkeypatch.setenv("LOFTE_SQL_PATH", path)
    harness = make_harness(url, START, packaged())
    contexts: list[Any] = []

    def seen(_c: Any, _cursor: Any, _sql: str, _parameters: Any, context: Any, _many: Any) -> None:
        contexts.append(context)

    event.listen(harness.store.engine, "before_cursor_execute", seen)
    try:
        harness.run_until(utc(2027, 1, 15))
        cycles = harness.cycles()
        held = (
            [(c.key, c.state, c.open_requests) for c in cycles],
            sorted((r.key, r.status) for c in cycles for r in harness.requests(c)),
            sorted((m.key, m.status) for m in harness.outbox()),
            # What happened, in order; not the hashes: they cover row ids, and PostgreSQL does
            # not give back the ids a retried (rolled back) unit of work took.
            [(e.seq, e.at, e.event, e.unit_id, e.from_state, e.to_state) for e in harness.audit()],
            sorted((t.key, t.status) for t in harness.timers()),
        )
    finally:
        event.remove(harness.store.engine, "before_cursor_execute", seen)
        harness.close()
    return held, contexts


def test_the_sqlalchemy_path_runs_every_statement_through_sqlalchemy_and_leaves_the_same_rows(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engine_module, "new_installation_id", lambda: "installation")  # keys
    plain, through_sqlalchemy = _a_fortnight(db_url, monkeypatch, "sqlalchemy")
    assert through_sqlalchemy and all(c is not None for c in through_sqlalchemy)
    with ExitStack() as stack:
        if db_url.startswith("sqlite"):
            other = f"sqlite:///{tmp_path}/fast.db"
        else:
            other = stack.enter_context(pg_schema_url())
        fast, on_driver = _a_fortnight(other, monkeypatch, "fast")
    assert any(c is None for c in on_driver)  # the fast path ran statements on the driver
    assert fast == plain


def test_the_path_is_read_once_per_engine(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOFTE_SQL_PATH", "sqlalchemy")
    engine = make_engine(sqlite_url)
    monkeypatch.setenv("LOFTE_SQL_PATH", "fast")
    assert driver_for(engine).sql_path == "sqlalchemy"
    assert driver_for(make_engine(sqlite_url)).fast


def test_an_unknown_sql_path_is_refused_in_swedish(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOFTE_SQL_PATH", "snabbast")
    with pytest.raises(ConfigError, match="LOFTE_SQL_PATH='snabbast': välj fast"):
        make_engine(sqlite_url)


def test_nothing_outside_the_drivers_asks_which_database_it_is_on() -> None:
    # a comparison with a dialect's name, or a database's own statements (a lookup of the
    # driver by name, `driver_class(dialect.name)`, is how code asks the driver instead)
    asks = re.compile(
        r"dialect\.name\s*[!=]=|[!=]=\s*\"(sqlite|postgresql)\"|\"(sqlite|postgresql)\"\s*[!=]="
        r"|\bself\.postgres\b|pg_insert|sqlite_insert|\bin \(\"(sqlite|postgresql)\""
    )
    found = []
    for path in STORAGE.rglob("*.py"):
        relative = path.relative_to(STORAGE)
        if relative.parts[0] in ("drivers", "migrations"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if asks.search(line):
                found.append(f"storage/{relative}:{number}: {line.strip()}")
    assert found == []
