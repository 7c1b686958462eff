"""Column types: timestamps are stored in UTC and always come back timezone-aware."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Float
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive input is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
        # (SQLite's DateTime writes the clock reading and ignores the zone: UTC's text)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]

    @staticmethod
    def aware(value: Any) -> datetime:
        """A value read outside a typed column (an aggregate, say) as an aware UTC datetime."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class PlainFloat(TypeDecorator[float]):
    """A double-precision number read back as a float, whatever the driver says its column
    type is: the fast path asks for result processors without the column's type, which
    psycopg's Float needs (it cannot tell float8 from numeric without it)."""

    impl = Float
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        return _as_float


def _as_float(value: Any) -> float | None:
    return None if value is None else float(value)
