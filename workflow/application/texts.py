"""Words people read for states and outcomes, in Swedish (with agreement: `EST-mötet är
avslutat`, `inventeringen är avslutad`) and English."""

from __future__ import annotations

from lofte.definitions.cycle import TERMINAL_STATES, CycleDefinition
from lofte.workflow.core.records import CycleInstance, Outcome

_OUTCOMES_SV = {
    Outcome.COMPLETED_ON_TIME: "avslutad i tid",
    Outcome.COMPLETED_LATE: "avslutad sent",
    Outcome.CLOSED_INCOMPLETE: "avslutad – svar saknas",
    Outcome.NO_BASIS: "avslutad – inget beslut att följa upp",
}
_OUTCOMES_EN = {
    Outcome.COMPLETED_ON_TIME: "completed on time",
    Outcome.COMPLETED_LATE: "completed late",
    Outcome.CLOSED_INCOMPLETE: "closed – inputs missing",
    Outcome.NO_BASIS: "closed – no decision to follow up",
}
REQUEST_STATUS = {
    "open": ("väntar på svar", "awaiting an answer"),
    "answered": ("besvarad", "answered"),
    "missing": ("saknas", "missing"),
    "cancelled": ("behövs inte längre", "no longer needed"),
}
ACTION_STATUS = {
    "oppen": ("öppen", "open"),
    "pagar": ("pågår", "in progress"),
    "ej_paborjad": ("ej påbörjad", "not started"),
    "genomford": ("genomförd", "done"),
    "andrad": ("ändrad", "changed"),
    "avbruten": ("avbruten", "dropped"),
}
ACTION_KIND = {
    "insats": ("insats", "intervention"),
    "tidig_insats": ("tidig insats", "early intervention"),
    "atagande": ("åtagande", "commitment"),
}
TIMER_KIND = {
    "open": "öppning",
    "reminder": "påminnelse",
    "deadline": "tidsfrist",
    "escalation": "eskalering",
    "expiry": "sista svarstid",
    "meeting": "möte börjar",
    "erasure": "radering",
}
TIMER_STATUS = {
    "pending": "väntande",
    "fired": "körda",
    "cancelled": "avbrutna",
    "failed": "incidenter",
}
TIMER_KIND_EN = {
    "open": "opening",
    "reminder": "reminder",
    "deadline": "deadline",
    "escalation": "escalation",
    "expiry": "last time for answers",
    "meeting": "meeting starts",
    "erasure": "erasure",
}


def timer_kind(kind: str, language: str = "sv") -> str:
    return (TIMER_KIND_EN if language == "en" else TIMER_KIND).get(kind, kind)


OUTBOX_STATUS = {
    "pending": "väntar",
    "sending": "skickas",
    "sent": "skickat",
    "held": "väntar på sammanställning",
    "digested": "i daglig sammanställning",
    "failed": "incident",
    "expired": "ej skickat (för sent)",
}

MESSAGE_KIND = {
    "input_request": "förfrågan",
    "reminder": "påminnelse",
    "escalation": "eskalering",
    "cycle_summary": "sammanfattning",
    "meeting_invite": "mötesinbjudan",
    "meeting_update": "ändrat möte",
    "meeting_cancel": "inställt möte",
    "action_assigned": "tilldelad åtgärd",
    "decision": "beslut",
    "catch_up": "ikappkörning",
    "digest": "daglig sammanställning",
    "sign_in": "inloggningslänk",
    "delivery_alert": "leveranslarm",
    "person_removed": "person som slutat",
}


MESSAGE_KIND_EN = {
    "input_request": "request",
    "reminder": "reminder",
    "escalation": "escalation",
    "cycle_summary": "summary",
    "meeting_invite": "meeting invitation",
    "meeting_update": "changed meeting",
    "meeting_cancel": "meeting called off",
    "action_assigned": "action given",
    "decision": "decision",
    "catch_up": "catch-up",
    "digest": "daily summary",
    "sign_in": "sign-in link",
    "delivery_alert": "delivery alert",
    "person_removed": "a person who left",
}


def message_kind(kind: str, language: str = "sv") -> str:
    return (MESSAGE_KIND_EN if language == "en" else MESSAGE_KIND).get(kind, kind)


def message_about(context: dict[str, object]) -> str:
    """What a message is about: the cycle's short title, period and unit (from its context)."""
    cycle = context.get("cycle")
    if not isinstance(cycle, dict):
        return ""
    parts = (
        cycle.get("short_title", ""),
        cycle.get("period_label", ""),
        cycle.get("unit_name", ""),
    )
    return " ".join(str(p) for p in parts if p)


def _agree(text: str, gender: str) -> str:
    """`avslutad` -> `avslutat` for ett-words."""
    return text.replace("avslutad", "avslutat") if gender == "ett" else text


def outcome_text(outcome: Outcome | None, gender: str = "en", language: str = "sv") -> str:
    if outcome is None:
        return "in progress" if language == "en" else "pågår"
    if language == "en":
        return _OUTCOMES_EN[outcome]
    return _agree(_OUTCOMES_SV[outcome], gender)


def state_text(instance: CycleInstance, definition: CycleDefinition, language: str = "sv") -> str:
    """Where the cycle is: the current step's title, or its outcome when it has ended."""
    if instance.state in TERMINAL_STATES or instance.outcome is not None:
        return outcome_text(instance.outcome, definition.names.gender, language)
    if definition.has_step(instance.state):
        return definition.step(instance.state).title.get(language)
    return instance.state


