"""Every kind of message renders in Swedish and English, names cycle, period and deadline in
its subject, escapes what people typed, fails loudly on a missing value, and never carries
sensitive content or other people's observations."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from typing import Any

import pytest
from jinja2 import UndefinedError

from notifications.calendar import invitation, is_meeting
from notifications.compose import compose
from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.render import LANGUAGES, Renderer
from notifications.transports import FileDropTransport
from tests.conftest import Harness, make_harness
from tests.helpers import instance, observation, outbox, request_of, requests, utc
from workflow.records import MessageKind

SECRET_NAME = "Kalle Kriminell 19990101"
SECRET_OBSERVATION = "Langning bakom Ica Kvantum"


def link(request_id: int, until: str) -> str:
    return f"https://lofte.example.se/svar/{request_id}-token"


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A month of cycles with answers (one sensitive, one observation), a meeting moved and
    cancelled, and a digest: every kind of message the engine writes."""
    folder = tmp_path_factory.mktemp("kinds")
    h = make_harness(f"sqlite:///{folder}/db.sqlite", datetime(2026, 11, 25, tzinfo=UTC))
    h.run_until(utc(2027, 1, 4, 8))
    week = instance(h, "est-inventering", "2027-W01")
    h.engine.submit(
        request_of(h, week, "rapportering", "maria-holm").id or 0,
        "maria-holm",
        {"iakttagelser": [observation(beskrivning=SECRET_OBSERVATION)]},
    )
    lolg = instance(h, "operativ-inriktning", "2027-W01")
    for r in requests(h, lolg, "uppfoljning"):
        answer = (
            {"antal_insatser": 3, "kvalitativ_uppfoljning": "<b>bra</b>"}
            if "gruppchef" in r.roles
            else {"aterkoppling_kommun": "ok"}
        )
        h.engine.submit(r.id or 0, r.person_id, answer)
    h.engine.submit(
        request_of(h, lolg, "beslut", "peter-nord").id or 0,
        "peter-nord",
        {
            "brottsfenomen": "Narkotika",
            "platser": "Stationen",
            "namngivna_personer": SECRET_NAME,
            "motivering": "Ökning",
        },
    )
    h.engine.move_meeting(lolg.id or 0, "beslut", utc(2027, 1, 6, 13), "peter-nord")
    h.engine.cancel_meeting(lolg.id or 0, "beslut", "peter-nord")
    h.run_until(utc(2027, 1, 14))
    settings = dataclasses.replace(mail_settings({}), digest_hour=7)
    dispatcher = Dispatcher(h.store, h.clock, FileDropTransport(folder / "mail"), settings)
    with h.store.transaction() as tx:
        dispatcher._digest(tx, "lars-berg", h.bundle.organisation.organisation, h.clock.now())
    messages = outbox(h)
    yield h, messages
    h.store.engine.dispose()


def renderer(h: Harness) -> Renderer:
    return Renderer(h.bundle.organisation.organisation.name, link)


def test_the_engine_writes_every_kind(every_kind: Any) -> None:
    _, messages = every_kind
    assert {m.kind for m in messages} == set(MessageKind)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_renders_in_both_languages_without_sensitive_content(
    every_kind: Any, language: str
) -> None:
    h, messages = every_kind
    seen = set()
    for message in messages:
        message = dataclasses.replace(message, language=language)
        rendered = renderer(h).render(message)
        email = compose(message, rendered, Address("Löfte", "lofte", "example.se"), h.clock.now())
        whole = email.as_string() + rendered.text + rendered.html
        if is_meeting(message):
            whole += invitation(message, "t", rendered.text, h.clock.now()).decode()
        assert SECRET_NAME not in whole, message.key
        assert SECRET_OBSERVATION not in whole, message.key
        assert "<" not in rendered.text.replace("<b>", ""), message.key
        assert rendered.html.startswith("<!DOCTYPE html>")
        seen.add(message.kind)
    assert seen == set(MessageKind)


def test_subject_lines_name_cycle_period_and_deadline(every_kind: Any) -> None:
    h, messages = every_kind
    by_kind = {}
    for message in messages:
        by_kind.setdefault(message.kind, renderer(h).render(message).subject)
    assert re.fullmatch(
        r"(EST-inventering|Operativ inriktning|EST-möte|Inriktningsbeslut|Uppföljning) "
        r"(v\.\d+|kvartal \d) \d{4} – svar senast (mån|tis|ons|tors|fre) \d+ \w+ \d\d:\d\d",
        by_kind[MessageKind.INPUT_REQUEST],
    ), by_kind[MessageKind.INPUT_REQUEST]
    assert by_kind[MessageKind.REMINDER].startswith("Påminnelse: ")
    assert by_kind[MessageKind.ESCALATION].startswith("Saknade svar: ")
    assert by_kind[MessageKind.MEETING_CANCEL].startswith("Inställt: ")
    inventory = next(
        m
        for m in messages
        if m.kind is MessageKind.INPUT_REQUEST
        and m.context["cycle"] == "est-inventering"
        and m.context["period_key"] == "2027-W02"
    )
    assert renderer(h).render(inventory).subject == (
        "EST-inventering v.2 2027 – svar senast ons 13 jan 12:00"
    )
    english = dataclasses.replace(inventory, language="en")
    assert renderer(h).render(english).subject == (
        "EST-inventering v.2 2027 – reply by Wed 13 Jan 12:00"
    )


def test_english_speaking_people_get_english(every_kind: Any) -> None:
    h, messages = every_kind
    eva = [m for m in messages if m.person_id == "eva-lund"]
    assert eva and all(m.language == "en" for m in eva)
    rendered = renderer(h).render(eva[0])
    assert rendered.text.startswith("Hello Eva,")


def test_typed_text_is_escaped_in_html(every_kind: Any) -> None:
    h, messages = every_kind
    request = next(m for m in messages if m.kind is MessageKind.INPUT_REQUEST)
    hostile = dataclasses.replace(
        request,
        context=request.context
        | {
            "recipient_name": "<script>alert(1)</script>",
            "subject": {
                "values": {"Insats": "<img src=x onerror=alert(1)>"},
                "list": "Insatser",
                "source_period": "v.1 2027",
            },
        },
    )
    rendered = renderer(h).render(hostile)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<img src=x" not in rendered.html and "&lt;img src=x" in rendered.html
    assert "<img src=x onerror=alert(1)>" in rendered.text  # plain text stays as typed


def test_a_missing_value_fails_in_tests_not_in_an_inbox(every_kind: Any) -> None:
    h, messages = every_kind
    request = next(m for m in messages if m.kind is MessageKind.ESCALATION)
    broken = dataclasses.replace(
        request, context={k: v for k, v in request.context.items() if k != "step_title"}
    )
    with pytest.raises((UndefinedError, KeyError)):
        renderer(h).render(broken)
    environment = renderer(h).environment
    with pytest.raises(UndefinedError):
        environment.from_string("{{ nothing_here }}").render()


def test_meeting_requests_say_an_invite_follows(every_kind: Any) -> None:
    h, messages = every_kind
    decision = next(
        m
        for m in messages
        if m.kind is MessageKind.INPUT_REQUEST
        and m.context["step"] == "beslut"
        and m.context["cycle"] == "operativ-inriktning"
    )
    assert "kalenderinbjudan" in renderer(h).render(decision).text
