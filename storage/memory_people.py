"""The in-memory store's view of one person's records (implements `PersonalRecords` of
`workflow.core.people_port`, as `storage/repositories/people.py` does on SQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from lofte.kernel.errors import NotFound
from lofte.storage.memory_cycles import SensitiveEntry
from lofte.storage.memory_tables import Journal, Table, fresh_all, replaced, utc
from lofte.workflow.core.records import Action, InputRequest, OutboxMessage, OutboxStatus


class MemoryPersonalRecords:
    def __init__(
        self,
        requests: Table[InputRequest],
        actions: Table[Action],
        sensitive: dict[int, dict[int, SensitiveEntry]],
        outbox: Table[OutboxMessage],
        journal: Journal,
    ) -> None:
        self.outbox = outbox
        self.requests = requests
        self.actions = actions
        self.sensitive = sensitive
        self.journal = journal

    def requests_of(self, person_id: str) -> list[InputRequest]:
        return fresh_all(sorted(self.requests.group("person", person_id), key=lambda r: r.id or 0))

    def set_request_person(self, request: InputRequest) -> None:
        stored = self.requests.get(request.id)
        if stored is not None:
            changed = replaced(stored, person_id=request.person_id, answer=request.answer)
            self.requests.replace(self.journal, changed)

    def actions_of(self, person_id: str) -> list[Action]:
        return self._actions(lambda a: a.owner_id == person_id)

    def actions_from(self, instance_id: int) -> list[Action]:
        return self._actions(lambda a: a.source_instance_id == instance_id)

    def _actions(self, wanted: Callable[[Action], bool]) -> list[Action]:
        found = [a for a in self.actions.all() if wanted(a)]
        return fresh_all(sorted(found, key=lambda a: (a.created_at, a.id or 0)))

    def set_action_owner(self, action_id: int, owner_id: str, at: datetime) -> None:
        found = self.actions.get(action_id)
        if found is None:
            raise NotFound("åtgärd", action_id)
        changed = replaced(found, owner_id=owner_id, updated_at=utc(at), version=found.version + 1)
        self.actions.replace(self.journal, changed)

    def forget_messages(self, instance_id: int, person_id: str, pseudonym: str) -> int:
        done = {OutboxStatus.SENT, OutboxStatus.DIGESTED, OutboxStatus.EXPIRED}
        found = [
            m
            for m in self.outbox.all()
            if m.instance_id == instance_id and m.person_id == person_id and m.status in done
        ]
        for message in found:
            changed = replaced(message, person_id=pseudonym, recipient="")
            self.outbox.replace(self.journal, changed)
        return len(found)

    def sensitive_stored(self, request_ids: Sequence[int]) -> dict[int, datetime | None]:
        found: dict[int, datetime | None] = {}
        for request_id in request_ids:
            versions = self.sensitive.get(request_id)
            if versions:
                found[request_id] = versions[max(versions)].erased_at
        return found
