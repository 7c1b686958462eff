"""People who have left the organisation (`lofte person remove`): the register the directory
reads beside the organisation file. A departed person holds no role any more, whatever a later
organisation file says, and is asked for nothing; their name stays on the closed records that
name them until the records' retention ends, when a pseudonym replaces it
(`workflow.core.people`).

Stored in the catalog (kind `departures`), one document per version holding the whole list,
so every removal is kept; the audit log says who removed whom and when.
"""

from __future__ import annotations

from datetime import datetime

from lofte.definitions.base import Frozen, Identifier

FORMAT = 1


class Departure(Frozen):
    """One person who left: who, their name as it was, when and by whom it was recorded. The
    email address is not kept."""

    id: Identifier
    name: str
    departed_at: datetime
    by: str


class Departures(Frozen):
    format: int = FORMAT
    people: tuple[Departure, ...] = ()

    def names(self) -> dict[str, str]:
        """Person id -> the name they had."""
        return {d.id: d.name for d in self.people}

    def with_departure(self, departure: Departure) -> Departures:
        return Departures(people=(*self.people, departure))


NO_DEPARTURES = Departures()
