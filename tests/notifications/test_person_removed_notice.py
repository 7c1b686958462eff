"""The coordinator's notice when a person leaves, delivered through a real SMTP server: it
names who left and links every request now theirs to answer."""

from __future__ import annotations

from typing import Any

from lofte.workflow.core.people import remove_person
from lofte.workflow.core.records import OutboxStatus
from tests.harness import Harness, utc
from tests.notifications.conftest import SmtpServer
from tests.notifications.support import dispatcher


def test_the_coordinator_gets_a_notice_with_answer_links(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    dispatcher(week, server.env()).run_once()  # the week's requests go out first
    server.mailbox.received.clear()
    week.run_until(utc(2027, 1, 4, 12))
    week.engine.act("administrator", lambda work: remove_person(work, "maria-holm"))

    report = dispatcher(week, server.env()).run_once()
    notices = [m for m in server.mailbox.received if m["X-Lofte-Kind"] == "person_removed"]
    assert report.sent >= 1 and len(notices) == 1
    [notice] = notices
    assert "lars.berg" in str(notice["To"]).lower()
    assert str(notice["Subject"]) == "Maria Holm har slutat: uppgifterna i Sala kommun är nu dina"
    text = notice.get_body(("plain",))
    html = notice.get_body(("html",))
    assert text is not None and html is not None
    body = text.get_content()
    assert "Maria Holm har lämnat organisationen" in body
    assert "Rapportera veckans iakttagelser" in body
    assert "https://lofte.sala.example.se/svar/" in body
    assert 'href="https://lofte.sala.example.se/svar/' in html.get_content()
    sent = [m for m in week.outbox("person_removed") if m.status is OutboxStatus.SENT]
    assert [m.person_id for m in sent] == ["lars-berg"]
