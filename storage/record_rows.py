"""Rows to records and records to rows, derived from the record's dataclass fields and its table.

A field whose column has the same name is read and written as it is, but where the types
really differ, which the field's annotation says: an enum (`StrEnum`) is stored as its value,
a tuple as a JSON list (None for an empty one where the column may be NULL), a `bool` comes
back from SQLite as an integer, and a JSON object that may not be None comes back as `{}` for
NULL.
A field without a column (a timer's `note`) is not stored; a column without a field is not
read. Anything else is an explicit exception given to `RecordRows` (`renamed`, `read_as`).

Reading and writing run for every row of every step, so each direction is one function made
once per record type (as `storage.driver_values` makes its binders), without a loop per field.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Table

R = TypeVar("R")
Row = Mapping[str, Any]


def _optional(annotation: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed) of `X | None`."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


class RecordRows(Generic[R]):
    """How records of one dataclass are read from and written to one table's rows."""

    def __init__(
        self,
        record: type[R],
        table: Table,
        *,
        renamed: Mapping[str, str] | None = None,
        read_as: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        """`renamed`: field -> its column where the names differ; `read_as`: field -> how its
        column's value is read, where the rule above does not say it."""
        self.record = record
        self.columns = {column.name: column for column in table.c}
        self.renamed = dict(renamed or {})
        self.special = dict(read_as or {})
        hints = typing.get_type_hints(record)
        self.fields = [
            (f, hints[f.name])
            for f in dataclasses.fields(cast(Any, record))
            if self.renamed.get(f.name, f.name) in self.columns
        ]
        self.read: Callable[[Row], R] = self._make_reader()
        self.values: Callable[[R], dict[str, Any]] = self._make_writer()

    def _make_reader(self) -> Callable[[Row], R]:
        scope: dict[str, Any] = {"Record": self.record}
        parts = []
        for i, (f, annotation) in enumerate(self.fields):
            value = f"row[{self.renamed.get(f.name, f.name)!r}]"
            kind, optional = _optional(annotation)
            origin = typing.get_origin(kind) or kind
            if f.name in self.special:
                scope[f"s{i}"] = self.special[f.name]
                value = f"s{i}({value})"
            elif _is_enum(kind):
                scope[f"e{i}"] = kind
                value = f"(e{i}(v) if (v := {value}) else None)" if optional else f"e{i}({value})"
            elif origin is tuple:
                value = f"tuple({value} or ())"
            elif kind is bool:
                value = f"bool({value})"  # SQLite's Boolean is an integer
            elif origin is dict and not optional:
                value = f"({value} or {{}})"
            parts.append(f"{f.name}={value}")
        source = f"def read(row):\n    return Record({', '.join(parts)})\n"
        return cast(Callable[[Row], R], _compiled(source, scope, "read"))

    def _make_writer(self) -> Callable[[R], dict[str, Any]]:
        parts = []
        for f, annotation in self.fields:
            value = f"r.{f.name}"
            kind, optional = _optional(annotation)
            column = self.columns[self.renamed.get(f.name, f.name)]
            if _is_enum(kind):
                value = f"(v.value if (v := {value}) else None)" if optional else f"{value}.value"
            elif (typing.get_origin(kind) or kind) is tuple:
                value = f"(list({value}) or None)" if column.nullable else f"list({value})"
            parts.append(f"{column.name!r}: {value}")
        drop_id = "id" in self.columns and any(f.name == "id" for f, _ in self.fields)
        source = (
            "def values(r):\n"
            f"    made = {{{', '.join(parts)}}}\n"
            + ('    if made["id"] is None:\n        del made["id"]\n' if drop_id else "")
            + "    return made\n"
        )
        return cast(Callable[[R], dict[str, Any]], _compiled(source, {}, "values"))

    def picked(self, record: R, columns: tuple[str, ...]) -> dict[str, Any]:
        """Some columns' values of a record (an UPDATE's SET)."""
        made = self.values(record)
        return {name: made[name] for name in columns}


def _compiled(source: str, scope: dict[str, Any], name: str) -> Any:
    exec(compile(source, f"<record_rows {name}>", "exec"), scope)  # the text made above
    return scope[name]
