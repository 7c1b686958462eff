"""The person export (`person_export`) as one readable HTML page in Swedish: every value
escaped, no script, no external file."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from lofte.kernel import words
from lofte.workflow.application.texts import message_kind

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATUS_WORDS = {
    "open": "öppen",
    "answered": "besvarad",
    "missing": "saknas",
    "cancelled": "avbruten",
    "pending": "väntar",
    "sending": "skickas",
    "sent": "skickat",
    "held": "väntar på sammanfattning",
    "digested": "i sammanfattning",
    "failed": "incident",
    "expired": "för sent, skickades inte",
}
SIGN_IN_WORDS = {"link": "inloggningslänk", "session": "inloggad session"}


@cache
def _template() -> Template:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "j2")),
    )
    env.filters["moment"] = lambda value: words.moment(value) if value else "–"
    env.filters["status"] = lambda value: STATUS_WORDS.get(str(value), str(value))
    env.filters["answer"] = _answer_text
    env.filters["kind"] = message_kind
    return env.get_template("person_export.html.j2")


def render_person_export(data: dict[str, Any]) -> str:
    return _template().render(data | {"sign_in_words": SIGN_IN_WORDS})


def _answer_text(answer: Any) -> str:
    """An answer as plain text: field, value; rows one by one."""
    if not answer:
        return "–"
    if not isinstance(answer, dict):
        return str(answer)
    parts = []
    for key, value in answer.items():
        if isinstance(value, list):
            rows = "; ".join(
                ", ".join(f"{k}: {v}" for k, v in row.items())
                if isinstance(row, dict)
                else str(row)
                for row in value
            )
            parts.append(f"{key}: [{rows}]")
        else:
            parts.append(f"{key}: {value}")
    return " · ".join(parts)
