"""Outbox message contexts: one typed shape per message kind, stored with a version.

A context holds what the email says, already in the recipient's language, and never the
content of a sensitive field. Stored contexts are read with `read_message`, which upgrades
older versions one step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from lofte.workflow.core.records import MessageKind

VERSION_KEY = "v"
RECIPIENT_NAME = "recipient_name"


@dataclass(frozen=True)
class CycleRef:
    """Which cycle a message is about, as the recipient reads it."""

    definition: str
    unit_id: str
    unit_name: str
    title: str
    short_title: str
    period_label: str
    instance_key: str
    instance_id: int
    timezone: str = "Europe/Stockholm"
    promise: str = ""  # `medborgarlöftet 2027–2028 för Sala kommun`: the promise it serves

    @property
    def head(self) -> str:
        return f"{self.short_title} {self.period_label}".strip()


@dataclass(frozen=True)
class RequestMessage:
    """An input request, or (with `reminder_number`) a reminder of it."""

    cycle: CycleRef
    step_id: str
    step_title: str
    purpose: str
    deadline: str
    answer_until: str
    request_id: int
    fields: list[dict[str, Any]]  # {label, required, type, excuses, sensitive, columns}
    about: dict[str, Any] | None = None  # {title, values: [[label, value], ...]}
    reminder_number: int = 0
    meeting: dict[str, Any] | None = None  # {start, location}
    has_context: bool = False
    step_kind: str = "inputs"  # inputs, collect, decision, follow_up: how the request reads
    decision_title: str = ""  # a decision step: the name of what is recorded
    meeting_title: str = ""  # a meeting step: the meeting's name
    VERSION = 3  # 2: step_kind, decision_title, meeting_title; fields carry their type
    # 3: a field carries `excuses` (ticked, it answers the step: "inget att rapportera"),
    # `sensitive`, and a list field its `columns`: the form a reply may carry


@dataclass(frozen=True)
class EscalationMessage:
    cycle: CycleRef
    step_title: str
    deadline: str
    missing: list[str]
    VERSION = 1


@dataclass(frozen=True)
class SummaryMessage:
    """The chair's summary of a closed cycle: what came in and from whom, what is missing
    and from whom, and what was decided (never a sensitive field)."""

    cycle: CycleRef
    outcome: str
    missing: list[dict[str, str]]  # {name, step_title, about}
    late_inputs: int
    definite_title: str = ""  # `EST-mötet`: the sentence agrees with the cycle's gender
    gender: str = "en"
    received: list[dict[str, Any]] = field(default_factory=list)  # {name, step_title, about, late}
    decision_title: str = ""
    decided: list[dict[str, Any]] = field(default_factory=list)  # shown fields, one language
    VERSION = 2  # 2: definite_title, gender, received, decision_title, decided


@dataclass(frozen=True)
class MeetingMessage:
    cycle: CycleRef
    step_title: str  # the step held as the meeting (kept for the stored shape)
    purpose: str
    uid: str
    sequence: int
    starts_at: str
    ends_at: str
    location: str
    organizer_name: str
    organizer_email: str
    change: str  # invite, update, cancel
    meeting_title: str = ""  # the meeting's own name
    VERSION = 2  # 2: meeting_title


@dataclass(frozen=True)
class ActionMessage:
    """An action (intervention, commitment) has been given to the recipient."""

    cycle: CycleRef
    action_kind: str  # in the recipient's language
    what: str
    place: str
    due: str
    decided_in: str
    kind: str = "insats"  # insats, tidig_insats, atagande (Swedish needs its gender)
    action_id: int = 0  # for the link to the action's page (0: the unit's action register)
    VERSION = 2  # 2: kind, action_id


@dataclass(frozen=True)
class DecisionMessage:
    """What a meeting or decision step decided (its non-sensitive, shared content)."""

    cycle: CycleRef
    step_title: str
    fields: list[dict[str, Any]]  # shown_fields in the recipient's language
    reason: str  # participant, owner, municipality
    decision_title: str = ""  # the decision's own name
    VERSION = 2  # 2: decision_title


@dataclass(frozen=True)
class CatchUpMessage:
    """After downtime: what was not sent because its moment had passed."""

    unit_name: str
    items: list[dict[str, str]]  # {what, when}
    VERSION = 1


@dataclass(frozen=True)
class DigestMessage:
    date_label: str
    tasks: list[dict[str, Any]]  # {request_id, cycle, unit_name, step_title, about, deadline, ...}
    VERSION = 2  # 2: each task says what it is about


@dataclass(frozen=True)
class SignInMessage:
    link: str
    valid_until: str
    VERSION = 1


@dataclass(frozen=True)
class DeliveryAlertMessage:
    failing_since: str
    waiting: int
    last_error: str
    VERSION = 1


@dataclass(frozen=True)
class ReplyReadMessage:
    """What became of a person's reply to a request mail: `recorded` (a receipt, with the link
    to change the answer) or not understood (what was, what was not, and the link)."""

    cycle: CycleRef
    step_title: str
    request_id: int
    answer_until: str
    recorded: bool
    understood: list[str]  # what Löfte read in the reply ("Inget att rapportera")
    not_understood: str  # the first words of what it could not read, or why it refused
    VERSION = 1


@dataclass(frozen=True)
class PersonRemovedMessage:
    """To a unit's coordinator: a person left the organisation, and their open requests and
    actions are now the coordinator's."""

    unit_name: str
    person_name: str
    requests: list[dict[str, Any]]  # {request_id, what, cycle, deadline}
    actions: list[dict[str, Any]]  # {action_id, what, due}
    VERSION = 1


