"""IN lists expanded once per lengths of the lists (see `storage.fast_sql.Plan.expanded`).

SQLAlchemy expands an IN list into one parameter per element at every execution. The expanded
SQL, and where each of its parameters comes from, depend only on the lengths of the lists (and
on which optional parameters were given), so a layout is made once per such shape from
SQLAlchemy's own expansion and later executions only bind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lofte.storage.fast_sql import Plan

MAX_LAYOUTS = 256  # expansions kept per statement (one per lengths of its IN lists)


class _Sentinel:
    """Stands for one element of an IN list while SQLAlchemy expands it, so that every
    expanded parameter can be traced back to the element it holds."""

    __slots__ = ("index", "source")

    def __init__(self, source: str, index: int) -> None:
        self.source, self.index = source, index


class InListLayout:
    """An expansion for given lengths of a statement's IN lists: its SQL, and for each of its
    parameters, in order, where the value comes from and its processor."""

    CONSTANT = -2  # a value written into the statement: kept, processed, in the layout
    GIVEN = -1  # a parameter given by name

    def __init__(
        self, sql: str, names: list[str] | None, sources: list[tuple[str, int, Any]]
    ) -> None:
        self.sql = sql
        self.names = names  # for named parameters (PostgreSQL); None: positional
        # (parameter, index in its IN list, or GIVEN, or CONSTANT; processor, or for a
        # CONSTANT its processed value)
        self.sources = sources

    @classmethod
    def made(cls, plan: Plan, given: Mapping[str, Any]) -> InListLayout:
        marked = dict(given)
        for name in plan.expanding:
            if name in given:
                marked[name] = [_Sentinel(name, i) for i in range(len(given[name]))]
        state = plan.compiled.construct_expanded_state(marked)
        processors = dict(plan.processors)  # as SQLAlchemy merges them (engine/default.py)
        processors.update(state.processors or {})
        values = state.parameters
        names = list(state.positiontup or ()) if plan.positional else list(values)
        sources = []
        for name in names:
            value, processor = values[name], processors.get(name)
            if isinstance(value, _Sentinel):
                sources.append((value.source, value.index, processor))
            elif name in given:
                sources.append((name, cls.GIVEN, processor))
            else:
                processed = value if processor is None else processor(value)
                sources.append((name, cls.CONSTANT, processed))
        return cls(state.statement, None if plan.positional else names, sources)

    def bind(self, given: Mapping[str, Any]) -> Any:
        values = []
        for name, index, processor in self.sources:
            if index == self.CONSTANT:
                values.append(processor)
                continue
            value = given[name] if index == self.GIVEN else given[name][index]
            values.append(value if processor is None else processor(value))
        return tuple(values) if self.names is None else dict(zip(self.names, values, strict=True))
