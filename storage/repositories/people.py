"""Everything stored that names one person: their requests and actions, and the changes a
removal and the end of a retention make (implements `PersonalRecords`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update

from lofte.storage import rows
from lofte.storage.fast_sql import prepare_module
from lofte.storage.repositories.base import Repository
from lofte.storage.tables import SensitiveRow
from lofte.storage.types import UtcDateTime
from lofte.workflow.core.records import Action, InputRequest, OutboxStatus

R = rows.REQUESTS
A = rows.ACTIONS
S = rows.table(SensitiveRow)
_PERSON_FIELDS = ("person_id", "answer")

_REQUESTS_OF = select(R).where(R.c.person_id == bindparam("person")).order_by(R.c.id)
_SET_PERSON = update(R).where(R.c.id == bindparam("b_id")).values(**rows.bound(R, _PERSON_FIELDS))
_ACTIONS_OF = select(A).where(A.c.owner_id == bindparam("person")).order_by(A.c.created_at, A.c.id)
_ACTIONS_FROM = (
    select(A)
    .where(A.c.source_instance_id == bindparam("instance"))
    .order_by(A.c.created_at, A.c.id)
)
_SET_OWNER = (
    update(A)
    .where(A.c.id == bindparam("b_id"))
    .values(
        owner_id=bindparam("owner"),
        updated_at=bindparam("at", type_=UtcDateTime()),
        version=A.c.version + 1,
    )
)
M = rows.OUTBOX
_DONE = [s.value for s in (OutboxStatus.SENT, OutboxStatus.DIGESTED, OutboxStatus.EXPIRED)]
_FORGET = (
    update(M)
    .where(
        M.c.instance_id == bindparam("instance"),
        M.c.person_id == bindparam("person"),
        M.c.status.in_(_DONE),
    )
    .values(person_id=bindparam("pseudonym"), recipient="")
)
_SENSITIVE = (
    select(S.c.request_id, S.c.erased_at)
    .where(S.c.request_id.in_(bindparam("requests", expanding=True)))
    .order_by(S.c.request_id, S.c.version)
)


class SqlPersonalRecords(Repository):
    def requests_of(self, person_id: str) -> list[InputRequest]:
        found = self.execute(_REQUESTS_OF, {"person": person_id}).mappings()
        return [rows.request(row) for row in found]

    def set_request_person(self, request: InputRequest) -> None:
        values = rows.REQUEST.picked(request, _PERSON_FIELDS)
        self.write(_SET_PERSON, values | {"b_id": request.id})

    def actions_of(self, person_id: str) -> list[Action]:
        found = self.execute(_ACTIONS_OF, {"person": person_id}).mappings()
        return [rows.action(row) for row in found]

    def actions_from(self, instance_id: int) -> list[Action]:
        found = self.execute(_ACTIONS_FROM, {"instance": instance_id}).mappings()
        return [rows.action(row) for row in found]

    def set_action_owner(self, action_id: int, owner_id: str, at: datetime) -> None:
        self.write(_SET_OWNER, {"b_id": action_id, "owner": owner_id, "at": at})

    def forget_messages(self, instance_id: int, person_id: str, pseudonym: str) -> int:
        values = {"instance": instance_id, "person": person_id, "pseudonym": pseudonym}
        return int(self.execute(_FORGET, values).rowcount)

    def sensitive_stored(self, request_ids: Sequence[int]) -> dict[int, datetime | None]:
        if not request_ids:
            return {}
        found = self.execute(_SENSITIVE, {"requests": list(request_ids)})
        return {request_id: erased_at for request_id, erased_at in found}  # the latest wins


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