MessageContext = (
    RequestMessage
    | EscalationMessage
    | SummaryMessage
    | MeetingMessage
    | ActionMessage
    | DecisionMessage
    | CatchUpMessage
    | DigestMessage
    | SignInMessage
    | DeliveryAlertMessage
    | ReplyReadMessage
    | PersonRemovedMessage
)
# The messages about no one cycle: notices, digests, sign-in, alerts.
NoticeMessage = (
    CatchUpMessage | DigestMessage | SignInMessage | DeliveryAlertMessage | PersonRemovedMessage
)

SHAPES: dict[MessageKind, type[MessageContext]] = {
    MessageKind.INPUT_REQUEST: RequestMessage,
    MessageKind.REMINDER: RequestMessage,
    MessageKind.ESCALATION: EscalationMessage,
    MessageKind.CYCLE_SUMMARY: SummaryMessage,
    MessageKind.MEETING_INVITE: MeetingMessage,
    MessageKind.MEETING_UPDATE: MeetingMessage,
    MessageKind.MEETING_CANCEL: MeetingMessage,
    MessageKind.ACTION_ASSIGNED: ActionMessage,
    MessageKind.DECISION: DecisionMessage,
    MessageKind.CATCH_UP: CatchUpMessage,
    MessageKind.DIGEST: DigestMessage,
    MessageKind.SIGN_IN: SignInMessage,
    MessageKind.DELIVERY_ALERT: DeliveryAlertMessage,
    MessageKind.REPLY_READ: ReplyReadMessage,
    MessageKind.PERSON_REMOVED: PersonRemovedMessage,
}
KIND_WORDS = {
    "insats": "insats",
    "intervention": "insats",
    "tidig insats": "tidig_insats",
    "early intervention": "tidig_insats",
    "åtagande": "atagande",
    "commitment": "atagande",
}


def _cycle_title(values: dict[str, Any]) -> str:
    cycle = values.get("cycle")
    return (
        str(cycle.get("short_title") or cycle.get("title", "")) if isinstance(cycle, dict) else ""
    )


def _request_1(values: dict[str, Any]) -> dict[str, Any]:
    return values | {"step_kind": "inputs", "decision_title": "", "meeting_title": ""}


def _request_2(values: dict[str, Any]) -> dict[str, Any]:
    fields = [
        f | {"excuses": False, "sensitive": False, "columns": []}
        for f in values.get("fields", [])
        if isinstance(f, dict)
    ]
    return values | {"fields": fields}


def _summary_1(values: dict[str, Any]) -> dict[str, Any]:
    cycle = values.get("cycle")
    title = str(cycle.get("title", "")) if isinstance(cycle, dict) else ""
    return values | {
        "definite_title": title,
        "gender": "en",
        "received": [],
        "decision_title": "",
        "decided": [],
        "missing": [m | {"about": ""} for m in values.get("missing", [])],
    }


def _meeting_1(values: dict[str, Any]) -> dict[str, Any]:
    return values | {"meeting_title": _cycle_title(values)}


def _action_1(values: dict[str, Any]) -> dict[str, Any]:
    kind = KIND_WORDS.get(str(values.get("action_kind", "")).lower(), "insats")
    return values | {"kind": kind, "action_id": 0}


def _decision_1(values: dict[str, Any]) -> dict[str, Any]:
    return values | {"decision_title": _cycle_title(values)}


def _digest_1(values: dict[str, Any]) -> dict[str, Any]:
    return values | {"tasks": [t | {"about": ""} for t in values.get("tasks", [])]}


# (shape, version) -> upgrade of the stored data to the next version
UPGRADES: dict[tuple[type[MessageContext], int], Callable[[dict[str, Any]], dict[str, Any]]] = {
    (RequestMessage, 1): _request_1,
    (RequestMessage, 2): _request_2,
    (SummaryMessage, 1): _summary_1,
    (MeetingMessage, 1): _meeting_1,
    (ActionMessage, 1): _action_1,
    (DecisionMessage, 1): _decision_1,
    (DigestMessage, 1): _digest_1,
}


def dump_message(context: MessageContext) -> dict[str, Any]:
    """The stored form: the fields (and the cycle's) as a plain dict, with the version.

    Shallow on purpose (contexts are made fresh for each message and never shared), which
    keeps writing an email's context cheap."""
    data = {name: getattr(context, name) for name in _field_names(type(context))}
    cycle = data.get("cycle")
    if isinstance(cycle, CycleRef):
        data["cycle"] = {name: getattr(cycle, name) for name in _field_names(CycleRef)}
    data[VERSION_KEY] = context.VERSION
    return data


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(shape: type) -> tuple[str, ...]:
    found = _FIELD_NAMES.get(shape)
    if found is None:
        found = _FIELD_NAMES[shape] = tuple(f.name for f in fields(shape))
    return found


def read_message(kind: MessageKind, data: dict[str, Any]) -> MessageContext:
    """The typed context of a stored message; ValueError if it cannot be read."""
    shape = SHAPES[kind]
    values = dict(data)
    values.pop(RECIPIENT_NAME, None)  # stored beside the context, for the greeting
    version = int(values.pop(VERSION_KEY, 1))
    while version < shape.VERSION:
        values = UPGRADES[(shape, version)](values)
        version += 1
    if version > shape.VERSION:
        raise ValueError(f"meddelandeformat {version} är nyare än denna version av Löfte")
    if "cycle" in values and isinstance(values["cycle"], dict):
        values["cycle"] = CycleRef(**values["cycle"])
    try:
        return shape(**values)
    except TypeError as exc:
        raise ValueError(f"meddelandet går inte att läsa: {exc}") from exc
