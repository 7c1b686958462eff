"""The administrator's console: units, people and roles, definitions in force, timer incidents
run again, a new answer link sent; and a 403 page for everyone else."""

from __future__ import annotations

import dataclasses
import re

from flask import Flask

from lofte.workflow.core.records import TimerStatus
from tests.harness import Harness
from tests.web.test_audit_dashboard import csrf_of, signed_in


def test_the_console_lists_people_definitions_and_open_requests(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, "alva.admin@sala.example.se", "admin")
    page = client.get("/admin").get_data(as_text=True)
    assert "Tove Lind" in page and "tove.lind@raddning.example.se" in page
    assert "EST-inventering" in page and "Surahammars kommun" in page
    assert "Inga timerincidenter" in page and "Skicka ny svarslänk" in page


def test_a_timer_incident_is_run_again_and_a_new_link_is_sent(web: tuple[Harness, Flask]) -> None:
    h, app = web
    pending = h.timers("pending")[0]
    with h.store.unit_of_work() as uow:
        uow.timers.save(dataclasses.replace(pending, status=TimerStatus.FAILED, attempts=5))
    client = signed_in(h, app, "alva.admin@sala.example.se", "admin")
    page = client.get("/admin").get_data(as_text=True)
    assert "Kör igen" in page
    token = csrf_of(client, "/admin")
    response = client.post(f"/admin/timers/{pending.id}/kor-igen", data={"csrf_token": token})
    assert response.status_code == 303
    assert all(t.status is not TimerStatus.FAILED for t in h.timers())
    again = client.post(f"/admin/timers/{pending.id}/kor-igen", data={"csrf_token": token})
    assert again.status_code == 409 and "bara felade timers" in again.get_data(as_text=True)

    week = h.cycle("est-inventering", "sala", "2027-W01")
    request = h.request(week, "rapportering", "tove-lind")
    before = len(h.outbox("input_request", "tove-lind"))
    response = client.post(f"/admin/forfragningar/{request.id}/ny-lank", data={"csrf_token": token})
    assert response.status_code == 303
    assert len(h.outbox("input_request", "tove-lind")) == before + 1
    assert any(e.event == "request_resent" and e.actor == "admin" for e in h.audit())


def test_everyone_else_gets_403(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")
    assert client.get("/admin").status_code == 403
    token = csrf_of(client, "/uppgifter")
    assert client.post("/admin/timers/1/kor-igen", data={"csrf_token": token}).status_code == 403
    assert app.test_client().get("/admin").headers["Location"] == "/logga-in"
    assert re.search(
        "Administration",
        signed_in(h, app, "alva.admin@sala.example.se", "admin")
        .get("/uppgifter")
        .get_data(as_text=True),
    )


def test_the_console_shows_that_mail_is_not_being_delivered(web: tuple[Harness, Flask]) -> None:
    h, app = web
    message = h.outbox("input_request")[0]
    since = h.clock.now()
    with h.store.unit_of_work() as uow:
        uow.outbox.save(dataclasses.replace(message, attempts=3, first_attempt_at=since))
    client = signed_in(h, app, "alva.admin@sala.example.se", "admin")
    page = client.get("/admin").get_data(as_text=True)
    assert "E-posten levereras inte" in page and "1 meddelande har väntat sedan" in page
