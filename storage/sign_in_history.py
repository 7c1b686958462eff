"""One person's sign-in links and browser sessions, for the person export (implements
`workflow.application.person_export.SignInHistory`). Only hashes of links, sessions and
addresses are stored; the export gives the times."""

from __future__ import annotations

from sqlalchemy import Engine, select

from lofte.storage import rows
from lofte.storage.tables import SignInRow, WebSessionRow
from lofte.workflow.application.person_export import SignInEntry

S = rows.table(SignInRow)
W = rows.table(WebSessionRow)


class SqlSignInHistory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sign_ins_of(self, person_id: str) -> list[SignInEntry]:
        links = select(S.c.created_at, S.c.used_at).where(S.c.person_id == person_id)
        sessions = select(W.c.created_at, W.c.last_seen_at, W.c.ended_at).where(
            W.c.person_id == person_id
        )
        with self.engine.connect() as c:
            found = [SignInEntry("link", made, used) for made, used in c.execute(links)]
            found += [
                SignInEntry("session", made, seen, ended)
                for made, seen, ended in c.execute(sessions)
            ]
        return sorted(found, key=lambda e: (e.created_at, e.kind))
