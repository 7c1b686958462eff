"""What `storage.library_internals` relies on in SQLAlchemy and psycopg, checked directly: if a
library upgrade changes one of them, the test names the library, its version and the attribute
(the fast path then needs mending; `LOFTE_SQL_PATH=sqlalchemy` runs without it meanwhile)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from lofte.storage import library_internals as internals
from lofte.storage.types import UtcDateTime
from tests.conftest import PG_SERVER, require_postgres

T = Table(
    "things",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime()),
    Column("doc", JSON),
    Column("name", String(20)),
)
AT = datetime(2027, 1, 4, 7, 0, 1, 5, tzinfo=UTC)


@contextmanager
def relying_on(library: Any, attribute: str) -> Iterator[None]:
    """Fail, naming what changed, if anything in the block raises or asserts."""
    try:
        yield
    except Exception as exc:
        pytest.fail(
            f"{library.__name__} {library.__version__}: {attribute} is no longer what "
            f"storage.library_internals relies on ({type(exc).__name__}: {exc}); mend it, and "
            "meanwhile run with LOFTE_SQL_PATH=sqlalchemy",
            pytrace=False,
        )


def test_bind_processors_are_what_sqlalchemy_applies() -> None:
    statement = select(T.c.id).where(T.c.at == bindparam("at", type_=UtcDateTime()))
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        compiled = statement.compile(dialect=dialect)
        with relying_on(sqlalchemy, "SQLCompiler._bind_processors"):
            processors = internals.bind_processors(compiled)
            assert set(processors) <= set(compiled.bind_names.values())
            public = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
            assert public is not None and processors["at"](AT) == public(AT)


def test_result_columns_name_each_column_and_its_type() -> None:
    compiled = select(T.c.id, T.c.at.label("when")).compile(dialect=sqlite.dialect())
    with relying_on(sqlalchemy, "SQLCompiler._result_columns"):
        found = list(internals.result_columns(compiled))
        assert [name for name, _ in found] == ["id", "when"]
        assert isinstance(found[0][1], Integer) and isinstance(found[1][1], UtcDateTime)


def test_a_result_processor_reads_as_a_result_does(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/t.db")
    T.metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(insert(T), {"id": 1, "at": AT, "doc": {"a": [1]}, "name": "x"})
        through_sqlalchemy = c.execute(select(T.c.at)).scalar()
        raw = c.exec_driver_sql("SELECT at FROM things").scalar()
    with relying_on(sqlalchemy, "TypeEngine._cached_result_processor"):
        processor = internals.result_processor(T.c.at.type, engine.dialect)
        assert processor is not None and processor(raw) == through_sqlalchemy == AT
    engine.dispose()


def test_an_insert_says_whether_values_were_given() -> None:
    with relying_on(sqlalchemy, "ValuesBase._values / _multi_values"):
        assert not internals.has_values(insert(T))
        assert internals.has_values(insert(T).values(name="x"))
        assert internals.has_values(insert(T).values([{"name": "x"}, {"name": "y"}]))


def test_insertmanyvalues_gives_the_values_group_many_rows_repeat() -> None:
    statement = insert(T).returning(T.c.id)
    compiled = statement.compile(
        dialect=sqlite.dialect(), column_keys=["name"], for_executemany=True
    )
    with relying_on(sqlalchemy, "SQLCompiler._insertmanyvalues"):
        found = internals.insertmanyvalues(compiled)
        assert found is not None
        group, batched_otherwise = found
        assert f"VALUES ({group})" in compiled.string and not batched_otherwise


def test_invalidating_the_pool_retires_the_connections_made_before(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/t.db")
    first = engine.connect()
    before = first.connection.dbapi_connection
    first.close()  # back to the pool
    second = engine.connect()
    with relying_on(sqlalchemy, "Pool._invalidate"):
        internals.invalidate_pool(second, second.connection, ConnectionError("gone"))
        second.invalidate()
        second.close()
        with engine.connect() as third:
            assert third.connection.dbapi_connection is not before
    engine.dispose()


def test_cursor_listeners_are_the_engines_listeners(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/t.db")
    seen: list[tuple[str, str]] = []
    with engine.connect() as c, relying_on(sqlalchemy, "Connection.dispatch"):
        assert not any(internals.cursor_listeners(c))
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(("before", a[2])))
    event.listen(engine, "after_cursor_execute", lambda *a: seen.append(("after", a[2])))
    with engine.connect() as c, relying_on(sqlalchemy, "Connection.dispatch"):
        before, after = internals.cursor_listeners(c)
        before(c, None, "SELECT 1", (), None, False)
        after(c, None, "SELECT 1", (), None, False)
        assert seen == [("before", "SELECT 1"), ("after", "SELECT 1")]
    engine.dispose()


def test_the_compilers_undocumented_attributes_are_there() -> None:
    statement = select(T).where(T.c.id.in_(bindparam("ids", expanding=True)))
    compiled = statement.compile(dialect=sqlite.dialect())
    for name in internals.COMPILER_ATTRIBUTES:
        with relying_on(sqlalchemy, f"SQLCompiler.{name}"):
            assert hasattr(compiled, name)
    with relying_on(sqlalchemy, "SQLCompiler.construct_expanded_state"):
        state = compiled.construct_expanded_state({"ids": [1, 2]})
        assert state.statement.count("?") == 2 and list(state.parameters) == ["ids_1", "ids_2"]


def test_psycopg_sends_and_loads_as_the_direct_statements_do() -> None:
    require_postgres()
    pg = internals.psycopg_internals()
    url = PG_SERVER.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as driver:
        with relying_on(psycopg, "adapt.Transformer"):
            transformer = pg.transformer(driver)
            dumped = transformer.dump_sequence([41, "a"], [psycopg.adapt.PyFormat.AUTO] * 2)
            types, formats = tuple(transformer.types), list(transformer.formats)
        with relying_on(psycopg, "generators.execute / Connection.wait"):
            pgconn = driver.pgconn
            pgconn.send_query_params(
                b"SELECT $1::int + 1, $2::text", dumped, param_types=types, param_formats=formats
            )
            (result,) = pg.wait(driver, pg.execute_generator(pgconn))
        with relying_on(psycopg, "Transformer.set_pgresult / load_rows"):
            transformer.set_pgresult(result)
            assert transformer.load_rows(0, result.ntuples, tuple) == [(42, "a")]
        with relying_on(psycopg, "generators.send / fetch_many (a pipeline)"):
            pgconn.enter_pipeline_mode()
            pgconn.send_query_params(b"SELECT 1", None)
            pgconn.pipeline_sync()
            pg.wait(driver, pg.send_generator(pgconn))
            got = pg.wait(driver, pg.fetch_many(pgconn))
            pg.wait(driver, pg.fetch_many(pgconn))  # the sync
            pgconn.exit_pipeline_mode()
            assert got[-1].status == psycopg.pq.ExecStatus.TUPLES_OK
        with relying_on(psycopg, "errors.error_from_result"):
            pgconn.send_query_params(b"SELECT * FROM no_such_table_here", None)
            (failed,) = pg.wait(driver, pg.execute_generator(pgconn))
            error = pg.error_from_result(failed, encoding=driver.info.encoding)
            assert isinstance(error, psycopg.errors.UndefinedTable)
