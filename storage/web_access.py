"""Sign-in links and web sessions in the database (implements
`workflow.application.sign_in.WebAccess`). Each call is its own short transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, func, insert, select, update

from lofte.storage import rows
from lofte.storage.tables import SignInRow, WebSessionRow

S = rows.table(SignInRow)
W = rows.table(WebSessionRow)


class SqlWebAccess:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_sign_in(
        self,
        nonce_hash: str,
        person_id: str | None,
        address_hash: str,
        client_hash: str,
        now: datetime,
        valid_until: datetime,
        method: str = "link",
    ) -> None:
        with self.engine.begin() as c:
            c.execute(
                insert(S).values(
                    method=method,
                    nonce_hash=nonce_hash,
                    person_id=person_id,
                    address_hash=address_hash,
                    client_hash=client_hash,
                    created_at=now,
                    valid_until=valid_until,
                )
            )

    def count_sign_ins(
        self, since: datetime, *, address_hash: str = "", client_hash: str = ""
    ) -> int:
        query = select(func.count()).select_from(S).where(S.c.created_at >= since)
        if address_hash:
            query = query.where(S.c.address_hash == address_hash)
        if client_hash:
            query = query.where(S.c.client_hash == client_hash)
        with self.engine.connect() as c:
            return int(c.execute(query).scalar() or 0)

    def sign_in_open(self, nonce_hash: str, now: datetime) -> bool:
        query = select(S.c.nonce_hash).where(self._usable(nonce_hash, now))
        with self.engine.connect() as c:
            return c.execute(query).first() is not None

    def use_sign_in(self, nonce_hash: str, now: datetime) -> str | None:
        statement = (
            update(S)
            .where(self._usable(nonce_hash, now))
            .values(used_at=now)
            .returning(S.c.person_id)
        )
        with self.engine.begin() as c:
            person = c.execute(statement).scalar()
        return None if person is None else str(person)

    @staticmethod
    def _usable(nonce_hash: str, now: datetime) -> ColumnElement[bool]:
        return and_(
            S.c.nonce_hash == nonce_hash,
            S.c.used_at.is_(None),
            S.c.valid_until >= now,
            S.c.person_id.is_not(None),
        )

    def add_session(self, id_hash: str, person_id: str, now: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(
                insert(W).values(
                    id_hash=id_hash, person_id=person_id, created_at=now, last_seen_at=now
                )
            )

    def session_person(
        self, id_hash: str, now: datetime, idle: timedelta, absolute: timedelta
    ) -> str | None:
        statement = (
            update(W)
            .where(
                W.c.id_hash == id_hash,
                W.c.ended_at.is_(None),
                W.c.last_seen_at >= now - idle,
                W.c.created_at >= now - absolute,
            )
            .values(last_seen_at=now)
            .returning(W.c.person_id)
        )
        with self.engine.begin() as c:
            person = c.execute(statement).scalar()
        return None if person is None else str(person)

    def end_session(self, id_hash: str, now: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(update(W).where(W.c.id_hash == id_hash).values(ended_at=now))
