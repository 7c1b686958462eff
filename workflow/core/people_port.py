"""What storage must do for one person's records: find everything that names them (an
export, a removal) and write the changes a removal and the end of a retention make. Part of the
unit of work (`UnitOfWork.people`), implemented by `storage/repositories/people.py` and
`storage/memory_people.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from lofte.workflow.core.records import Action, InputRequest


class PersonalRecords(Protocol):
    def requests_of(self, person_id: str) -> list[InputRequest]:
        """Every request made of `person_id` (open, answered, missing, cancelled), in the
        order they were made."""
        ...

    def set_request_person(self, request: InputRequest) -> None:
        """Write `request`'s person and answer (a coordinator takes it over, a pseudonym
        replaces the one who left); its key and everything else stay."""
        ...

    def actions_of(self, person_id: str) -> list[Action]:
        """Every action `person_id` owns, open or closed, oldest first."""
        ...

    def actions_from(self, instance_id: int) -> list[Action]:
        """Every action decided in the cycle `instance_id`, oldest first."""
        ...

    def set_action_owner(self, action_id: int, owner_id: str, at: datetime) -> None:
        """Give an action another owner (its version goes up)."""
        ...

    def forget_messages(self, instance_id: int, person_id: str, pseudonym: str) -> int:
        """The cycle's delivered (or expired, or digested) messages to `person_id` name
        `pseudonym` instead and keep no address; how many. Messages still to be sent, and
        incidents, are left as they are."""
        ...

    def sensitive_stored(self, request_ids: Sequence[int]) -> dict[int, datetime | None]:
        """Of `request_ids`, those with sensitive values stored: request id -> when they were
        erased (None: still held). Nothing is decrypted."""
        ...
