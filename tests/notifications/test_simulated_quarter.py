"""A simulated quarter sends each person exactly the emails the cycles call for: one per
request, per reminder, per escalation, per summary and per meeting invite, and no duplicate."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session, select

from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.transports import transport_for
from storage.tables import AuditRow, CompletionRow, InstanceRow, MeetingRow, RequestRow
from tests.conftest import make_harness
from tests.helpers import utc
from tests.notifications.conftest import SmtpServer
from workflow.clock import VirtualClock
from workflow.simulation import Simulation


def expected_emails(h: Any) -> Counter[tuple[str, str]]:
    """What the engine's own records say each person should have received."""
    org = h.bundle.organisation.organisation
    email = {p.id: p.email for p in org.people}
    chairs = {s.definition.name: s.definition.chair_role for s in h.bundle.definitions}
    expected: Counter[tuple[str, str]] = Counter()
    with Session(h.store.engine) as session:
        for request in session.exec(select(RequestRow)):
            expected[(email[request.person_id], "input_request")] += 1
        for event in session.exec(select(AuditRow)):
            if event.event == "reminder_sent":
                expected[(email[event.detail["person_id"]], "reminder")] += 1
            if event.event == "escalated":
                for chief in event.detail["to"]:
                    expected[(email[chief], "escalation")] += 1
        for record in session.exec(select(CompletionRow)):
            instance = session.get(InstanceRow, record.instance_id)
            assert instance is not None
            for chair in org.people_with_role(chairs[instance.definition_name]):
                expected[(chair.email, "cycle_summary")] += 1
        for meeting in session.exec(select(MeetingRow)):
            for person in meeting.participants:
                expected[(email[person], "meeting_invite")] += 1
    return expected


def test_a_quarter_sends_the_expected_emails_to_each_person(
    sqlite_url: str, smtp_server: Any
) -> None:
    server: SmtpServer = smtp_server("plain")
    h = make_harness(sqlite_url, utc(2027, 1, 1))
    settings = mail_settings(server.env())
    dispatcher = Dispatcher(h.store, h.clock, transport_for(settings), settings)
    assert isinstance(h.clock, VirtualClock)
    simulation = Simulation(
        h.engine, h.clock, response_rate=0.85, seed=11, after_step=dispatcher.run_once
    )
    report = simulation.run_until(utc(2027, 4, 1))
    assert report.answers > 100

    received = Counter(
        (str(m["To"].addresses[0].addr_spec), str(m["X-Lofte-Kind"]))
        for m in server.mailbox.received
    )
    expected = expected_emails(h)
    assert received == expected
    ids = server.mailbox.message_ids()
    assert len(ids) == len(set(ids))
    # Concretely: every EST reporter is asked once a week for 13 weeks.
    for reporter in ("maria.holm@sala.example.se", "johan.sjo@salabostader.example.se"):
        assert received[(reporter, "input_request")] >= 13
    h.store.engine.dispose()
