"""Every mail says what it is about and leads on: each one has a link to the answer form or to
a page of its own (the cycle with its meeting and decision, the action, my tasks), and that
page exists for the person it was sent to. Follow-up tasks name their insats or åtagande,
where and by when, and no two of a person's tasks look alike.

One simulated quarter of the packaged example (fake answers) is shared by the module's tests;
they only read it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.notifications.render import Renderer
from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.answer_links import installation_secret, make_token
from lofte.workflow.application.app import Application
from lofte.workflow.application.tasks import my_tasks
from lofte.workflow.core.records import MessageKind, OutboxMessage
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.web.support import web_app

BASE = "https://lofte.example.se"
LINK = re.compile(re.escape(BASE) + r"(/[^\s\"<>]*)")


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, Flask, dict]]:
    """The packaged example from 4 January to the morning of 6 April 2027 (the EST meetings'
    follow-ups have just opened), answered by simulated people; and, every simulated day,
    the open tasks of everyone who had two or more."""
    folder: Path = tmp_path_factory.mktemp("quarter")
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2027, 1, 1), packaged())
    app = Application(h.engine, SqlReadModel(h.store.engine))
    seen: dict[str, list[list[str]]] = {}
    checked = {"day": None}

    def look_at_tasks() -> None:
        day = h.clock.now().date()
        if day == checked["day"]:
            return
        checked["day"] = day
        for person in {r.person_id for r, _ in app.reads.open_requests()}:
            tasks = my_tasks(app, person).open
            if len(tasks) > 1:
                seen.setdefault(person, []).append([task_line(t) for t in tasks])

    simulation = Simulation(app, h.clock, response_rate=0.9, seed=7, after_moment=look_at_tasks)
    simulation.run_until(utc(2027, 4, 6, 8))
    yield h, web_app(h, base_url=BASE), seen
    h.close()


def task_line(task: object) -> str:
    """A task as "Mina uppgifter" shows it: the link's text, then cycle, unit and period."""
    t = task  # the page writes: step title[: about] / title · unit · period / deadline
    about = f": {t.about}" if t.about else ""  # type: ignore[attr-defined]
    return f"{t.step_title}{about} / {t.title} · {t.unit_name} · {t.period}"  # type: ignore[attr-defined]


def renderer() -> Renderer:
    return Renderer(lambda request_id, until: f"{BASE}/svar/{request_id}", lambda i, s: None, BASE)


def sign_in(h: Harness, app: Flask, person: str) -> FlaskClient:
    """A client signed in as `person` (each from an address of its own: sign-ins are
    rate-limited per client)."""
    number = sum(map(ord, person)) % 250 + 1
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.1.0.{number}"
    page = client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    email = h.bundle.directory.people[person].email
    client.post("/logga-in", data={"csrf_token": token.group(1), "epost": email})
    link = str(h.outbox("sign_in", person)[-1].context["link"])
    path = re.sub(r"^https?://[^/]+", "", link)
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert client.post(path, data={"csrf_token": token.group(1)}).status_code == 303
    return client


def links_of(message: OutboxMessage) -> list[str]:
    email = renderer().render(message)
    found = LINK.findall(email.text)
    assert found == LINK.findall(email.html) or set(found) <= set(LINK.findall(email.html))
    return found


def test_every_kind_of_mail_has_a_link_that_leads_to_a_page(
    quarter: tuple[Harness, Flask, dict],
) -> None:
    h, app, _ = quarter
    kinds = Counter()
    adapter = app.url_map.bind("lofte.example.se")
    for message in h.outbox():
        found = links_of(message)
        assert found, f"{message.kind.value} has no link: {renderer().render(message).text}"
        for path in found:
            endpoint, _ = adapter.match(path.split("?")[0])  # a route exists
            assert endpoint
        kinds[message.kind] += 1
    expected = {
        MessageKind.INPUT_REQUEST,
        MessageKind.REMINDER,
        MessageKind.ESCALATION,
        MessageKind.CYCLE_SUMMARY,
        MessageKind.MEETING_INVITE,
        MessageKind.ACTION_ASSIGNED,
        MessageKind.DECISION,
    }
    assert expected <= set(kinds), kinds


def test_an_assigned_action_leads_its_owner_to_the_action_and_nobody_else(
    quarter: tuple[Harness, Flask, dict],
) -> None:
    h, app, _ = quarter
    message = next(m for m in h.outbox("action_assigned") if m.context.get("kind") == "atagande")
    path = links_of(message)[0]
    assert re.fullmatch(r"/enhet/[a-z-]+/atgarder/\d+", path), path
    action = next(a for a in h.actions() if path.endswith(f"/{a.id}"))
    page = sign_in(h, app, message.person_id).get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Åtagande: {action.what}" in text and "Klart senast" in text
    assert app.test_client().get(path).status_code == 302  # signed out: to the sign-in
    stranger = next(
        p.id
        for p in h.bundle.directory.people.values()
        if not set(p.roles) & {action.unit_id, "lpo-norra-vastmanland", "deployment"}
    )
    assert sign_in(h, app, stranger).get(path).status_code == 403


