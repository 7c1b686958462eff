"""Mails read from Löfte's mailbox (implements `InboundMails`)."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from lofte.storage import rows
from lofte.storage.drivers import per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.workflow.core.records import InboundMail

MAILS = rows.INBOUND_MAILS
_ADD = per_driver(lambda driver: insert_ignore(MAILS, driver, ["key"]).returning(MAILS.c.id))
_GET = select(MAILS).where(MAILS.c.key == bindparam("key"))


class SqlInboundMails(Repository):
    def add(self, mail: InboundMail) -> bool:
        return bool(self.execute(_ADD[self.driver.name], [rows.inbound_values(mail)]).all())

    def get(self, key: str) -> InboundMail | None:
        row = self.execute(_GET, {"key": key}).mappings().first()
        return None if row is None else rows.inbound(row)


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
