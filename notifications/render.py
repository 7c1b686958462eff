"""Turn an outbox message into the subject, plain text and HTML a person reads.

Templates live in `notifications/templates/<language>/<kind>.{txt,html}.j2`, compiled once
per process; the macros of `_macros.html.j2` and `_text.txt.j2` are there in every template
as `ui` and `t`. The environment uses StrictUndefined (a template that refers to a missing value
fails in a test, not in an inbox) and autoescapes HTML (text typed by one person never becomes
markup in another's email).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from lofte.kernel import words
from lofte.notifications.subjects import subject
from lofte.workflow.application import page_paths as paths
from lofte.workflow.application.context_blocks import blocks
from lofte.workflow.application.texts import article, outcome_text
from lofte.workflow.core.message_types import (
    ActionMessage,
    CatchUpMessage,
    DecisionMessage,
    DeliveryAlertMessage,
    DigestMessage,
    EscalationMessage,
    MeetingMessage,
    MessageContext,
    NoticeMessage,
    PersonRemovedMessage,
    ReplyReadMessage,
    RequestMessage,
    SignInMessage,
    SummaryMessage,
    read_message,
)
from lofte.workflow.core.records import MessageKind, OutboxMessage, Outcome

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("sv", "en")
PROMISE = {"sv": "medborgarlöftet", "en": "the citizen promise"}
LinkMaker = Callable[[int, str], str]  # (request id, answer-until ISO time) -> URL
ContextSource = Callable[[int, str], dict[str, Any] | None]  # (instance id, step id) -> context


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    reply_to: str = ""  # a request's reply address: a reply to the email is an answer


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        keep_trailing_newline=True,
        auto_reload=False,  # packaged files: no look at their modification time per render
    )
    env.filters["moment"] = words.moment
    env.filters["day"] = words.plain_date
    env.filters["article"] = article
    # The macro files take only their arguments: made once, as an import without context
    # would make them, instead of imported again by every render that uses them.
    env.globals["ui"] = env.get_template("_macros.html.j2").module
    env.globals["t"] = env.get_template("_text.txt.j2").module
    return env


@lru_cache(maxsize=64)
def template(name: str) -> Template:
    return environment().get_template(name)


def shown_key(message: OutboxMessage) -> tuple[int, str] | None:
    """The step context (instance id, step id) the message's email shows, if any."""
    context = read_message(message.kind, message.context)
    if isinstance(context, RequestMessage) and context.has_context:
        return context.cycle.instance_id, context.step_id
    return None