def test_a_summary_leads_the_chair_to_the_cycle_with_every_answer(
    quarter: tuple[Harness, Flask, dict],
) -> None:
    h, app, _ = quarter
    message = next(
        m
        for m in h.outbox("cycle_summary")
        if m.context["cycle"]["definition"] == "est-mote" and m.context.get("received")
    )
    email = renderer().render(message)
    assert "Det här kom in:" in email.text and "Beslutat – EST-mötets beslut om insatser" in (
        email.text
    )
    path = links_of(message)[-1]
    page = sign_in(h, app, message.person_id).get(path).get_data(as_text=True)
    first = message.context["received"][0]
    assert first["name"] in page and first["about"].split(" (")[0] in page
    assert "EST-mötets beslut om insatser" in page and "EST-möte: gemensam lägesbild" in page
    other = path.replace(f"/enhet/{message.context['cycle']['unit_id']}/", "/enhet/sala/")
    if other != path:  # the cycle is not Sala's: its number under another unit is no page
        assert sign_in(h, app, "lars-berg").get(other).status_code == 404


def test_follow_up_tasks_name_what_where_and_by_when_and_never_look_alike(
    quarter: tuple[Harness, Flask, dict],
) -> None:
    _, _, seen = quarter
    assert sum(len(days) for days in seen.values()) > 20  # people had several tasks at once
    for person, days in seen.items():
        for lines in days:
            repeated = [line for line, n in Counter(lines).items() if n > 1]
            assert not repeated, f"{person} saw the same task twice: {repeated}"
    follow_ups = [
        line for days in seen.values() for lines in days for line in lines if "Följ upp" in line
    ]
    assert follow_ups
    for line in follow_ups:
        assert re.search(r": (Insats|Tidig insats|Åtagande): .+\(.*Klart senast: \d+ ", line), line


def test_the_answer_page_of_a_follow_up_names_the_insats(
    quarter: tuple[Harness, Flask, dict],
) -> None:
    h, app, _ = quarter
    request = next(
        r
        for r, _ in Application(h.engine, SqlReadModel(h.store.engine)).reads.open_requests()
        if r.step_id == "uppfoljning_insatser"
    )
    with h.store.unit_of_work(read_only=True) as uow:
        token = make_token(request.id or 0, request.late_until, installation_secret(uow.settings))
    page = app.test_client().get(f"/svar/{token}").get_data(as_text=True)
    title = request.subject["title"]
    assert f"<h1>Följ upp din insats: {title}</h1>" in page.replace("&#39;", "'")
    assert "<dt>Klart senast</dt>" in page and "<dt>Beslutad i</dt>" in page


def test_mails_agree_in_gender_and_call_meetings_and_decisions_by_their_names(
    quarter: tuple[Harness, Flask, dict],
) -> None:
    h, _, _ = quarter

    def mail(kind: str, where: str) -> tuple[str, str]:
        found = next(
            email
            for m in h.outbox(kind)
            if m.language == "sv"
            for email in [renderer().render(m)]
            if where in email.subject or where in email.text
        )
        return found.subject, found.text

    subject, text = mail("cycle_summary", "EST-möte v.")
    assert re.search(r"EST-mötet v\. \d+ 2027 i .+ är avslutat", text), text
    assert re.search(r": avslutat (i tid|sent|– svar saknas)$", subject), subject
    subject, text = mail("action_assigned", "åtagande")
    assert subject.startswith("Du är ansvarig för ett åtagande: ")
    assert "följa upp det vid nästa uppföljning, tills det är genomfört, ändrat" in text
    subject, text = mail("meeting_invite", "inriktningsbeslut")
    assert subject.startswith("Inbjudan: Styrgruppens möte om inriktningsbeslut – ")
    assert "Du är inbjuden till mötet Styrgruppens möte om inriktningsbeslut (" in text
    assert "Sammankallande: " in text and "kallas av" not in text and "Registrera" not in text
    _, text = mail("input_request", "registrerar beslutet: Styrgruppens")
    assert "lämna underlag" not in text
    _, text = mail("input_request", "Rapportera veckans iakttagelser")
    asked = text.split("Det här efterfrågas:")[1].split("\n\n")[0]
    assert "Iakttagelser" in asked and "Inget att rapportera" not in asked.split("Kryssa")[0]
    assert "Kryssa i vid behov: ”Inget att rapportera denna vecka”." in text
