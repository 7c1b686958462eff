"""Fixed texts of pages in Swedish, with their English for people who read English. A page
writes the Swedish (`_("Mina uppgifter")`); `ui` gives it in the reader's language, with
`{name}` places filled in. `tests/test_languages.py` checks that every Swedish text of
the templates has its English here."""

from __future__ import annotations

from lofte.workflow.application.ui_english import ENGLISH


def ui(text: str, language: str = "sv", /, **values: object) -> str:
    found = ENGLISH.get(text, text) if language == "en" else text
    return found.format(**values) if values else found