class Renderer:
    """`link_for` makes answer links; `base_url` starts the links to pages (a cycle, an
    action, my tasks), so that every email leads somewhere."""

    def __init__(
        self,
        link_for: LinkMaker,
        context_for: ContextSource,
        base_url: str = "http://localhost:8000",
        reply_for: LinkMaker | None = None,
    ) -> None:
        self.link_for = link_for
        self.reply_for = reply_for
        self.context_for = context_for
        self.base_url = base_url.rstrip("/")

    def render(self, message: OutboxMessage) -> RenderedEmail:
        """The email; ValueError or a Jinja error if the stored context cannot be rendered."""
        lang = message.language if message.language in LANGUAGES else "sv"
        context = read_message(message.kind, message.context)
        view = self.view(context, lang) | {
            "lang": lang,
            "name": str(message.context.get("recipient_name", "")).split(" ")[0],
            "subject": subject(context, lang),
        }
        name = TEMPLATE_NAMES[message.kind]
        reply_to = ""
        if self.reply_for is not None and isinstance(context, RequestMessage):
            reply_to = self.reply_for(context.request_id, context.answer_until)
        view["reply_to"] = reply_to
        text = template(f"{lang}/{name}.txt.j2").render(view)
        html = template(f"{lang}/{name}.html.j2").render(view)
        return RenderedEmail(view["subject"], text, html, reply_to)

    def page(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def view(self, context: MessageContext, lang: str) -> dict[str, Any]:
        cycle = getattr(context, "cycle", None)
        base: dict[str, Any] = {
            "sign": f"{cycle.unit_name} – {PROMISE[lang]}" if cycle is not None else "Löfte",
            "cycle": cycle,
            "page": (
                self.page(paths.cycle_page(cycle.unit_id, cycle.instance_id))
                if cycle is not None
                else self.page(paths.TASKS)
            ),
        }
        match context:
            case RequestMessage():
                return base | self._request(context, lang)
            case EscalationMessage():
                return base | {
                    "step_title": context.step_title,
                    "deadline": context.deadline,
                    "missing": context.missing,
                }
            case SummaryMessage():
                return base | self._summary(context, lang)
            case MeetingMessage():
                return base | {"meeting": context}
            case ActionMessage():
                link = self.page(paths.action_page(context.cycle.unit_id, context.action_id))
                return base | {"action": context, "page": link}
            case ReplyReadMessage():
                return base | {
                    "reply": context,
                    "link": self.link_for(context.request_id, context.answer_until),
                }
            case DecisionMessage():
                return base | {
                    "step_title": context.step_title,
                    "decision_title": context.decision_title,
                    "fields": context.fields,
                    "reason": context.reason,
                }
        return base | self._notice(context)

    def _notice(self, context: NoticeMessage) -> dict[str, Any]:
        """What messages about no one cycle show: notices, digests, sign-in, alerts."""
        match context:
            case CatchUpMessage():
                return {
                    "sign": f"{context.unit_name} – Löfte",
                    "unit_name": context.unit_name,
                    "items": context.items,
                }
            case DigestMessage():
                tasks = [
                    t | {"link": self.link_for(int(t["request_id"]), str(t["answer_until"]))}
                    for t in sorted(context.tasks, key=lambda t: str(t["deadline"]))
                ]
                return {"date": context.date_label, "tasks": tasks}
            case SignInMessage():
                return {"link": context.link, "valid_until": context.valid_until}
            case PersonRemovedMessage():
                requests = [
                    r | {"link": self.link_for(int(r["request_id"]), str(r["answer_until"]))}
                    for r in context.requests
                ]
                return {
                    "sign": f"{context.unit_name} – Löfte",
                    "unit_name": context.unit_name,
                    "person_name": context.person_name,
                    "requests": requests,
                    "actions": [
                        a | {"link": self.page(paths.action_page(a["unit_id"], a["action_id"]))}
                        for a in context.actions
                    ],
                }
            case DeliveryAlertMessage():
                return {
                    "since": context.failing_since,
                    "waiting": context.waiting,
                    "error": context.last_error,
                    "page": self.page(paths.ADMIN),
                }

    def _summary(self, context: SummaryMessage, lang: str) -> dict[str, Any]:
        outcome = outcome_text(Outcome(context.outcome), context.gender, lang)
        return {
            "outcome": outcome,
            "definite_title": context.definite_title or context.cycle.title,
            "received": context.received,
            "missing": context.missing,
            "late": context.late_inputs,
            "decision_title": context.decision_title,
            "decided": context.decided,
        }

    def _request(self, context: RequestMessage, lang: str) -> dict[str, Any]:
        shown = (
            self.context_for(context.cycle.instance_id, context.step_id)
            if context.has_context
            else None
        )
        return {
            "step_title": context.step_title,
            "step_kind": context.step_kind,
            "decision_title": context.decision_title,
            "meeting_title": context.meeting_title,
            "asked": [f for f in context.fields if f.get("type") != "boolean"],
            "ticks": [f for f in context.fields if f.get("type") == "boolean"],
            "nothing_label": next((f["label"] for f in context.fields if f.get("excuses")), ""),
            "form": _reply_form(context),
            "purpose": context.purpose,
            "deadline": context.deadline,
            "answer_until": context.answer_until,
            "fields": context.fields,
            "about": context.about,
            "reminder": context.reminder_number,
            "meeting_at": context.meeting,
            "blocks": blocks(shown, lang, self.page),
            "link": self.link_for(context.request_id, context.answer_until),
        }


FORM_KINDS = frozenset({"inputs", "follow_up"})  # steps whose mail carries a form to reply with


def _reply_form(context: RequestMessage) -> list[dict[str, Any]]:
    """The fields of the mail's form (none for a decision or a meeting's step): every field
    asked but the "nothing to report" box and sensitive ones, which never go by email."""
    if context.step_kind not in FORM_KINDS:
        return []
    return [f for f in context.fields if not f.get("excuses") and not f.get("sensitive")]


TEMPLATE_NAMES = {
    MessageKind.INPUT_REQUEST: "input_request",
    MessageKind.REMINDER: "input_request",
    MessageKind.ESCALATION: "escalation",
    MessageKind.CYCLE_SUMMARY: "cycle_summary",
    MessageKind.MEETING_INVITE: "meeting",
    MessageKind.MEETING_UPDATE: "meeting",
    MessageKind.MEETING_CANCEL: "meeting",
    MessageKind.ACTION_ASSIGNED: "action_assigned",
    MessageKind.DECISION: "decision",
    MessageKind.CATCH_UP: "catch_up",
    MessageKind.DIGEST: "digest",
    MessageKind.SIGN_IN: "sign_in",
    MessageKind.DELIVERY_ALERT: "delivery_alert",
    MessageKind.REPLY_READ: "reply_read",
    MessageKind.PERSON_REMOVED: "person_removed",
}
