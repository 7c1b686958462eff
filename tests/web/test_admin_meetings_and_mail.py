"""The administrator's console acts: email incidents sent again (one or all, audited) and a
coming meeting moved (every bad date or time explained at its field, 422, nothing changed) or
cancelled after a confirmation page; participants get updated invitations or cancellations."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.workflow.core.records import Meeting, OutboxStatus
from tests.harness import Harness, utc
from tests.web.support import ADMIN, web_app
from tests.web.test_audit_dashboard import csrf_of, signed_in

MEETING = "/admin/moten/1/beslut"  # the police area's operativ inriktning, Thu 7 Jan 09.00


@pytest.fixture
def web(harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    """On SQLite and on PostgreSQL."""
    h = harness
    h.run_until(utc(2027, 1, 4, 9))
    yield h, web_app(h)


def admin(h: Harness, app: Flask) -> tuple[FlaskClient, str]:
    client = signed_in(h, app, *ADMIN)
    return client, csrf_of(client, "/admin")


def the_meeting(h: Harness) -> Meeting:
    with h.store.unit_of_work(read_only=True) as uow:
        found = uow.meetings.get(1, "beslut")
    assert found is not None
    return found


def fail(h: Harness, count: int) -> list[int]:
    messages = h.outbox("input_request")[:count]
    with h.store.unit_of_work() as uow:
        for m in messages:
            uow.outbox.save(
                dataclasses.replace(m, status=OutboxStatus.FAILED, attempts=6, last_error="550 nej")
            )
    return [m.id or 0 for m in messages]


def status_of(h: Harness, message_id: int) -> OutboxStatus:
    return next(m.status for m in h.outbox() if m.id == message_id)


def test_an_email_incident_is_sent_again_and_audited(web: tuple[Harness, Flask]) -> None:
    h, app = web
    first, second = fail(h, 2)
    client, token = admin(h, app)
    page = client.get("/admin").get_data(as_text=True)
    assert page.count(">Skicka igen<") == 2 and "Skicka alla igen" in page and "550 nej" in page
    assert "förfrågan" in page  # the kind in Swedish
    response = client.post(f"/admin/epost/{first}/skicka-igen", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("#incidenter")
    assert (
        status_of(h, first) is OutboxStatus.PENDING and status_of(h, second) is OutboxStatus.FAILED
    )
    again = next(m for m in h.outbox() if m.id == first)
    assert again.attempts == 0 and again.first_attempt_at is None
    event = h.audit()[-1]
    assert (event.event, event.actor, event.detail["message_id"]) == (
        "outbox_retry",
        "admin",
        first,
    )
    assert "Meddelandet är köat igen" in client.get("/admin?klart=epost").get_data(as_text=True)
    refused = client.post(f"/admin/epost/{first}/skicka-igen", data={"csrf_token": token})
    assert refused.status_code == 409 and "ingen incident" in refused.get_data(as_text=True)
    missing = client.post("/admin/epost/999999/skicka-igen", data={"csrf_token": token})
    assert missing.status_code == 404


def test_all_email_incidents_are_sent_again(web: tuple[Harness, Flask]) -> None:
    h, app = web
    ids = fail(h, 3)
    client, token = admin(h, app)
    response = client.post("/admin/epost/skicka-alla-igen", data={"csrf_token": token})
    assert response.status_code == 303
    assert all(status_of(h, i) is OutboxStatus.PENDING for i in ids)
    event = h.audit()[-1]
    assert (event.event, event.actor, event.detail) == (
        "outbox_retry_all",
        "admin",
        {"messages": 3},
    )
    assert "Inga e-postincidenter" in client.get("/admin").get_data(as_text=True)


def test_retrying_email_needs_the_form_token_and_the_administrator(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    (message,) = fail(h, 1)
    client, _ = admin(h, app)
    assert client.post(f"/admin/epost/{message}/skicka-igen").status_code == 400
    assert client.post("/admin/epost/skicka-alla-igen").status_code == 400
    auditor = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")
    token = csrf_of(auditor, "/uppgifter")
    for path in (f"/admin/epost/{message}/skicka-igen", "/admin/epost/skicka-alla-igen"):
        assert auditor.post(path, data={"csrf_token": token}).status_code == 403
    assert status_of(h, message) is OutboxStatus.FAILED
    assert not [e for e in h.audit() if e.event.startswith("outbox_retry")]


def test_a_meeting_is_moved_and_the_participants_get_updated_invitations(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    console = client.get("/admin").get_data(as_text=True)
    assert "Operativ inriktning v. 1 2027" in console and MEETING in console
    page = client.get(MEETING).get_data(as_text=True)
    assert 'value="2027-01-07"' in page and 'value="09:00"' in page and "Ställ in mötet" in page
    booked = the_meeting(h)
    response = client.post(
        MEETING + "/flytta", data={"csrf_token": token, "datum": "2027-01-08", "tid": "13:30"}
    )
    assert response.status_code == 303 and "klart=flyttat" in response.headers["Location"]
    moved = the_meeting(h)
    assert moved.starts_at == utc(2027, 1, 8, 12, 30) and moved.sequence == 1
    assert moved.ends_at - moved.starts_at == booked.ends_at - booked.starts_at
    updates = h.outbox("meeting_update")
    assert sorted(m.person_id for m in updates) == sorted(booked.participants)
    assert h.audit()[-1].event == "meeting_update" and h.audit()[-1].actor == "admin"
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mötet är flyttat" in done and "fre 8 jan 2027 kl. 13.30" in done


def test_the_decision_deadline_moves_with_its_meeting_and_a_move_past_the_period_is_refused(
    web: tuple[Harness, Flask],
) -> None:
    """Moved to the next day, the decision was still due before the meeting."""
    h, app = web
    client, token = admin(h, app)
    booked = the_meeting(h)
    response = client.post(
        MEETING + "/flytta", data={"csrf_token": token, "datum": "2027-01-19", "tid": "09:00"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "perioden v. 1 2027 slutar" in page
    assert the_meeting(h) == booked
    client.post(
        MEETING + "/flytta", data={"csrf_token": token, "datum": "2027-01-08", "tid": "13:30"}
    )
    h.run_until(utc(2027, 1, 8, 8))
    (cycle,) = h.cycles("operativ-inriktning")
    (request,) = h.requests(cycle, "beslut")
    # Due Thu 7 Jan 14.00 with the meeting at 09.00 (Wed 6 Jan is a holiday); the meeting moved
    # 1 day 4 h 30 min to Fri 13.30, so the decision is due Fri 18.30.
    assert request.deadline_at == utc(2027, 1, 8, 17, 30)


@pytest.mark.parametrize(
    ("day", "clock", "field", "says"),
    [
        ("", "13:30", "datum", "Ange ett datum"),
        ("2027-02-30", "13:30", "datum", "”2027-02-30” är inget datum"),
        ("8 januari", "13:30", "datum", "”8 januari” är inget datum"),
        ("2027-01-08", "", "tid", "Ange en tid"),
        ("2027-01-08", "25:00", "tid", "”25:00” är ingen tid"),
        ("2027-01-03", "10:00", "datum", "har redan passerat"),
        ("2027-03-28", "02:30", "tid", "finns inte i svensk tid"),
        ("2029-01-08", "10:00", "datum", "mer än ett år fram"),
        ("2027-01-07", "09:00", "datum", "Mötet börjar redan då"),
    ],
)
def test_a_bad_new_time_is_explained_at_its_field_and_nothing_changes(
    web: tuple[Harness, Flask], day: str, clock: str, field: str, says: str
) -> None:
    h, app = web
    client, token = admin(h, app)
    before = (the_meeting(h), len(h.outbox()), len(h.audit()))
    response = client.post(
        MEETING + "/flytta", data={"csrf_token": token, "datum": day, "tid": clock}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert 'id="felsammanfattning"' in page and f'href="#{field}"' in page and says in page
    assert f'id="{field}-fel"' in page and 'aria-invalid="true"' in page
    assert f'value="{day}"' in page  # what was typed is kept
    assert (the_meeting(h), len(h.outbox()), len(h.audit())) == before


def test_a_meeting_is_cancelled_after_a_confirmation(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client, token = admin(h, app)
    confirm = client.get(MEETING + "/stall-in").get_data(as_text=True)
    assert "Ställa in mötet?" in confirm and "Ja, ställ in mötet" in confirm
    assert "8 deltagare får en avbokning" in confirm
    assert the_meeting(h).cancelled is False  # the GET changed nothing
    response = client.post(MEETING + "/stall-in", data={"csrf_token": token})
    assert response.status_code == 303 and "klart=installt" in response.headers["Location"]
    assert the_meeting(h).cancelled and the_meeting(h).sequence == 1
    cancellations = h.outbox("meeting_cancel")
    assert sorted(m.person_id for m in cancellations) == sorted(the_meeting(h).participants)
    assert h.audit()[-1].event == "meeting_cancel" and h.audit()[-1].actor == "admin"
    assert "Inställt" in client.get("/admin").get_data(as_text=True)
    assert "Flytta mötet" not in client.get(MEETING).get_data(as_text=True)
    again = client.post(MEETING + "/stall-in", data={"csrf_token": token})
    assert again.status_code == 409 and "är inställt" in again.get_data(as_text=True)
    moved = client.post(
        MEETING + "/flytta", data={"csrf_token": token, "datum": "2027-01-08", "tid": "10:00"}
    )
    assert moved.status_code == 409
    assert len(h.outbox("meeting_cancel")) == len(cancellations)


def test_meetings_need_the_administrator_the_token_and_a_real_meeting(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    assert client.get("/admin/moten/1/finns-inte").status_code == 404
    assert client.get("/admin/moten/99999/beslut").status_code == 404
    huge = 10**30  # past what a row id can be: a 404 page, not an overflow in the driver
    assert client.get(f"/admin/moten/{huge}/beslut").status_code == 404
    assert (
        client.post(f"/admin/epost/{huge}/skicka-igen", data={"csrf_token": token}).status_code
        == 404
    )
    no_token = client.post(MEETING + "/flytta", data={"datum": "2027-01-08", "tid": "10:00"})
    assert no_token.status_code == 400
    assert client.post(MEETING + "/stall-in").status_code == 400
    auditor = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")
    other = csrf_of(auditor, "/uppgifter")
    assert auditor.get(MEETING).status_code == 403
    assert auditor.post(MEETING + "/stall-in", data={"csrf_token": other}).status_code == 403
    assert app.test_client().get(MEETING).headers["Location"] == "/logga-in"
    assert the_meeting(h).sequence == 0 and not h.outbox("meeting_cancel")


def test_a_meeting_that_has_begun_is_neither_listed_nor_changed(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    h.clock.set(utc(2027, 1, 7, 8, 30))  # the LOLG meeting began at 09.00 Stockholm time
    client, token = admin(h, app)
    assert MEETING not in client.get("/admin").get_data(as_text=True)
    moved = client.post(
        MEETING + "/flytta", data={"csrf_token": token, "datum": "2027-01-08", "tid": "10:00"}
    )
    cancelled = client.post(MEETING + "/stall-in", data={"csrf_token": token})
    assert moved.status_code == 409 and cancelled.status_code == 409
    assert "redan börjat" in cancelled.get_data(as_text=True)
    assert the_meeting(h).sequence == 0 and not the_meeting(h).cancelled


def test_a_year_far_off_is_explained_not_a_crash(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client, token = admin(h, app)
    for day in ("0001-01-01", "9999-12-31"):
        response = client.post(
            MEETING + "/flytta", data={"csrf_token": token, "datum": day, "tid": "00:30"}
        )
        assert response.status_code == 422 and "kontrollera året" in response.get_data(as_text=True)


def test_a_person_who_left_the_organisation_is_signed_out_not_shown_an_error(
    web: tuple[Harness, Flask], tmp_path: Path
) -> None:
    h, app = web
    client = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")
    assert client.get("/uppgifter").status_code == 200
    organisation = yaml.safe_load((PACKAGED_DIR / "organisation.yaml").read_text("utf-8"))
    organisation["people"] = [p for p in organisation["people"] if p["id"] != "ulla-revisor"]
    folder = tmp_path / "setup-without-ulla"
    shutil.copytree(PACKAGED_DIR, folder, dirs_exist_ok=True)
    (folder / "organisation.yaml").write_text(yaml.safe_dump(organisation, allow_unicode=True))
    h.engine.register(load_bundle([folder]), actor="test")
    for path in ("/uppgifter", "/revision"):
        response = client.get(path)
        assert response.status_code in (302, 303) and "/logga-in" in response.headers["Location"]
