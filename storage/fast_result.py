"""The part of SQLAlchemy's `Result` the repositories use, over rows a plan of
`storage.fast_sql` has fetched already."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.exc import MultipleResultsFound, NoResultFound


class FastResult:
    """The part of SQLAlchemy's `Result` the repositories use, over rows already fetched."""

    def __init__(
        self, names: Sequence[str] | None, rows: list[Sequence[Any]], rowcount: int
    ) -> None:
        self.names = names
        self.rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return iter(self.rows)

    def all(self) -> list[Sequence[Any]]:
        return list(self.rows)

    def first(self) -> Sequence[Any] | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def one(self) -> Sequence[Any]:
        if len(self.rows) != 1:
            raise NoResultFound("ingen rad") if not self.rows else MultipleResultsFound("flera")
        return self.rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]

    def mappings(self) -> FastMappings:
        return FastMappings([dict(zip(self.names or (), row, strict=True)) for row in self.rows])


class FastMappings:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def all(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def first(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None
