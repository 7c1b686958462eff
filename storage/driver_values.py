"""How values go to the driver and come back from it, for `storage.fast_sql`'s plans: one
parameter's source and processor (`Bind`), a function made once per statement that reads all of
its parameters (`make_binder`) and one that converts its rows (`make_row_maker`), and the text
SQLAlchemy's SQLite DateTime stores, converted through a bounded memo; which parameters a
compiled statement has (`binds_of`) and the VALUES group many rows repeat (`values_group`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

from lofte.storage.library_internals import bind_processors, insertmanyvalues

Processor = Callable[[Any], Any] | None

# The same instants are written and read again and again (a step's deadline, a cycle's period),
# so each conversion is remembered (bounded: emptied when full). Equal aware datetimes are the
# same instant and share one text, with one exception that `fold` tells apart: in the autumn's
# repeated hour two local times with the same tzinfo and clock reading are equal (and hash
# alike) an hour apart.
_TEXT_OF: dict[tuple[datetime, int], str] = {}
_INSTANT_OF: dict[str, datetime] = {}
_REMEMBERED = 8192


def sqlite_utc_in(value: datetime | None) -> str | None:
    # What SQLAlchemy's SQLite DateTime stores ("2027-01-04 07:00:00.000000"), in UTC.
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
    key = (value, value.fold)
    text = _TEXT_OF.get(key)
    if text is None:
        text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        if len(_TEXT_OF) >= _REMEMBERED:
            _TEXT_OF.clear()
        _TEXT_OF[key] = text
    return text


def sqlite_utc_out(value: str) -> datetime:
    instant = _INSTANT_OF.get(value)
    if instant is None:
        instant = datetime.fromisoformat(value).replace(tzinfo=UTC)
        if len(_INSTANT_OF) >= _REMEMBERED:
            _INSTANT_OF.clear()
        _INSTANT_OF[value] = instant
    return instant


class Bind:
    """One parameter of a compiled statement: where its value comes from and how it is
    processed (what `SQLCompiler.construct_params` and the bind processors would do)."""

    __slots__ = ("constant", "default", "key", "name", "processor", "required")

    def __init__(self, name: str, bind: BindParameter[Any], processor: Processor) -> None:
        self.name, self.key, self.required = name, bind.key, bind.required
        self.default = bind.effective_value if not bind.required else None
        self.processor = processor
        # A value written into the statement (status == "pending"): an anonymous parameter
        # that only its compiled name could override.
        self.constant = not bind.required and bool(bind.unique)

    def value(self, given: Mapping[str, Any]) -> Any:
        if self.key in given:
            value = given[self.key]
        elif self.name in given:
            value = given[self.name]
        elif self.required:
            raise InvalidRequestError(f"A value is required for bind parameter {self.key!r}")
        else:
            value = self.default
        return value if self.processor is None else self.processor(value)


def make_binder(
    binds: list[Bind], positional: bool, slowly: Callable[[Mapping[str, Any]], Any]
) -> Callable[[Mapping[str, Any]], Any]:
    """A function made for one statement that gives the driver its parameters as `Bind.value`
    would, without a call per parameter: constants processed once, here; named parameters
    read by key and processed. A parameter not given by its key (named otherwise, or left to
    its default), or a constant overridden by its compiled name, goes the slow way."""
    scope: dict[str, Any] = {"slowly": slowly}
    parts = []
    overridable = set()
    for i, bind in enumerate(binds):
        constant = _processed_constant(bind)
        if constant is not _NOT_CONSTANT:
            scope[f"k{i}"] = constant
            overridable.add(bind.name)
            read = f"k{i}"
        else:
            read = f"given[{bind.key!r}]"
            if bind.processor is not None:
                scope[f"p{i}"] = bind.processor
                read = f"p{i}({read})"
            if not bind.required:  # a default: read by key if given, else the slow way
                scope[f"v{i}"] = bind.value
                read = f"({read} if {bind.key!r} in given else v{i}(given))"
        parts.append(read if positional else f"{bind.name!r}: {read}")
    made = f"({', '.join(parts)},)" if positional else f"{{{', '.join(parts)}}}"
    scope["overridable"] = frozenset(overridable)
    check = "    if not overridable.isdisjoint(given):\n        return slowly(given)\n"
    source = (
        "def bind(given):\n" + (check if overridable else "") + "    try:\n"
        f"        return {made}\n"
        "    except KeyError:\n"
        "        return slowly(given)\n"
    )
    exec(compile(source, "<fast_sql binder>", "exec"), scope)  # the text made above
    return cast(Callable[[Mapping[str, Any]], Any], scope["bind"])


_NOT_CONSTANT = object()


def _processed_constant(bind: Bind) -> Any:
    """A constant's value as the driver gets it; `_NOT_CONSTANT` for a parameter, or for a
    constant its processor refuses (then it is processed, and refused, at each execution)."""
    if not bind.constant:
        return _NOT_CONSTANT
    try:
        return bind.value({})
    except Exception:
        return _NOT_CONSTANT


def make_row_maker(
    row_type: Any, outputs: Sequence[Processor]
) -> Callable[[list[Sequence[Any]]], list[Sequence[Any]]]:
    """A function made for one statement that turns the driver's rows into Rows, each column
    through its result processor (None stays None), without a loop per column."""
    make = row_type._make
    if not any(outputs):
        return lambda found: list(map(make, found))
    scope: dict[str, Any] = {"new": tuple.__new__, "Row": row_type}
    parts = []
    for i, processor in enumerate(outputs):
        if processor is None:
            parts.append(f"r[{i}]")
        else:
            scope[f"c{i}"] = processor
            parts.append(f"(None if (v := r[{i}]) is None else c{i}(v))")
    source = f"def rows(found):\n    return [new(Row, ({', '.join(parts)},)) for r in found]\n"
    exec(compile(source, "<fast_sql rows>", "exec"), scope)  # the text made above
    return cast(Callable[[list[Sequence[Any]]], list[Sequence[Any]]], scope["rows"])


def values_group(
    statement: Any,
    compiled: SQLCompiler,
    dialect: Dialect,
    columns: tuple[str, ...],
    binds: list[Bind] | None,
) -> str | None:
    """For an INSERT with RETURNING on a driver with `?` parameters: the text of its one
    VALUES group, which many rows repeat; None if its parameters are not all in it."""
    if not (statement.is_insert and compiled.effective_returning and binds):
        return None
    if dialect.paramstyle != "qmark" or not dialect.use_insertmanyvalues:
        return None
    for_many = statement.compile(
        dialect=dialect, column_keys=list(columns) or None, for_executemany=True
    )
    values = insertmanyvalues(for_many)
    if values is None or values[1]:
        return None
    group = f"({values[0]})"
    if compiled.string.count(group) != 1 or group.count("?") != len(binds):
        return None
    return group


def binds_of(compiled: SQLCompiler, dialect: Dialect, driver: Any) -> list[Bind] | None:
    """A compiled statement's parameters in the driver's order, with their processors
    (SQLAlchemy's, or the `driver` class's instead); None if one is computed at execution or
    has a tuple type's processors."""
    processors = bind_processors(compiled)
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    names = list(compiled.positiontup or []) if dialect.positional else list(by_name)
    binds = []
    for name in names:
        bind = by_name[name]
        if bind.callable is not None:
            return None  # a value computed at execution: let SQLAlchemy call it
        processor = driver.bind_processor(bind.type, processors.get(name))
        if processor is not None and not callable(processor):
            return None  # a tuple type's processors
        binds.append(Bind(name, bind, processor))
    return binds