def sentence(instance: CycleInstance, definition: CycleDefinition) -> str:
    """`EST-mötet v. 2 2027 i Sala kommun är avslutat i tid.` style summary (Swedish)."""
    name = definition.definite_title("sv")
    if instance.outcome is None:
        return f"{name} {instance.period_label} pågår: {state_text(instance, definition)}."
    outcome = outcome_text(instance.outcome, definition.names.gender)
    return f"{name} {instance.period_label} är {outcome}."


def request_status(status: str, language: str = "sv") -> str:
    sv, en = REQUEST_STATUS.get(status, (status, status))
    return en if language == "en" else sv


def action_status(status: str, language: str = "sv") -> str:
    sv, en = ACTION_STATUS.get(status, (status, status))
    return en if language == "en" else sv


ACTION_TITLES = {  # as a request's subject begins: `Insats: Klotter i tunneln`
    "insats": ("Insats", "Intervention"),
    "tidig_insats": ("Tidig insats", "Early intervention"),
    "atagande": ("Åtagande", "Commitment"),
}
ACTION_ARTICLES = {
    "insats": ("en", "an"),
    "tidig_insats": ("en", "an"),
    "atagande": ("ett", "a"),
}


def article(kind: str, language: str = "sv") -> str:
    """The indefinite article of an action kind: `ett åtagande`, `en insats`; `an
    intervention`, `a commitment`."""
    sv, en = ACTION_ARTICLES.get(kind, ("en", "a"))
    return en if language == "en" else sv


def pronoun(kind: str) -> str:
    """`följa upp den` (en insats), `följa upp det` (ett åtagande)."""
    return "det" if article(kind) == "ett" else "den"


def action_kind(kind: str, language: str = "sv") -> str:
    sv, en = ACTION_KIND.get(kind, (kind, kind))
    return en if language == "en" else sv


AUDIT_EVENTS = {
    "setup_loaded": ("uppsättningen lästes in", "the setup was loaded"),
    "cycle_opened": ("cykeln öppnades", "the cycle opened"),
    "step_opened": ("steget öppnades", "the step opened"),
    "input_received": ("svar registrerat", "answer recorded"),
    "answer_changed": ("svaret ändrades", "the answer was changed"),
    "reminder_sent": ("påminnelse skickad", "reminder sent"),
    "escalated": ("eskalerat", "escalated"),
    "deadline_reached": ("sista svarstid passerad", "last time for answers passed"),
    "requests_closed": ("förfrågningar stängda", "requests closed"),
    "requests_not_sent": (
        "förfrågningar skickades inte (för sent)",
        "requests not sent (too late)",
    ),
    "cycle_closed": ("cykeln avslutades", "the cycle closed"),
    "basis_missing": ("beslut att följa upp saknas", "no decision to follow up"),
    "action_created": ("åtgärd registrerad", "action recorded"),
    "action_followed_up": ("åtgärd följd upp", "action followed up"),
    "meeting_booked": ("möte bokat", "meeting booked"),
    "meeting_update": ("mötet flyttades", "the meeting was moved"),
    "meeting_cancel": ("mötet ställdes in", "the meeting was called off"),
    "context_refreshed": ("underlaget uppdaterades", "the background was updated"),
    "decision_announced": ("beslutet skickades ut", "the decision was sent out"),
    "catch_up_reported": ("ikappkörning rapporterad", "catch-up reported"),
    "request_resent": ("ny svarslänk skickad", "new answer link sent"),
    "sensitive_viewed": ("skyddad uppgift visades", "protected content was viewed"),
    "sensitive_erased": ("skyddade uppgifter raderades", "protected content was erased"),
    "person_removed": ("en person togs bort ur organisationen", "a person left the organisation"),
    "person_exported": (
        "allt om en person lämnades ut",
        "everything held about a person was exported",
    ),
    "retention_ended": (
        "gallring: personer som lämnat fick pseudonym",
        "retention ended: people who left were given pseudonyms",
    ),
    "keys_rotated": ("nycklar byttes", "keys were rotated"),
    "audit_key_rotated": ("granskningsnyckeln byttes", "the audit key was rotated"),
    "timer_incident": ("timer blev en incident", "a timer became an incident"),
    "timer_retry": ("timer kördes om", "a timer was run again"),
    "outbox_incident": ("e-post blev en incident", "an email became an incident"),
    "outbox_retry": ("e-post skickades om", "an email was sent again"),
    "outbox_retry_all": (
        "alla e-postincidenter skickades om",
        "every email incident was sent again",
    ),
    # the events that move a cycle from one state to the next
    "inputs_complete": ("alla svar har kommit in", "every answer is in"),
    "deadline_passed": ("tidsfristen har passerat", "the deadline has passed"),
    "decided": ("beslutet registrerades", "the decision was recorded"),
    "expired": ("sista svarstiden passerade", "the last time for answers passed"),
}


def audit_event_text(event: str, language: str = "sv") -> str:
    """An audit event in words (a general word for one it does not know)."""
    sv, en = AUDIT_EVENTS.get(event, ("händelse", "event"))
    return en if language == "en" else sv
