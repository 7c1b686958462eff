"""A person's sign-in links and sessions, as the person export reads them, on SQLite and
PostgreSQL: times only, in order, nobody else's."""

from __future__ import annotations

from datetime import timedelta

from lofte.storage.database import make_engine, migrate
from lofte.storage.sign_in_history import SqlSignInHistory
from lofte.storage.web_access import SqlWebAccess
from lofte.workflow.application.person_export import SignInEntry
from tests.harness import utc

T = utc(2027, 3, 1, 8)


def test_links_and_sessions_of_one_person_in_order(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        access = SqlWebAccess(engine)
        later = T + timedelta(minutes=15)
        access.add_sign_in("n1", "tove-lind", "a", "c", T, later)
        access.add_sign_in("n2", "lars-berg", "b", "c", T, later)
        access.add_sign_in("n3", None, "x", "c", T, later)  # an address of nobody
        assert access.use_sign_in("n1", T + timedelta(minutes=1)) == "tove-lind"
        access.add_session("s1", "tove-lind", T + timedelta(minutes=1))
        access.end_session("s1", T + timedelta(hours=1))
        found = SqlSignInHistory(engine).sign_ins_of("tove-lind")
        assert found == [
            SignInEntry("link", T, T + timedelta(minutes=1)),
            SignInEntry(
                "session",
                T + timedelta(minutes=1),
                T + timedelta(minutes=1),
                T + timedelta(hours=1),
            ),
        ]
        assert SqlSignInHistory(engine).sign_ins_of("nobody") == []
    finally:
        engine.dispose()
