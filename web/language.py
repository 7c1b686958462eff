"""The language of a page: the person's own (`language: en` in the organisation) when the
page is theirs (an answer link, a signed-in page), otherwise what the browser prefers of
Swedish and English (Swedish when it says nothing). Templates write fixed text as
`_("Svenska")`; `workflow.application.ui_text` has its English."""

from __future__ import annotations

from flask import g, request

from lofte.web.services import lofte_app
from lofte.web.session import current_person
from lofte.workflow.application.ui_text import ui


def use_language(language: str) -> None:
    """This request's pages are in `language` (the answer link's person, say)."""
    g.lang = "en" if language == "en" else "sv"


def page_language() -> str:
    if "lang" not in g:
        person_id = current_person()
        person = lofte_app().directory().find(person_id) if person_id else None
        if person is not None:
            use_language(person.language)
        else:
            use_language(request.accept_languages.best_match(["sv", "en"], default="sv") or "sv")
    found: str = g.lang
    return found


def translate(text: str, **values: object) -> str:
    """`_("Svara senast")` in a template: the text in the page's language."""
    return ui(text, page_language(), **values)
