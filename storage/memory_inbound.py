"""The in-memory store's mails read from the mailbox (implements `InboundMails`, as
`storage.repositories.inbound` does on SQL)."""

from __future__ import annotations

from lofte.storage.memory_tables import Journal, Table, fresh, replaced
from lofte.workflow.core.records import InboundMail


def inbound_table() -> Table[InboundMail]:
    return Table(lambda m: m.key)


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
