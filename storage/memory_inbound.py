"""The in-memory store's mails read from the mailbox (implements `InboundMails`, as
`storage.repositories.inbound` does on SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lofte.storage.memory_tables import Journal, Table, fresh, fresh_all, replaced
from lofte.workflow.core.records import AUTO_REPLY, InboundMail


def inbound_table() -> Table[InboundMail]:
    return Table(lambda m: m.key, person=lambda m: m.person_id)


class MemoryInboundMails:
    def __init__(self, mails: Table[InboundMail], journal: Journal) -> None:
        self.mails = mails
        self.journal = journal

    def add(self, mail: InboundMail) -> bool:
        if mail.key in self.mails.by_unique:
            return False
        self.mails.insert(self.journal, replaced(mail, id=None))
        return True

    def get(self, key: str) -> InboundMail | None:
        found = self.mails.find(key)
        return None if found is None else fresh(found)

    def of_person(self, person_id: str) -> list[InboundMail]:
        found = self.mails.group("person", person_id)
        return fresh_all(sorted(found, key=lambda m: (m.received_at, m.id or 0)))

    def away(self, person_ids: Sequence[str], on: date) -> dict[str, date]:
        found: dict[str, date] = {}
        for person in person_ids:
            replies = [m for m in self.mails.group("person", person) if m.outcome == AUTO_REPLY]
            latest = max(replies, key=lambda m: (m.received_at, m.id or 0), default=None)
            if latest is not None and latest.away_until is not None and latest.away_until >= on:
                found[person] = latest.away_until
        return found
