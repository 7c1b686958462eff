"""Turn an outbox message into the subject, plain text and HTML a person reads.

Templates live in `notifications/templates/<language>/`. The environment uses StrictUndefined
(a template that refers to a missing value fails in tests, not in an inbox) and autoescapes HTML
(text typed by one person never becomes markup in another's email).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications.formatting import moment, outcome_text, subject
from workflow.records import MessageKind, OutboxMessage

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("sv", "en")
TEMPLATE_NAMES = {
    MessageKind.INPUT_REQUEST: "input_request",
    MessageKind.REMINDER: "reminder",
    MessageKind.ESCALATION: "escalation",
    MessageKind.CYCLE_SUMMARY: "cycle_summary",
    MessageKind.MEETING_INVITE: "meeting",
    MessageKind.MEETING_UPDATE: "meeting",
    MessageKind.MEETING_CANCEL: "meeting",
    MessageKind.DIGEST: "digest",
}
MEETING_CHANGE = {
    MessageKind.MEETING_INVITE: "invite",
    MessageKind.MEETING_UPDATE: "update",
    MessageKind.MEETING_CANCEL: "cancel",
}

LinkMaker = Callable[[int, str], str]  # (request id, answer-until ISO time) -> URL


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def make_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=False,
        keep_trailing_newline=True,
    )


class Renderer:
    def __init__(self, organisation_name: str, link_for: LinkMaker) -> None:
        self.environment = make_environment()
        self.organisation_name = organisation_name
        self.link_for = link_for

    def render(self, message: OutboxMessage) -> RenderedEmail:
        lang = message.language if message.language in LANGUAGES else "sv"
        view = self.view(message, lang)
        name = TEMPLATE_NAMES[message.kind]
        text = self.environment.get_template(f"{lang}/{name}.txt.j2").render(view)
        html = self.environment.get_template(f"{lang}/{name}.html.j2").render(view)
        return RenderedEmail(view["subject"], text, html)

    def view(self, message: OutboxMessage, lang: str) -> dict[str, Any]:
        c = message.context
        view: dict[str, Any] = {
            "lang": lang,
            "subject": subject(message),
            "org_name": self.organisation_name,
            "name": str(c.get("recipient_name", "")).split(" ")[0],
            "cycle": c.get("cycle_title", ""),
            "period": c.get("period_label", ""),
        }
        builder = _BUILDERS[message.kind]
        view.update(builder(self, message, lang))
        return view

    def _request(self, message: OutboxMessage, lang: str) -> dict[str, Any]:
        c = message.context
        item = c.get("subject") or {}
        return {
            "step_title": c["step_title"],
            "purpose": c.get("purpose", ""),
            "deadline": moment(c["deadline"], lang),
            "answer_until": moment(c["answer_until"], lang),
            "fields": c["fields"],
            "subject_item": item.get("values", {}),
            "subject_list": item.get("list", ""),
            "subject_period": item.get("source_period", ""),
            "link": self.link_for(int(c["request_id"]), c["answer_until"]),
            "meeting": bool(c.get("meeting_step")),
        }

    def _escalation(self, message: OutboxMessage, lang: str) -> dict[str, Any]:
        c = message.context
        return {
            "step_title": c["step_title"],
            "deadline": moment(c["deadline"], lang),
            "missing": [m["person_name"] for m in c["missing"]],
        }

    def _summary(self, message: OutboxMessage, lang: str) -> dict[str, Any]:
        c = message.context
        return {
            "outcome": outcome_text(c["outcome"], lang),
            "missing": [m["person_name"] for m in c["missing"]],
            "late_inputs": c["late_inputs"],
        }

    def _meeting(self, message: OutboxMessage, lang: str) -> dict[str, Any]:
        c = message.context
        meeting = c["meeting"]
        return {
            "change": MEETING_CHANGE[message.kind],
            "step_title": c["step_title"],
            "purpose": c.get("purpose", ""),
            "start": moment(meeting["start"], lang),
            "end_time": moment(meeting["end"], lang).rsplit(" ", 1)[1],
            "location": meeting["location"],
            "organizer": meeting["organizer_name"],
        }

    def _digest(self, message: OutboxMessage, lang: str) -> dict[str, Any]:
        c = message.context
        return {
            "date": c["date_label"],
            "tasks": [
                {
                    "cycle": t["cycle_title"],
                    "period": t["period_label"],
                    "step_title": t["step_title"],
                    "deadline": moment(t["deadline"], lang),
                    "overdue": t["overdue"],
                    "link": self.link_for(int(t["request_id"]), t["answer_until"]),
                }
                for t in _tasks(c["tasks"])
            ],
        }


def _tasks(tasks: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    return sorted(tasks, key=lambda t: str(t["deadline"]))


_BUILDERS: dict[MessageKind, Callable[[Renderer, OutboxMessage, str], dict[str, Any]]] = {
    MessageKind.INPUT_REQUEST: Renderer._request,
    MessageKind.REMINDER: Renderer._request,
    MessageKind.ESCALATION: Renderer._escalation,
    MessageKind.CYCLE_SUMMARY: Renderer._summary,
    MessageKind.MEETING_INVITE: Renderer._meeting,
    MessageKind.MEETING_UPDATE: Renderer._meeting,
    MessageKind.MEETING_CANCEL: Renderer._meeting,
    MessageKind.DIGEST: Renderer._digest,
}
