"""Every kind of message renders in Swedish and English, text and HTML, from a stored context
of each version; subjects say what, which cycle and unit, and by when."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.headerregistry import Address
from typing import Any

import pytest

from lofte.notifications.compose import compose
from lofte.notifications.render import Renderer
from lofte.workflow.core.message_types import (
    SHAPES,
    ActionMessage,
    CatchUpMessage,
    CycleRef,
    DecisionMessage,
    DeliveryAlertMessage,
    DigestMessage,
    EscalationMessage,
    MeetingMessage,
    MessageContext,
    PersonRemovedMessage,
    ReplyReadMessage,
    RequestMessage,
    SignInMessage,
    SummaryMessage,
    dump_message,
    read_message,
)
from lofte.workflow.core.records import MessageKind, OutboxMessage

NOW = datetime(2027, 2, 1, 8, tzinfo=UTC)
CYCLE = CycleRef(
    definition="est-inventering",
    unit_id="surahammar",
    unit_name="Surahammars kommun",
    title="EST-inventering",
    short_title="EST-inventering",
    period_label="v. 5 2027",
    instance_key="est-inventering/surahammar/2027-W05",
    instance_id=7,
)
STEP_CONTEXT = {
    "v": 1,
    "items": [
        {
            "kind": "lagesbild",
            "label": {"sv": "Veckans rapporter", "en": "This week's reports"},
            "parts": [
                {
                    "unit_name": "Surahammars kommun",
                    "total": 2,
                    "previous_total": 5,
                    "reports": 1,
                    "by_category": [
                        {
                            "value": "brand",
                            "sv": "Brand/anlagd brand",
                            "en": "Fire/arson",
                            "count": 2,
                            "previous": 1,
                        }
                    ],
                    "top_places": [{"place": "Torget", "area": "Centrum", "count": 2}],
                    "observations": [
                        {
                            "time": "2027-02-01T21:00+01:00",
                            "category_label": "Brand/anlagd brand",
                            "place": "Torget",
                            "area": "Centrum",
                            "text": "Brand i papperskorg <b>",
                        },
                    ],
                }
            ],
        },
        {
            "kind": "decision_in_force",
            "label": {"sv": "Beslut i kraft", "en": "In force"},
            "entries": [{"unit_name": "Surahammars kommun", "missing": True}],
        },
    ],
}
FIELD = {"label": "Prioriteringar", "value": "Trygghet i centrum"}
CONTEXTS: dict[MessageKind, MessageContext] = {
    MessageKind.INPUT_REQUEST: RequestMessage(
        CYCLE,
        "rapportering",
        "Rapportera",
        "Din rapport behövs.",
        "2027-02-03T11:00:00+00:00",
        "2027-02-03T15:00:00+00:00",
        41,
        [{"label": "Iakttagelser", "required": True}],
        {"title": "Surahammars kommun", "values": [["Plats", "Torget"]]},
        0,
        {"start": "2027-02-03T12:00:00+00:00", "location": "Kommunhuset"},
        True,
    ),
    MessageKind.REMINDER: RequestMessage(
        CYCLE,
        "rapportering",
        "Rapportera",
        "",
        "2027-02-03T11:00:00+00:00",
        "2027-02-03T15:00:00+00:00",
        41,
        [{"label": "Iakttagelser", "required": False}],
        None,
        2,
    ),
    MessageKind.ESCALATION: EscalationMessage(
        CYCLE, "Rapportera", "2027-02-03T11:00:00+00:00", ["Lena Dahl (Surahammars kommun)"]
    ),
    MessageKind.CYCLE_SUMMARY: SummaryMessage(
        CYCLE,
        "closed_incomplete",
        [{"name": "Mikael Hed", "step_title": "Rapportera", "about": ""}],
        1,
        "EST-inventeringen",
        "en",
        [{"name": "Lena Dahl", "step_title": "Rapportera", "about": "", "late": True}],
        "Veckans sammanställning",
        [FIELD],
    ),
    MessageKind.MEETING_INVITE: MeetingMessage(
        CYCLE,
        "EST-möte",
        "Gemensam lägesbild",
        "est-mote.surahammar.2027-W05.mote@surahammar.x.lofte",
        0,
        "2027-02-03T12:00:00+00:00",
        "2027-02-03T13:30:00+00:00",
        "Kommunhuset Surahammar",
        "Anna Sundin",
        "anna@example.se",
        "invite",
        "Samverkansmöte EST",
    ),
    MessageKind.MEETING_UPDATE: MeetingMessage(
        CYCLE,
        "EST-möte",
        "",
        "uid@x",
        1,
        "2027-02-04T12:00:00+00:00",
        "2027-02-04T13:30:00+00:00",
        "",
        "Anna",
        "a@example.se",
        "update",
        "Samverkansmöte EST",
    ),
    MessageKind.MEETING_CANCEL: MeetingMessage(
        CYCLE,
        "EST-möte",
        "",
        "uid@x",
        2,
        "2027-02-04T12:00:00+00:00",
        "2027-02-04T13:30:00+00:00",
        "",
        "Anna",
        "a@example.se",
        "cancel",
        "Samverkansmöte EST",
    ),
    MessageKind.ACTION_ASSIGNED: ActionMessage(
        CYCLE, "insats", "Sanera tunneln", "Stationen", "2027-02-20", "EST-möte v. 5 2027"
    ),
    MessageKind.DECISION: DecisionMessage(
        CYCLE, "Registrera beslutet", [FIELD, {"label": "Åtaganden", "rows": [[FIELD]]}], "owner"
    ),
    MessageKind.CATCH_UP: CatchUpMessage(
        "Surahammars kommun",
        [{"what": "förfrågan till Lena Dahl", "cycle": "EST-inventering v. 5 2027", "when": "x"}],
    ),
    MessageKind.DIGEST: DigestMessage(
        "1 feb 2027",
        [
            {
                "request_id": 3,
                "cycle": "EST-inventering v. 5 2027",
                "unit_name": "Norbergs kommun",
                "step_title": "Rapportera",
                "about": "",
                "deadline": "2027-02-03T11:00:00+00:00",
                "answer_until": "2027-02-03T15:00:00+00:00",
                "overdue": False,
            }
        ],
    ),
    MessageKind.SIGN_IN: SignInMessage(
        "https://lofte.example.se/logga-in/abc", "2027-02-01T08:15:00+00:00"
    ),
    MessageKind.DELIVERY_ALERT: DeliveryAlertMessage(
        "2027-02-01T06:00:00+00:00", 12, "451 Försök senare"
    ),
    MessageKind.REPLY_READ: ReplyReadMessage(
        CYCLE,
        "Rapportera",
        41,
        "2027-02-03T15:00:00+00:00",
        False,
        [],
        "Klotter vid torget i tisdags",
    ),
    MessageKind.PERSON_REMOVED: PersonRemovedMessage(
        "Surahammars kommun",
        "Mikael Hed",
        [
            {
                "request_id": 7,
                "what": "Rapportera veckans iakttagelser",
                "cycle": "EST-inventering v. 5 2027",
                "deadline": "2027-02-03T11:00:00+00:00",
                "answer_until": "2027-02-03T15:00:00+00:00",
            }
        ],
        [{"action_id": 3, "unit_id": "surahammar", "what": "Sanera <b>tunneln</b>", "due": ""}],
    ),
}


# What version 2 added to each shape: taken out again, a context reads as version 1 stored it.
ADDED_IN_2 = {
    RequestMessage: ("step_kind", "decision_title", "meeting_title"),
    SummaryMessage: ("definite_title", "gender", "received", "decision_title", "decided"),
    MeetingMessage: ("meeting_title",),
    ActionMessage: ("kind", "action_id"),
    DecisionMessage: ("decision_title",),
}


def as_version_1(kind: MessageKind, data: dict[str, Any]) -> dict[str, Any]:
    shape = SHAPES[kind]
    if shape.VERSION == 1:
        return data
    old = {k: v for k, v in data.items() if k not in ADDED_IN_2.get(shape, ())} | {"v": 1}
    if shape is SummaryMessage:
        old["missing"] = [{k: v for k, v in m.items() if k != "about"} for m in old["missing"]]
    if shape is DigestMessage:
        old["tasks"] = [{k: v for k, v in t.items() if k != "about"} for t in old["tasks"]]
    return old


def stored(kind: MessageKind, language: str, version: int = 2) -> OutboxMessage:
    """The context as the outbox stores it (JSON-shaped, versioned), read back by the renderer."""
    data = dump_message(CONTEXTS[kind])
    return OutboxMessage(
        key=f"inst:surahammar:{kind.value}",
        kind=kind,
        person_id="lena-dahl",
        recipient="lena.dahl@example.se",
        language=language,
        created_at=NOW,
        context=(data if version == 2 else as_version_1(kind, data))
        | {"recipient_name": "Lena Dahl"},
    )


def renderer() -> Renderer:
    return Renderer(
        lambda request_id, until: f"https://lofte.example.se/svar/{request_id}.token",
        lambda i, s: STEP_CONTEXT,
    )


def test_every_kind_has_a_context_in_this_test() -> None:
    assert set(CONTEXTS) == set(SHAPES) == set(MessageKind)


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("version", [1, 2])
def test_every_kind_renders_from_its_stored_context(
    kind: MessageKind, language: str, version: int
) -> None:
    message = stored(kind, language, version)
    if version == 2:
        assert read_message(kind, message.context) == CONTEXTS[kind]  # round trip
    email = renderer().render(message)
    assert email.subject and email.text.strip() and email.html.startswith("<!DOCTYPE html>")
    assert ("Hej Lena!" if language == "sv" else "Hello Lena") in email.text
    assert "<b>" not in email.html  # text from people is escaped in HTML
    composed = compose(message, email, Address("Löfte", "lofte", "surahammar.example.se"), NOW)
    parsed = message_from_bytes(composed.data, policy=policy.default)
    assert parsed["Subject"] == email.subject


def test_subjects_say_what_which_cycle_and_unit_and_by_when() -> None:
    subjects = {k: renderer().render(stored(k, "sv")).subject for k in MessageKind}
    assert (
        subjects[MessageKind.INPUT_REQUEST]
        == "EST-inventering v. 5 2027, Surahammars kommun – svar senast ons 3 feb kl. 12.00"
    )
    assert subjects[MessageKind.REMINDER].startswith(
        "Påminnelse: EST-inventering v. 5 2027, Surahammars kommun"
    )
    assert (
        subjects[MessageKind.CYCLE_SUMMARY]
        == "EST-inventering v. 5 2027, Surahammars kommun: avslutad – svar saknas"
    )
    assert subjects[MessageKind.MEETING_CANCEL].startswith(
        "Inställt: Samverkansmöte EST – tors 4 feb"
    )
    english = renderer().render(stored(MessageKind.INPUT_REQUEST, "en")).subject
    assert english == "EST-inventering v. 5 2027, Surahammars kommun – reply by Wed 3 Feb 12:00"


def test_a_request_shows_the_lagesbild_and_the_answer_link() -> None:
    email = renderer().render(stored(MessageKind.INPUT_REQUEST, "sv"))
    assert (
        "Veckans rapporter" in email.text
        and "2 iakttagelser (\u22123 mot perioden före), 1 rapport" in email.text
    )
    # A summary, never the observations one by one (the answer page lists them).
    assert "Per kategori:" in email.text and "Brand i papperskorg" not in email.text
    assert "Surahammars kommun: inget beslut i kraft" in email.text
    assert "https://lofte.example.se/svar/41.token" in email.text
    assert "Mötet hålls ons 3 feb 2027 kl. 13.00, Kommunhuset" in email.text


def test_a_request_asks_for_replies_at_its_own_address_only_where_configured() -> None:
    nothing = {"label": "Inget att rapportera", "required": False, "type": "boolean"}
    request = CONTEXTS[MessageKind.INPUT_REQUEST]
    assert isinstance(request, RequestMessage)
    context = dataclasses.replace(
        request,
        fields=[{"label": "Iakttagelser", "required": True}, nothing | {"excuses": True}],
    )
    message = dataclasses.replace(
        stored(MessageKind.INPUT_REQUEST, "sv"),
        context=dump_message(context) | {"recipient_name": "Lena Dahl"},
    )
    sender = Address("Löfte", "lofte", "sala.example.se")
    replying = Renderer(
        lambda request_id, until: f"https://lofte.example.se/svar/{request_id}.token",
        lambda i, s: STEP_CONTEXT,
        reply_for=lambda request_id, until: f"lofte+{request_id}.x@sala.example.se",
    )
    email = replying.render(message)
    parsed = message_from_bytes(compose(message, email, sender, NOW).data, policy=policy.default)
    assert parsed["Reply-To"] == "lofte+41.x@sala.example.se"
    assert "Inget att rapportera? Svara på det här mejlet med de orden" in email.text
    plain = renderer().render(message)  # no mailbox configured: no Reply-To, no such line
    parsed = message_from_bytes(compose(message, plain, sender, NOW).data, policy=policy.default)
    assert parsed["Reply-To"] is None and "Svara på det här mejlet" not in plain.text
    untickable = replying.render(stored(MessageKind.INPUT_REQUEST, "sv"))
    assert "Svara på det här mejlet" not in untickable.text  # nothing excuses the step


def test_a_stored_context_of_an_unknown_version_is_refused_clearly() -> None:
    message = stored(MessageKind.SIGN_IN, "sv")
    newer = OutboxMessage(
        **{
            **{f: getattr(message, f) for f in message.__slots__},
            "context": message.context | {"v": 9},
        }
    )
    with pytest.raises(ValueError, match="nyare"):
        renderer().render(newer)
