"""Prebuilt statements run on the driver (`storage.fast_sql`) read and write exactly what
SQLAlchemy would, on both databases, and a driver error surfaces as SQLAlchemy's."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError, InvalidRequestError

from lofte.storage import driver_values, fast_sql, plans, rows
from lofte.storage.database import make_engine
from lofte.storage.fast_sql import plan_for
from lofte.storage.repositories import actions as actions_module
from lofte.storage.repositories import cycles as cycles_module
from lofte.storage.repositories import outbox as outbox_module
from lofte.storage.repositories import requests as requests_module
from lofte.storage.repositories import timers as timers_module
from lofte.storage.tables import StepContextRow
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.records import Action
from lofte.workflow.drivers.fake_answers import fake_answer
from tests.harness import Harness, utc
from tests.storage.sql_paths import fast_path_only


def test_rows_read_on_the_driver_equal_rows_read_through_sqlalchemy(harness: Harness) -> None:
    harness.run_until(utc(2027, 1, 12))  # a week of cycles: requests, timers, outbox
    messages = harness.outbox()
    assert len(messages) > 20
    with harness.store.unit_of_work() as uow:
        dialect = uow.connection.dialect
        assert plan_for(outbox_module._BY_ID, dialect, {"id": 1}) is not None
        for message in messages:
            fast = uow.outbox.get(message.id or 0)
            slow = uow.connection.execute(outbox_module._BY_ID, {"id": message.id}).mappings()
            assert fast == rows.message(slow.one()) == message
            assert fast.created_at.tzinfo is UTC and fast.context == message.context
        due = uow.timers.next_due()  # an aggregate, on the driver
        slow_due = uow.connection.execute(timers_module._NEXT_DUE).scalar()
    assert due is not None and due == UtcDateTime.aware(slow_due)


def test_values_written_on_the_driver_read_back_the_same(harness: Harness) -> None:
    harness.run_until(utc(2027, 1, 5))
    message = harness.outbox()[0]
    moment = datetime(2027, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)
    with harness.store.unit_of_work() as uow:
        uow.outbox.mark_sent([(message, "fil: åäö.eml")], moment, "someone-else")  # not held
        uow.outbox.save(dataclasses.replace(message, claimed_by="d1"))
        uow.outbox.mark_sent([(message, "fil: åäö.eml")], moment, "d1")
    sent = next(m for m in harness.outbox() if m.id == message.id)
    assert sent.sent_at == moment and sent.delivery == "fil: åäö.eml"
    assert sent.status.value == "sent" and sent.last_error is None


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(harness: Harness) -> None:
    with pytest.raises(IntegrityError), harness.store.unit_of_work() as uow:
        uow.contexts.put(999_999, "ingen", {"a": 1})  # no such cycle: a foreign key refuses it
    with harness.store.unit_of_work() as uow:  # nothing was left half-way
        assert uow.contexts.get(999_999, "ingen") is None


def test_a_statement_built_at_run_time_goes_through_sqlalchemy(harness: Harness) -> None:
    built_now = select(rows.OUTBOX).where(rows.OUTBOX.c.id == bindparam("id"))
    with harness.store.unit_of_work() as uow:
        assert plan_for(built_now, uow.connection.dialect, {"id": 1}) is None


def test_in_lists_are_expanded_on_the_driver_as_sqlalchemy_expands_them(
    harness: Harness,
) -> None:
    harness.run_until(utc(2027, 1, 12))  # cycles of every unit have opened
    units = sorted({m.unit_id for m in harness.outbox()})
    inventories = harness.cycles("est-inventering")
    definition = harness.bundle.definition("est-inventering")
    for cycle in inventories:  # answered inventories, for the answered requests' IN list
        for request in harness.requests(cycle, "rapportering"):
            if request.status.value == "open" and harness.clock.now() <= request.deadline_at:
                unit = harness.bundle.directory.unit(cycle.unit_id)
                assert unit is not None
                answer = fake_answer(
                    definition.step("rapportering"),
                    request.roles,
                    harness.bundle.directory.members(unit),
                    random.Random(request.id),
                    harness.clock.now(),
                )
                harness.engine.submit(request.id or 0, request.person_id, answer)
    parameters = {
        "definition": "est-inventering",
        "units": units,
        "start": utc(2026, 12, 1),
        "end": utc(2027, 2, 1),
    }
    with harness.store.unit_of_work() as uow:
        plan = plan_for(cycles_module._BETWEEN, uow.connection.dialect, parameters)
        assert plan is not None and plan.binds is None  # expanded at each execution
        slow = uow.connection.execute(cycles_module._BETWEEN, parameters).mappings().all()
        quick = fast_sql.execute(uow.connection, cycles_module._BETWEEN, parameters)
        assert [dict(r) for r in slow] == quick.mappings().all() and len(slow) >= 2
        # An expansion is kept per lengths of the lists: lengths come and go, none, repeated;
        # with a constant in the statement (status) beside the list (answered requests).
        ids = [c.id for c in inventories]
        answered = 0
        for chosen in ([ids[0]], [], ids, [ids[-1], ids[0]], [], [ids[0]], ids, [10**9]):
            for statement, given in (
                (cycles_module._BETWEEN, parameters | {"units": [units[0]] * len(chosen)}),
                (requests_module._ANSWERED, {"instances": chosen, "step": "rapportering"}),
                # beside a NOT IN list of constants written into the statement
                (actions_module._OPEN_IN, {"units": units[: len(chosen)], "kinds": ["insats"]}),
            ):
                slow = uow.connection.execute(statement, given).mappings().all()
                quick = fast_sql.execute(uow.connection, statement, given).mappings().all()
                assert [dict(r) for r in slow] == quick
                answered += len(quick) if statement is requests_module._ANSWERED else 0
        assert answered > 5


def test_times_beside_an_in_list_are_stored_as_sqlalchemy_stores_them(sqlite_url: str) -> None:
    # An expanded statement's other parameters keep their processors: UTC, SQLAlchemy's text.
    engine = make_engine(sqlite_url)
    plan = plan_for(cycles_module._BETWEEN, engine.dialect, {"units": ["a"]})
    cet = timezone(timedelta(hours=1))
    assert plan is not None
    _, values = plan.expanded(
        {
            "definition": "est-inventering",
            "units": ["sala", "surahammar"],
            "start": datetime(2027, 1, 4, 8, 0, 0, 123456, tzinfo=cet),
            "end": datetime(2027, 1, 5, tzinfo=UTC),
        }
    )
    assert values == (
        "est-inventering",
        "sala",
        "surahammar",
        "2027-01-04 07:00:00.123456",
        "2027-01-05 00:00:00.000000",
    )
    engine.dispose()


@fast_path_only
def test_many_rows_with_returning_keep_their_ids_however_many_inserts_they_take(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite one INSERT carries a VALUES group per row (here at most two, by the parameter
    # limit, though three are allowed); on PostgreSQL psycopg runs the one-row INSERT for each
    # row, in one pipeline. Either way each new row comes back with its own id.
    monkeypatch.setattr(plans, "ROWS_PER_INSERT", 3)
    harness.run_until(utc(2027, 1, 5))
    cycle = harness.cycles()[0]
    template = harness.requests(cycle)[0]
    copies = [
        dataclasses.replace(template, key=f"{template.key}-kopia-{i}", id=None) for i in range(5)
    ]
    with harness.store.unit_of_work() as uow:
        dialect = uow.connection.dialect
        plan = plan_for(requests_module._ADD, dialect, [rows.request_values(copies[0])])
        assert plan is not None and (plan.values_group is not None) == (dialect.name == "sqlite")
        monkeypatch.setattr(plan, "max_parameters", 2 * len(plan.binds or ()))  # two rows fit
        inserts: list[str] = []

        def seen(_c: object, _cur: object, sql: str, *_rest: object) -> None:
            if sql.startswith("INSERT INTO input_requests"):
                inserts.append(sql)

        event.listen(harness.store.engine, "before_cursor_execute", seen)
        try:
            added = uow.requests.add_many(copies)
        finally:
            event.remove(harness.store.engine, "before_cursor_execute", seen)
    if harness.store.engine.dialect.name == "sqlite":
        assert [sql.count("), (") + 1 for sql in inserts] == [2, 2, 1]
    else:
        assert inserts == [plan.sql]  # the plan's own statement, on the driver
    assert [r.key for r in added] == [c.key for c in copies]
    assert len({r.id for r in added}) == 5
    with harness.store.unit_of_work() as uow:
        for request in added:
            assert uow.requests.get(request.id or 0) == request


def test_insert_or_ignore_of_many_rows_returns_only_the_rows_it_added(harness: Harness) -> None:
    harness.run_until(utc(2027, 1, 5))
    cycle = harness.cycles()[0]
    action = Action(
        key="atgard-1",
        unit_id=cycle.unit_id,
        kind="insats",
        source_instance_id=cycle.id or 0,
        source_label="test",
        what="Trygghetsvandring",
        owner_id="anna",
        owner_party="kommun",
        created_at=utc(2027, 1, 5, 9),
    )
    with harness.store.unit_of_work() as uow:
        (first,) = uow.actions.add_many([action])
    again = dataclasses.replace(action, key="atgard-2", what="Ljussättning")
    with harness.store.unit_of_work() as uow:
        added = uow.actions.add_many([action, again])  # the first is there already
    assert [a.key for a in added] == ["atgard-2"]
    assert added[0].id is not None and added[0].id != first.id


def test_equal_instants_are_stored_as_one_utc_text_and_naive_times_are_refused() -> None:
    cet = timezone(timedelta(hours=1))
    local = datetime(2027, 1, 4, 8, 0, tzinfo=cet)
    assert driver_values.sqlite_utc_in(local) == "2027-01-04 07:00:00.000000"
    assert driver_values.sqlite_utc_in(local.astimezone(UTC)) == "2027-01-04 07:00:00.000000"
    with pytest.raises(ValueError, match="naive"):
        driver_values.sqlite_utc_in(datetime(2027, 1, 4, 7, 0))
    # The autumn's repeated hour: equal clock readings, one hour apart, stored apart.
    stockholm = ZoneInfo("Europe/Stockholm")
    later = datetime(2027, 10, 31, 2, 30, tzinfo=stockholm, fold=1)
    earlier = datetime(2027, 10, 31, 2, 30, tzinfo=stockholm)
    assert driver_values.sqlite_utc_in(later) == "2027-10-31 01:30:00.000000"
    assert driver_values.sqlite_utc_in(earlier) == "2027-10-31 00:30:00.000000"
    read = driver_values.sqlite_utc_out("2027-01-04 07:00:00.000000")
    assert read == local and read.tzinfo is UTC


def test_parameters_named_otherwise_or_left_to_defaults_are_bound_as_sqlalchemy_binds_them(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    with_default = select(rows.OUTBOX.c.id).where(
        rows.OUTBOX.c.kind == bindparam("kind", "request"), rows.OUTBOX.c.id == bindparam("id")
    )
    fast_sql.prepare_module({"with_default": with_default})
    plan = plan_for(with_default, engine.dialect, {"id": 1})
    assert plan is not None
    assert plan.parameters({"id": 7}) == ("request", 7)  # the default, by the slow way
    assert plan.parameters({"kind": "reminder", "id": 7}) == ("reminder", 7)
    with pytest.raises(InvalidRequestError, match="'id'"):
        plan.parameters({"kind": "reminder"})
    engine.dispose()


def test_constants_of_a_statement_are_bound_as_written_unless_overridden_by_name(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    pending = select(rows.OUTBOX.c.id).where(
        rows.OUTBOX.c.status == "pending", rows.OUTBOX.c.id == bindparam("id")
    )
    fast_sql.prepare_module({"pending": pending})
    plan = plan_for(pending, engine.dialect, {"id": 1})
    assert plan is not None
    assert plan.parameters({"id": 7}) == ("pending", 7)
    compiled = pending.compile(dialect=engine.dialect)
    override = {"id": 7, "status_1": "sent"}  # SQLAlchemy lets a constant's name override it
    assert compiled.construct_params(override)["status_1"] == "sent"
    assert plan.parameters(override) == ("sent", 7)
    claim = {"now": datetime(2027, 1, 4, 8, tzinfo=UTC), "by": "motorn"}
    timer_plan = plan_for(timers_module._CLAIM, engine.dialect, claim)
    assert timer_plan is not None
    assert timer_plan.parameters(claim) == timer_plan._bind_slowly(claim)
    engine.dispose()


def test_a_step_context_is_stored_once_and_replaced_in_place(harness: Harness) -> None:
    harness.run_until(utc(2027, 1, 5))
    cycle = harness.cycles()[0]
    with harness.store.unit_of_work() as uow:
        uow.contexts.put(cycle.id or 0, "provsteg", {"v": 1, "items": ["första"]})
    with harness.store.unit_of_work() as uow:
        uow.contexts.put(cycle.id or 0, "provsteg", {"v": 1, "items": ["andra", "åäö"]})
    with harness.store.unit_of_work() as uow:
        assert uow.contexts.get(cycle.id or 0, "provsteg") == {"v": 1, "items": ["andra", "åäö"]}
        stored = uow.connection.execute(
            select(func.count()).where(
                rows.table(StepContextRow).c.instance_id == cycle.id,
                rows.table(StepContextRow).c.step_id == "provsteg",
            )
        ).scalar()
    assert stored == 1


# A statement of the test's own: an IN list beside a parameter with a default.
_SHAPES = MetaData()
_ITEMS = Table(
    "fast_sql_items", _SHAPES, Column("id", Integer, primary_key=True), Column("kind", String(8))
)
_IN_LIST_AND_DEFAULT = (
    select(_ITEMS.c.id)
    .where(
        _ITEMS.c.id.in_(bindparam("ids", expanding=True)),
        _ITEMS.c.kind == bindparam("kind", value="a"),
    )
    .order_by(_ITEMS.c.id)
)
fast_sql.prepare_module({"statement": _IN_LIST_AND_DEFAULT})


def test_an_expansion_is_kept_per_lengths_and_per_default_given_or_not(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as c:
            _ITEMS.drop(c, checkfirst=True)
            _ITEMS.create(c)
            c.execute(insert(_ITEMS), [{"id": i, "kind": "ab"[i % 2]} for i in range(1, 7)])
            for make in (
                lambda: {"ids": [1, 2, 3]},  # the default kind
                lambda: {"ids": [4, 5, 6], "kind": "b"},  # the same lengths, the kind given
                lambda: {"ids": [1, 2, 4]},  # the default again
                lambda: {"ids": {2, 4, 5}, "kind": "b"},  # a set, as SQLAlchemy takes one
                lambda: {"ids": (n for n in (1, 2)), "kind": "a"},  # and any iterable
            ):
                quick = fast_sql.execute(c, _IN_LIST_AND_DEFAULT, make()).all()
                given = {k: list(v) if k == "ids" else v for k, v in make().items()}
                slow = c.execute(_IN_LIST_AND_DEFAULT, given).all()
                assert [tuple(r) for r in quick] == [tuple(r) for r in slow] != []
            _ITEMS.drop(c)
    finally:
        engine.dispose()
