"""What the language test looks for in a text a person reads: a word of the other language
from a short list, a raw identifier of the packaged setup, an ISO 8601 duration or timestamp.

What people typed (answers, names, places) is taken out first: a Swedish colleague's answer on
an English reader's page is not the software speaking Swedish."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from lofte.definitions.fields import ChoiceField, RowsField
from lofte.definitions.loader import Bundle

# Words that never belong in the other language's text (and occur in no name or place of the
# example). For a Swedish reader: English; for an English reader: Swedish.
NOT_SWEDISH = (
    "the",
    "and",
    "is required",
    "cancelled",
    "fired",
    "complete",
    "completed",
    "pending",
    "reply",
    "owner",
    "meeting",
    "deadline",
    "inputs",
    "you",
)
NOT_ENGLISH = (
    "och",
    "är",
    "svar",
    "vecka",
    "veckor",
    "inte",
    "för",
    "eller",
    "senast",
    "frivilligt",
    "hej",
    "hälsningar",
    "möte",
    "åtgärd",
    "uppföljning",
    "kryssa",
    "fel",
)
ISO_DURATION = re.compile(r"(?<![\w/.-])-?P(?:\d+[YMWD])+(?:T(?:\d+[HMS])+)?\b|\bPT(?:\d+[HMS])+\b")
ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
URL = re.compile(r"https?://\S+|/svar/\S+")
# `steg-id rapportering`: an identifier the definition pages name as such, for administrators
NAMED_ID = re.compile(r"\b(?:definitions|steg|fält|definition|step|field)[- ]id \S+")


def raw_ids(bundle: Bundle) -> set[str]:
    """Identifiers of the packaged definitions, steps, fields and choices that are no word of
    the setup's own texts (`beslut` and `status` are words; `skadegorelse`, `mote`,
    `uppfoljning_insatser` and `est-mote` are not)."""
    ids: set[str] = set()
    texts: list[str] = []
    for source in bundle.definitions:
        d = source.definition
        ids.add(d.name)
        texts += [d.title.sv, d.title.en, d.description.sv, d.description.en]
        for step in d.steps:
            ids.add(step.id)
            texts += [step.title.sv, step.title.en, step.purpose.sv, step.purpose.en]
            for spec in step.fields:
                for field in (spec, *(spec.columns if isinstance(spec, RowsField) else ())):
                    ids.add(field.id)
                    texts += [field.label.sv, field.label.en, field.help.sv, field.help.en]
                    if isinstance(field, ChoiceField):
                        for option in field.options:
                            ids.add(option.value)
                            texts += [option.label_in("sv"), option.label_in("en")]
    words = {w.lower() for text in texts for w in re.findall(r"[\wåäöÅÄÖ-]+", text)}
    return {i for i in ids if i.lower() not in words}


class _Visible(HTMLParser):
    """The text a reader sees or hears: text outside script and style, and the labels
    that are read aloud (aria-label, title, alt)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def without(text: str, entries: Iterable[str]) -> str:
    """The text with people's entries (answers, names, places) taken out, longest first."""
    for entry in sorted({e for e in entries if len(e) > 2}, key=len, reverse=True):
        text = text.replace(entry, " ")
    return text


def problems(text: str, language: str, ids: set[str], entries: Iterable[str] = ()) -> list[str]:
    """Everything wrong with `text` for a reader of `language`; empty when it is clean."""
    text = NAMED_ID.sub(" ", URL.sub(" ", without(text, entries)))
    found = []
    for word in NOT_ENGLISH if language == "en" else NOT_SWEDISH:
        match = re.search(rf"(?<![\wåäöÅÄÖ]){re.escape(word)}(?![\wåäöÅÄÖ])", text, re.I)
        if match:
            other = "Swedish" if language == "en" else "English"
            found.append(f"{other} {word!r}: {_around(text, match.start())}")
    for raw in sorted(ids):
        match = re.search(rf"(?<![\w-]){re.escape(raw)}(?![\w-])", text)
        if match:
            found.append(f"raw identifier {raw!r}: {_around(text, match.start())}")
    for pattern in (ISO_DURATION, ISO_MOMENT):
        match = pattern.search(text)
        if match:
            found.append(f"ISO text {match.group(0)!r}: {_around(text, match.start())}")
    return found


def _around(text: str, at: int) -> str:
    return " ".join(text[max(0, at - 60) : at + 60].split())
