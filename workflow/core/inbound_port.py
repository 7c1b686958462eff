"""The port of mails read from Löfte's mailbox (`storage.repositories.inbound`, and
`storage.memory_inbound`), apart from `ports` to keep each file small."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from lofte.workflow.core.records import InboundMail


class InboundMails(Protocol):
    """Mails read from the mailbox, by the hash of their Message-ID."""

    def add(self, mail: InboundMail) -> bool:
        """Keep it unless a mail with its key is kept already; True if it was added."""
        ...

    def get(self, key: str) -> InboundMail | None: ...

    def of_person(self, person_id: str) -> list[InboundMail]:
        """The person's mails read (their replies, their out-of-office replies), oldest first."""
        ...

    def away(self, person_ids: Sequence[str], on: date) -> dict[str, date]:
        """Those whose latest out-of-office reply gave a date on or after `on`: the date."""
        ...
