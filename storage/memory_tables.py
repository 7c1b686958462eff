"""The in-memory store's tables: dicts changed only through a unit of work's journal, which
can undo every change (`storage.memory`), and records kept as the SQL store keeps them (times
in UTC, naive ones refused; JSON values written and read as independent copies).

Which fields are times, JSON or enums is read from the records' own type hints, so a field
added to a record needs nothing here."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from lofte.storage import json_text

R = TypeVar("R")
_ABSENT = object()


class Journal:
    """What a unit of work changed, to undo it (newest first) if the unit of work fails."""

    def __init__(self) -> None:
        self._undo: list[tuple[dict[Any, Any], Any, Any]] = []

    def put(self, target: dict[Any, Any], key: Any, value: Any) -> None:
        self._undo.append((target, key, target.get(key, _ABSENT)))
        target[key] = value

    def pop(self, target: dict[Any, Any], key: Any) -> None:
        if key in target:
            self._undo.append((target, key, target.pop(key)))

    def undo(self) -> None:
        for target, key, before in reversed(self._undo):
            if before is _ABSENT:
                target.pop(key, None)
            else:
                target[key] = before
        self._undo.clear()


class Table(Generic[R]):
    """Records by id (ids counted from 1, in insertion order, as SQLite counts them), with an
    optional unique key and groups (ids by the value of a function of the record)."""

    def __init__(
        self,
        unique: Callable[[R], Hashable] | None = None,
        **groups: Callable[[R], Hashable],
    ) -> None:
        self.rows: dict[int, R] = {}
        self.counter: dict[str, int] = {"last": 0}
        self._unique = unique
        self.by_unique: dict[Hashable, int] = {}
        self._groups = groups
        self.groups: dict[str, dict[Hashable, dict[int, None]]] = {name: {} for name in groups}

    def insert(self, journal: Journal, record: R) -> R:
        new_id = self.counter["last"] + 1
        journal.put(self.counter, "last", new_id)
        stored = kept(record, id=new_id)
        journal.put(self.rows, new_id, stored)
        if self._unique is not None:
            journal.put(self.by_unique, self._unique(stored), new_id)
        for name, of in self._groups.items():
            self._join(journal, name, of(stored), new_id)
        return stored

    def replace(self, journal: Journal, record: R) -> None:
        """Store `record` in place of the record with its id."""
        row_id: int = record.id  # type: ignore[attr-defined]
        old = self.rows[row_id]
        new = kept(record)
        journal.put(self.rows, row_id, new)
        for name, of in self._groups.items():
            before, after = of(old), of(new)
            if before != after:
                journal.pop(self.groups[name][before], row_id)
                self._join(journal, name, after, row_id)

    def _join(self, journal: Journal, name: str, value: Hashable, row_id: int) -> None:
        members = self.groups[name].get(value)
        if members is None:
            members = {}
            journal.put(self.groups[name], value, members)
        journal.put(members, row_id, None)

    def get(self, row_id: int | None) -> R | None:
        return None if row_id is None else self.rows.get(row_id)

    def find(self, key: Hashable) -> R | None:
        return self.get(self.by_unique.get(key))

    def group(self, name: str, value: Hashable) -> list[R]:
        """The group's records, by id."""
        return [self.rows[i] for i in sorted(self.groups[name].get(value, ()))]

    def all(self) -> Iterable[R]:
        return self.rows.values()


# Records as stored ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Shape:
    times: tuple[str, ...]
    json: tuple[str, ...]
    enums: tuple[tuple[str, type[Enum]], ...]


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        times, json, enums = [], [], []
        for name, hint in typing.get_type_hints(cls).items():
            parts = _parts(hint)
            if datetime in parts:
                times.append(name)
            elif dict in parts or _tuple_of_dicts(hint):
                json.append(name)
            for part in parts:
                if isinstance(part, type) and issubclass(part, Enum):
                    enums.append((name, part))
        shape = _SHAPES[cls] = _Shape(tuple(times), tuple(json), tuple(enums))
    return shape


def _parts(hint: Any) -> set[Any]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return set().union(*(_parts(arg) for arg in typing.get_args(hint)))
    return {typing.get_origin(hint) or hint}


def _tuple_of_dicts(hint: Any) -> bool:
    args = typing.get_args(hint) if typing.get_origin(hint) is tuple else ()
    return bool(args) and typing.get_origin(args[0]) is dict


@typing.overload
def utc(value: datetime) -> datetime: ...


@typing.overload
def utc(value: None) -> None: ...


def utc(value: datetime | None) -> datetime | None:
    """As a timestamp column stores it: UTC; a naive time is refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
    return value.astimezone(UTC)


def stored_json(value: Any) -> Any:
    """As a JSON column stores it (tuples become lists, keys text), as a copy of its own."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(json_text.loads(json_text.dumps(list(value))))
    return json_text.loads(json_text.dumps(value))


def copied(value: Any) -> Any:
    """A copy of a stored JSON value (lists, dicts, text, numbers), as a read makes one."""
    kind = type(value)
    if kind is dict:
        return {k: copied(v) for k, v in value.items()}
    if kind is list:
        return [copied(v) for v in value]
    if kind is tuple:
        return tuple(copied(v) for v in value)
    return value


def replaced(record: R, **changes: Any) -> R:
    """`dataclasses.replace` for the records (frozen, with slots and no `__post_init__`),
    without its cost: a third of the store's time went to it."""
    cls = type(record)
    slots: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    if not changes.keys() <= set(slots):
        raise TypeError(f"{cls.__name__} has no {sorted(changes.keys() - set(slots))}")
    made = object.__new__(cls)
    for name in slots:
        object.__setattr__(made, name, changes[name] if name in changes else getattr(record, name))
    return made


def kept(record: R, like: R | None = None, **changes: Any) -> R:
    """`record` (with `changes`) as the store keeps it: times in UTC, JSON values its own,
    enums as enums. A JSON value that is `like`'s own object (the stored record `record` was
    made from) is kept as it is."""
    shape = _shape(type(record))
    for name in shape.times:
        value = getattr(record, name)
        if value is not None and value.tzinfo is not UTC:
            changes[name] = utc(value)
    for name in shape.json:
        value = getattr(record, name)
        if like is None or value is not getattr(like, name):
            changes[name] = stored_json(value)
    for name, enum in shape.enums:
        value = getattr(record, name)
        if value is not None and type(value) is not enum:
            changes[name] = enum(value)
    return replaced(record, **changes) if changes else record


def fresh(record: R) -> R:
    """A stored record as a read returns it: its JSON values copies the caller may change."""
    shape = _shape(type(record))
    if not shape.json:
        return record
    return replaced(record, **{name: copied(getattr(record, name)) for name in shape.json})


def fresh_all(records: Iterable[R]) -> list[R]:
    return [fresh(r) for r in records]
