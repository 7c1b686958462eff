"""`/svar/<token>`: the answer page of an email's link.

A GET only shows the form (mail scanners open links; nothing is used up). The POST records the
answer through the engine, CSRF-protected; until the step closes the person may change it and
every version is in the audit log.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import InvalidToken, RequestClosed, SubmissionError
from lofte.web.answer_form import (
    BOOLEAN_ON,
    choices_of,
    initial_state,
    read_form,
    state_with_problems,
    with_row_change,
)
from lofte.web.guards import personal
from lofte.web.language import page_language, translate, use_language
from lofte.web.services import lofte_app
from lofte.workflow.application.answer_page import AnswerPage, answer_page, submit_answer

blueprint = Blueprint("answer", __name__)
LINK_TITLES = {
    "forged": "Länken är inte giltig",
    "expired": "Länken har gått ut",
    "used": "Svaret är redan registrerat",
    "closed": "Steget är avslutat",
}
LINK_TEXTS_EN = {  # the Swedish texts say more (when a link expired); these are for English readers
    "forged": "the link is not valid (it is incomplete or changed)",
    "expired": "the link has expired; contact the coordinator if the answer is needed",
    "used": "the answer is already recorded and the step is closed",
    "closed": "the step is closed; answers are no longer taken",
}


@blueprint.get("/svar/<token>")
@personal
def show(token: str) -> ResponseReturnValue:
    try:
        page = answer_page(lofte_app(), token)
    except InvalidToken as problem:
        return _link_problem(problem)
    use_language(page.language)
    state = initial_state(page.fields, page.previous)
    return _form(page, token, state)


@blueprint.post("/svar/<token>")
@personal
def answer(token: str) -> ResponseReturnValue:
    app = lofte_app()
    try:
        page = answer_page(app, token)
    except InvalidToken as problem:
        return _link_problem(problem)
    use_language(page.language)
    form = request.form
    values = read_form(page.fields, form)
    changed = with_row_change(page.fields, form, values)
    if changed is not None:
        return _form(page, token, changed)
    try:
        done = submit_answer(app, page, values)
    except SubmissionError as error:
        state = state_with_problems(page.fields, values, error.problems, page.language)
        return _form(page, token, state), 422
    except (InvalidToken, RequestClosed) as problem:
        reason = problem.reason if isinstance(problem, InvalidToken) else "closed"
        return _link_problem(InvalidToken(reason, str(problem)))
    return render_template("receipt.html", page=done, token=token)


def _form(page: AnswerPage, token: str, state: object) -> str:
    return render_template(
        "answer.html",
        page=page,
        token=token,
        state=state,
        choices_of=choices_of,
        boolean_on=BOOLEAN_ON,
    )


def _link_problem(problem: InvalidToken) -> tuple[str, int]:
    status = 404 if problem.reason == "forged" else 410
    title = translate(LINK_TITLES.get(problem.reason, LINK_TITLES["forged"]))
    text = LINK_TEXTS_EN.get(problem.reason, "") if page_language() == "en" else str(problem)
    return render_template("link_problem.html", title=title, text=text or str(problem)), status
