"""Finished Swedish and finished English: every email (each kind, text and HTML), every page
and the command line's reports are read in the language of their reader, and none holds a
word of the other language (from a short list), a raw identifier of the setup or ISO text.

Two worlds are simulated for a quarter: the packaged example (Swedish, with Eva Lund reading
English) and the same with everyone reading English. Pages are read by the people of each
world (and, without a sign-in, in the browser's language). The yearly report is a Swedish
document (evidence under lag 2023:196) and is read in Swedish only."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.definitions.loader import PACKAGED_DIR, Bundle, load_bundle
from lofte.notifications.digests import compose_digests
from lofte.notifications.render import Renderer
from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.admin_meetings import coming_meetings
from lofte.workflow.application.answer_links import installation_secret, make_token
from lofte.workflow.application.app import Application
from lofte.workflow.application.replies import read_mail
from lofte.workflow.application.reply_address import reply_address
from lofte.workflow.application.tasks import nothing_to_report
from lofte.workflow.core.message_types import DeliveryAlertMessage
from lofte.workflow.core.messages import addressed_at
from lofte.workflow.core.people import remove_person
from lofte.workflow.core.records import MessageKind, OutboxMessage
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.languages import problems, raw_ids, visible_text
from tests.web.support import web_app

BASE = "https://lofte.example.se"
MAILBOX = "lofte@lofte.example.se"
END = utc(2027, 4, 6, 8)  # Tuesday after Easter, 10:00: this week's inventory is open


@dataclass
class World:
    h: Harness
    app: Application
    web: Flask
    entries: set[str] = field(default_factory=set)
    extra: list[OutboxMessage] = field(default_factory=list)


def english_everyone(folder: Path) -> Bundle:
    """The packaged setup with every person reading English."""
    shutil.copytree(PACKAGED_DIR, folder, dirs_exist_ok=True)
    org = folder / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    text = re.sub(
        r"^(  - \{id: [a-z-]+, name: [^,]+, email: [^,]+, )(?!.*language:)",
        r"\1language: en, ",
        text,
        flags=re.M,
    )
    org.write_text(text, encoding="utf-8")
    return load_bundle([folder])


def make_world(folder: Path, bundle: Bundle) -> World:
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2027, 1, 1), bundle)
    app = Application(h.engine, SqlReadModel(h.store.engine))
    h.clock.set(utc(2027, 1, 6, 12))  # started late: what fell due is not sent, but reported
    h.engine.run_due()
    h.engine.report_catch_up()
    Simulation(app, h.clock, response_rate=0.85, seed=11).run_until(END)
    coming = [m for m in coming_meetings(app) if not m.meeting.cancelled]
    moved, called_off = coming[0], coming[1]
    h.engine.move_meeting(
        moved.instance.id or 0,
        moved.meeting.step_id,
        moved.meeting.starts_at + timedelta(days=1),
        "admin",
    )
    h.engine.cancel_meeting(called_off.instance.id or 0, called_off.meeting.step_id, "admin")
    compose_digests(h.store, h.engine.catalog, h.clock.now(), digest_hour=0)
    for person in ("eva-lund", "lars-berg"):
        link = f"{BASE}/logga-in/abc{person}"
        h.engine.send_sign_in(person, link, h.clock.now() + timedelta(minutes=15), person)
    _someone_leaves(h)
    world = World(h, app, web_app(h, base_url=BASE))
    world.entries = entries_of(world)
    admin = bundle.directory.people["admin"]
    alert = DeliveryAlertMessage("2027-04-06T06:00:00+00:00", 12, "451 4.3.0 Mailbox busy")
    world.extra.append(
        addressed_at(h.clock.now(), "alert", MessageKind.DELIVERY_ALERT, admin, alert)
    )
    reply_to_a_request(h, app, bundle)
    return world


def reply_to_a_request(h: Harness, app: Application, bundle: Bundle) -> None:
    """Two replies by email to an open inventory request: one Löfte cannot read, then
    "inget att rapportera": the person hears back about each."""
    with h.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings)
    for person in bundle.directory.people.values():
        for request, cycle in app.reads.open_requests(person.id):
            if nothing_to_report(app.definition_of(cycle).step(request.step_id)) is None:
                continue
            address = reply_address(MAILBOX, request.id or 0, request.late_until, secret)
            for number, text in enumerate(("Klotter vid torget", "Inget att rapportera")):
                mail = EmailMessage()
                mail["From"], mail["To"] = person.email, address
                mail["Message-ID"] = f"<reply{number}.{person.id}@example.se>"
                mail.set_content(text)
                read_mail(app, bytes(mail), MAILBOX)
            return
    raise AssertionError("no open request to reply to")


def _someone_leaves(h: Harness) -> None:
    """A reporter with open work leaves: their coordinator gets the notice."""
    keep = {"admin", "ulla-revisor", "lars-berg", "eva-lund"}
    coordinators = {"samordnare", "operativ-koordinator"}
    directory = h.engine.catalog.current(h.store).directory
    leaving = next(
        p.id
        for p in sorted(directory.people.values(), key=lambda p: p.id)
        if p.id not in keep
        and not coordinators & {r for roles in p.roles.values() for r in roles}
        and h.open_requests_of(p.id)
    )
    h.engine.act("admin", lambda work: remove_person(work, leaving))


def entries_of(world: World) -> set[str]:
    """What people typed or named: answers, actions, people, units, places."""
    found: set[str] = set()

    def strings(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    for cycle in world.h.cycles():
        for request in world.h.requests(cycle):
            strings(request.answer or {})
    for action in world.h.actions():
        strings([action.what, action.place, action.problem, action.indicator, action.baseline])
    directory = world.h.bundle.directory
    for person in directory.people.values():
        found.add(person.name)
    for unit in directory.units.values():
        found |= {unit.name, unit.location}
    for role in directory.roles.values():  # a role the organisation names in Swedish only
        if not role.title.en:
            found.add(role.title.sv)
    for promise in directory.spec.promises:  # the promise as written, in Swedish only
        texts = [promise.title, *promise.focus, *(r.change for r in promise.revisions)]
        texts += [item for items in promise.pledges.values() for item in items]
        texts += [promise.goal] if promise.goal is not None else []
        found |= {text.sv for text in texts if not text.en}
    return found


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, World]]:
    sv = make_world(tmp_path_factory.mktemp("sv"), packaged())
    en = make_world(
        tmp_path_factory.mktemp("en"), english_everyone(tmp_path_factory.mktemp("setup"))
    )
    yield {"sv": sv, "en": en}
    sv.h.close()
    en.h.close()


@pytest.fixture(scope="module")
def ids() -> set[str]:
    return raw_ids(packaged())


def renderer() -> Renderer:
    return Renderer(lambda request_id, until: f"{BASE}/svar/{request_id}", lambda i, s: None, BASE)


def test_the_list_of_raw_identifiers_holds_codes_and_no_words(ids: set[str]) -> None:
    assert {"skadegorelse", "uppfoljning_insatser", "est-mote", "inget_att_rapportera"} <= ids
    assert {"beslut", "status", "plats", "insats"}.isdisjoint(ids)


def test_the_checks_catch_what_they_look_for(ids: set[str]) -> None:
    assert problems("Timers: 85 cancelled, 121 fired", "sv", ids)
    assert problems("Kategori: skadegorelse", "sv", ids)
    assert problems("öppnas var P1W, tidsfrist +P2DT3H", "sv", ids)
    assert problems("När: 2027-01-23T22:30+01:00", "sv", ids)
    assert problems("Reply by Wed 3 Feb, svar senast", "en", ids)
    assert not problems("Svara senast ons 3 feb 2027 kl. 12.00 (steg-id rapportering)", "sv", ids)
    assert not problems("Lars wrote: och så vidare", "en", ids, ["och så vidare"])


@pytest.mark.parametrize("world_name", ["sv", "en"])
def test_every_email_reads_in_its_readers_language(
    worlds: dict[str, World], ids: set[str], world_name: str
) -> None:
    world = worlds[world_name]
    kinds: dict[tuple[str, MessageKind], int] = {}
    found = []
    for message in [*world.h.outbox(), *world.extra]:
        email = renderer().render(message)
        lang = message.language
        kinds[(lang, message.kind)] = kinds.get((lang, message.kind), 0) + 1
        if f"{BASE}/" not in email.text and "/logga-in/" not in email.text:
            found.append(f"{message.kind.value} ({lang}): no link leads on")
        for part, text in (
            ("subject", email.subject),
            ("text", email.text),
            ("html", visible_text(email.html)),
        ):
            for problem in problems(text, lang, ids, world.entries):
                found.append(f"{message.kind.value} ({lang}, {part}): {problem}")
    assert not found, "\n".join(sorted(set(found))[:40])
    kinds_seen = {kind for (lang, kind) in kinds if lang == world_name}
    assert kinds_seen == set(MessageKind), set(MessageKind) - kinds_seen


def sign_in(world: World, person: str) -> FlaskClient:
    number = sum(map(ord, person)) % 200 + 20
    client = world.web.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.2.0.{number}"
    token = csrf(client, "/logga-in")
    email = world.h.bundle.directory.people[person].email
    client.post("/logga-in", data={"csrf_token": token, "epost": email})
    path = re.sub(
        r"^https?://[^/]+", "", str(world.h.outbox("sign_in", person)[-1].context["link"])
    )
    assert client.post(path, data={"csrf_token": csrf(client, path)}).status_code == 303
    return client


def csrf(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def pages_of(world: World, person: str) -> list[str]:
    """The pages `person` can open: tasks, units, cycles, actions, and for the administrator
    and the auditor their consoles."""
    app, h = world.app, world.h
    paths = ["/uppgifter", "/", "/tillganglighet", "/publikt/", "/publikt/sala"]
    for unit in ("sala", "lpo-norra-vastmanland"):
        paths += [f"/enhet/{unit}/lagesbild", f"/enhet/{unit}/atgarder"]
    for name in ("est-inventering", "est-mote", "inriktningsbeslut", "uppfoljning"):
        closed = [c for c in h.cycles(name, "sala") if c.closed_at is not None]
        paths.append(f"/enhet/sala/cykler/{closed[-1].id}")
    lolg = [c for c in h.cycles("operativ-inriktning") if c.closed_at is not None][-1]
    paths.append(f"/enhet/{lolg.unit_id}/cykler/{lolg.id}")
    kinds_seen: set[str] = set()
    for action in h.actions("sala"):
        if action.kind not in kinds_seen:
            kinds_seen.add(action.kind)
            paths.append(f"/enhet/sala/atgarder/{action.id}")
    if person == "admin":
        paths += ["/admin", "/admin/uppsattning"]
        paths += [f"/admin/definitioner/{s.definition.name}" for s in h.bundle.definitions]
        meeting = next(m for m in coming_meetings(app) if not m.meeting.cancelled)
        path = f"/admin/moten/{meeting.instance.id}/{meeting.meeting.step_id}"
        paths += [path, path + "/stall-in"]
    if person == "ulla-revisor":
        paths += ["/revision", f"/revision/cykel/{lolg.id}", "/enhet/sala/cykler/999999"]
    return paths


def answer_pages(world: World) -> list[tuple[str, str]]:
    """(person, path) of an open request of each step that has one."""
    app, h = world.app, world.h
    with h.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings)
    found: dict[str, tuple[str, str]] = {}
    for request, _ in app.reads.open_requests():
        token = make_token(request.id or 0, request.late_until, secret)
        found.setdefault(request.step_id, (request.person_id, f"/svar/{token}"))
    assert len(found) >= 2, found
    return list(found.values())


@pytest.mark.parametrize("world_name", ["sv", "en"])
def test_every_page_reads_in_its_readers_language(
    worlds: dict[str, World], ids: set[str], world_name: str
) -> None:
    world = worlds[world_name]
    found: list[str] = []

    def check(client: FlaskClient, path: str, lang: str, **options: Any) -> str:
        response = client.get(path, **options)
        assert response.status_code in (200, 404), (path, response.status_code)
        body = response.get_data(as_text=True)
        if path.endswith(".atom"):  # what a feed reader shows: titles and contents
            text = "\n".join(re.findall(r"<(?:title|content)[^>]*>(.*?)</", body, re.S))
        else:
            text = visible_text(body)
        found.extend(f"{path} ({lang}): {p}" for p in problems(text, lang, ids, world.entries))
        return body

    readers = ["admin", "ulla-revisor", "lars-berg", "eva-lund"]
    for person in readers:
        lang = world.h.bundle.directory.people[person].language
        client = sign_in(world, person)
        for path in pages_of(world, person):
            check(client, path, lang)
    anonymous = world.web.test_client()
    lang = "en" if world_name == "en" else "sv"
    header = {"Accept-Language": "en-GB,en;q=0.9" if lang == "en" else "sv-SE,sv;q=0.9"}
    for path in ("/", "/tillganglighet", "/logga-in", "/publikt/", "/publikt/sala"):
        check(anonymous, path, lang, headers=header)
    check(anonymous, "/publikt/sala/flode.atom", lang, headers=header)
    check(anonymous, "/svar/forfalskad.123.abc", lang, headers=header)
    for person, path in answer_pages(world):
        person_lang = world.h.bundle.directory.people[person].language
        check(anonymous, path, person_lang)
    assert not found, "\n".join(sorted(set(found))[:40])


def test_every_csv_gives_labels_not_codes(worlds: dict[str, World], ids: set[str]) -> None:
    """CSV files are for Swedish Excel: Swedish labels, never stored codes."""
    world = worlds["sv"]
    found = []
    for person, paths in (
        ("lars-berg", ["/enhet/sala/atgarder?format=csv", "/enhet/sala/lagesbild?format=csv"]),
        ("ulla-revisor", [f"/revision/{t}.csv" for t in ("enheter", "cykler", "personer")]),
    ):
        client = sign_in(world, person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200 and response.mimetype == "text/csv", path
            text = response.get_data(as_text=True)
            assert text.count("\n") > 1, path
            found += [f"{path}: {p}" for p in problems(text, "sv", ids, world.entries)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("world_name", ["sv", "en"])
def test_an_answer_its_errors_and_its_receipt_read_in_the_readers_language(
    worlds: dict[str, World], ids: set[str], world_name: str
) -> None:
    world = worlds[world_name]
    app, h = world.app, world.h
    with h.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings)
    request = next(r for r, _ in app.reads.open_requests() if r.step_id == "rapportering")
    lang = h.bundle.directory.people[request.person_id].language
    path = f"/svar/{make_token(request.id or 0, request.late_until, secret)}"
    client = world.web.test_client()
    token = csrf(client, path)
    row = {
        "iakttagelser-count": "1",
        "iakttagelser-0-kategori": "skadegorelse",
        "iakttagelser-0-plats": "Xq-plats",
        "iakttagelser-0-omrade": "Xq-omrade",
        "iakttagelser-0-datum": "2027-04-05",
        "iakttagelser-0-klockslag": "22:30",
        "iakttagelser-0-beskrivning": "Xq-text",
    }
    wrong = client.post(path, data={"csrf_token": token, "inget_att_rapportera": "ja", **row})
    assert wrong.status_code == 422
    done = client.post(path, data={"csrf_token": token, **row})
    assert done.status_code == 200
    found = [
        f"{what}: {p}"
        for what, response in (("errors", wrong), ("receipt", done))
        for p in problems(visible_text(response.get_data(as_text=True)), lang, ids, world.entries)
    ]
    assert not found, "\n".join(found)
    receipt = visible_text(done.get_data(as_text=True))
    assert ("Vandalism" if lang == "en" else "Skadegörelse") in receipt
    assert ("5 Apr 2027" if lang == "en" else "5 apr 2027") in receipt
    assert ("22:30" if lang == "en" else "kl. 22.30") in receipt
    errors = visible_text(wrong.get_data(as_text=True))
    assert (
        "Nothing to report this week" if lang == "en" else "Inget att rapportera denna vecka"
    ) in errors


def test_the_yearly_report_is_in_finished_swedish(worlds: dict[str, World], ids: set[str]) -> None:
    world = worlds["sv"]
    client = sign_in(world, "lars-berg")
    body = client.get("/enhet/sala/arsrapport?ar=2027").get_data(as_text=True)
    found = problems(visible_text(body), "sv", ids, world.entries)
    assert not found, "\n".join(found)


def test_the_command_line_reads_in_finished_swedish(
    worlds: dict[str, World],
    ids: set[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lofte.cli.main import main

    world = worlds["sv"]  # the commands run with the audit key its log was written with
    monkeypatch.setenv("LOFTE_AUDIT_KEY", world.h.store.audit_keys.current.secret.decode())
    url = str(world.h.store.engine.url)
    closed = [c for c in world.h.cycles() if c.closed_at is not None]
    shown = {closed[-1].id, *(c.id for c in closed if c.definition_name == "inriktningsbeslut")}
    commands = [
        ["status", "--database", url],
        ["audit", "--database", url],
        ["units", "--database", url],
        *(["audit", "--database", url, "--instance", str(i)] for i in sorted(shown)),
        *(["show", "--database", url, str(i)] for i in sorted(shown)),
        *(["definitions", "show", s.definition.name] for s in world.h.bundle.definitions),
        *(
            [
                "export",
                "answers",
                "sala",
                "--definition",
                s.definition.name,
                "--csv",
                "--database",
                url,
            ]
            for s in world.h.bundle.definitions
            if s.definition.applies_to == "municipality"
        ),
    ]
    found = []
    for argv in commands:
        assert main(argv) == 0, argv
        out = capsys.readouterr().out
        if argv[0] == "definitions":  # the Mermaid diagram is code to paste, not prose
            out = out.split("\nMermaid\n")[0]
        found += [
            f"lofte {' '.join(argv[:2])}: {p}" for p in problems(out, "sv", ids, world.entries)
        ]
    assert not found, "\n".join(found)


def test_every_fixed_text_of_the_pages_has_its_english() -> None:
    """Every `_("...")` of the templates, and every Swedish text the web layer passes through
    `translate`, is in the English catalogue (a missing one would show Swedish to an English
    reader)."""
    from lofte.web import answer_routes, factory
    from lofte.web.admin_routes import DONE
    from lofte.workflow.application.dashboard import COLUMN_LABELS
    from lofte.workflow.application.ui_english import ENGLISH

    root = Path(__file__).resolve().parent.parent / "web" / "templates"
    literal = re.compile(r"""_\(\s*(["'])(.*?)\1""")
    texts = {m.group(2) for p in root.glob("*") for m in literal.finditer(p.read_text("utf-8"))}
    texts |= set(DONE.values()) | set(COLUMN_LABELS.values())
    texts |= set(answer_routes.LINK_TITLES.values())
    texts |= set(factory.ERROR_TITLES.values()) | set(factory.ERROR_TEXTS.values())
    missing = sorted(t for t in texts if t not in ENGLISH)
    assert not missing, missing
    assert len(texts) > 250
