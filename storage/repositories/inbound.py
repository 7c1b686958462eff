"""Mails read from Löfte's mailbox (implements `InboundMails`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import bindparam, select

from lofte.storage import rows
from lofte.storage.drivers import per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.workflow.core.records import AUTO_REPLY, InboundMail

MAILS = rows.INBOUND_MAILS
CHUNK = 500  # people per IN list
_ADD = per_driver(lambda driver: insert_ignore(MAILS, driver, ["key"]).returning(MAILS.c.id))
_GET = select(MAILS).where(MAILS.c.key == bindparam("key"))
_OF_PERSON = (
    select(MAILS)
    .where(MAILS.c.person_id == bindparam("person"))
    .order_by(MAILS.c.received_at, MAILS.c.id)
)
_AUTO_REPLIES = (
    select(MAILS.c.person_id, MAILS.c.away_until)
    .where(
        MAILS.c.person_id.in_(bindparam("people", expanding=True)),
        MAILS.c.outcome == AUTO_REPLY,
    )
    .order_by(MAILS.c.received_at, MAILS.c.id)
)


class SqlInboundMails(Repository):
    def add(self, mail: InboundMail) -> bool:
        return bool(self.execute(_ADD[self.driver.name], [rows.inbound_values(mail)]).all())

    def get(self, key: str) -> InboundMail | None:
        row = self.execute(_GET, {"key": key}).mappings().first()
        return None if row is None else rows.inbound(row)

    def of_person(self, person_id: str) -> list[InboundMail]:
        found = self.execute(_OF_PERSON, {"person": person_id}).mappings()
        return [rows.inbound(row) for row in found]

    def away(self, person_ids: Sequence[str], on: date) -> dict[str, date]:
        latest: dict[str, date | None] = {}
        for first in range(0, len(person_ids), CHUNK):
            chunk = list(person_ids[first : first + CHUNK])
            for person, until in self.execute(_AUTO_REPLIES, {"people": chunk}):
                latest[person] = until
        return {person: until for person, until in latest.items() if until and until >= on}


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
