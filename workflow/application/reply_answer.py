"""What a trusted reply (from the person asked, to a step still open) says: "inget att
rapportera" for a step that offers it, or a filled-in copy of the mail's form. Nothing is
guessed: anything else is not understood, and the person is told what was read and what not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lofte.definitions.fields import AnyField, BooleanField, RowsField
from lofte.definitions.steps import AnyStep
from lofte.workflow.application.reply_form import read_form
from lofte.workflow.application.tasks import nothing_to_report

NOTHING = frozenset({"inget att rapportera", "inget", "nothing to report", "nothing"})
SIGN_OFF_LINES = 4  # a paragraph after the answer of at most this many short lines is a sign-off
SIGN_OFF_WIDTH = 60
GREETING = re.compile(r"^(hej|hejsan|hallå|hi|hello|dear)\b[\w\s,.!-]{0,40}$", re.I)
ROWS_WORD = {"sv": "rader", "en": "rows"}


@dataclass(frozen=True)
class Interpretation:
    answer: dict[str, Any] | None  # None: not understood
    understood: tuple[str, ...]  # in the person's language
    not_understood: str  # what could not be read, told back to the person
    reason: str  # Swedish, for the command's table and the audit log


def interpret(step: AnyStep, said: str, language: str) -> Interpretation:
    nothing = nothing_to_report(step)
    if nothing is not None and says_nothing_to_report(said):
        return Interpretation(
            {nothing.id: True}, (nothing.label.get(language),), "", "inget att rapportera"
        )
    form = read_form(step, nothing.id if nothing else None, said)
    if form is None:
        words = " ".join(said.split())[:200] or "(ingen text ovanför det citerade mejlet)"
        reason = (
            "texten är varken ”inget att rapportera” eller ett ifyllt formulär"
            if nothing is not None
            else "texten är inget ifyllt formulär"
        )
        return Interpretation(None, (), words, reason)
    understood = tuple(
        _understood(spec, form.answer[spec.id], language) for spec in _asked(step, form.answer)
    )
    unknown = [line for line in form.unknown if not GREETING.match(line)]
    if unknown:
        text = "; ".join(unknown)[:200]
        return Interpretation(None, understood, text, f"rader utanför formuläret: {text}")
    return Interpretation(form.answer, understood, "", "ifyllt formulär")


def says_nothing_to_report(text: str) -> bool:
    """The first paragraph is one of the phrases; any other paragraph is a short sign-off."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs or _phrase(paragraphs[0]) not in NOTHING:
        return False
    return all(_sign_off(p) for p in paragraphs[1:])


def _asked(step: AnyStep, answer: dict[str, Any]) -> list[AnyField]:
    return [f for f in step.fields if f.id in answer]


def _understood(spec: AnyField, value: Any, language: str) -> str:
    label = spec.label.get(language)
    if isinstance(spec, RowsField):
        return f"{label}: {len(value)} {ROWS_WORD['en' if language == 'en' else 'sv']}"
    if isinstance(spec, BooleanField):
        return (
            f"{label}: {'ja' if value else 'nej'}"
            if language != "en"
            else f"{label}: {'yes' if value else 'no'}"
        )
    return f"{label}: {str(value)[:80]}"


def _phrase(paragraph: str) -> str:
    return " ".join(paragraph.lower().split()).strip(" .!")


def _sign_off(paragraph: str) -> bool:
    lines = [line for line in paragraph.splitlines() if line.strip()]
    return len(lines) <= SIGN_OFF_LINES and all(len(line) <= SIGN_OFF_WIDTH for line in lines)
