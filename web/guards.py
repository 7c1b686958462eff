"""Who may open a route, decided on the route's view: `public` (anyone; nothing of a person),
`personal` (anyone with the link, but it is one person's: an answer link, a sign-in link, the
sign-in form and signing out), `operations` (for monitoring: health, readiness, metrics) or
guarded by `requires` (a signed-in person, with a role where one is named). The decision
also says whether the answer may be kept: only a public page shown to nobody in particular may
be stored by a browser or a proxy; every other answer is sent with `Cache-Control: no-store`
(`cache_rule`, run after every request). A view without a decision is never stored, and
`tests/web/test_route_access.py` fails on it.

Whether a signed-in person may see a unit, a cycle or a page's data is the application
layer's rule (`workflow.application.visibility`); `viewable` turns its refusals into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum
from typing import Any, Concatenate, ParamSpec, TypeVar

from flask import Response, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import AccessDenied, NotFound
from lofte.web.services import lofte_app
from lofte.web.session import current_person, person_seen
from lofte.workflow.application.visibility import ADMIN_ROLE, Viewer

P = ParamSpec("P")
T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., Any])
DECISION = "lofte_access"
FRAMEWORK_PUBLIC = frozenset({"static"})  # Flask's own route: the style sheet and script


class Access(Enum):
    PUBLIC = "public"
    PERSONAL = "personal"
    OPERATIONS = "operations"
    SIGNED_IN = "signed in"


def public(view: V) -> V:
    """For anyone, and shows nothing of a person (a signed-in visitor's menu aside)."""
    setattr(view, DECISION, Access.PUBLIC)
    return view


def personal(view: V) -> V:
    """Open without signing in, but what it shows or does is one person's."""
    setattr(view, DECISION, Access.PERSONAL)
    return view


def operations(view: V) -> V:
    """For monitoring (health, readiness, metrics): shows nothing of a person, is never
    stored, and decides itself who may read it."""
    setattr(view, DECISION, Access.OPERATIONS)
    return view


def requires(
    role: str | None = None,
) -> Callable[
    [Callable[Concatenate[Viewer, P], ResponseReturnValue]], Callable[P, ResponseReturnValue]
]:
    """Guards a view: nobody signed in is sent to sign in; with `role`, a person who does not
    hold it for the whole deployment gets 403. The view is called with the viewer first."""

    def guard(
        view: Callable[Concatenate[Viewer, P], ResponseReturnValue],
    ) -> Callable[P, ResponseReturnValue]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            person = current_person()
            if person is None:
                return redirect(url_for("sign_in.ask"))
            viewer = lofte_app().viewer(person)
            if role is not None and role not in viewer.deployment_roles():
                abort(403)
            return view(viewer, *args, **kwargs)

        setattr(guarded, DECISION, Access.SIGNED_IN)
        return guarded

    return guard


# The administrator's console: nobody signed in is sent to sign in, anyone without the
# administrator role for the deployment gets 403.
admin_page = requires(ADMIN_ROLE)


def viewable(build: Callable[[], T]) -> T:
    """What `build` shows; 404 for what does not exist, 403 for what the application layer's
    visibility rules refuse the viewer."""
    try:
        return build()
    except NotFound:
        abort(404)
    except AccessDenied:
        abort(403)


def person_id(viewer: Viewer) -> str:
    """The signed-in person a guarded view was called for (`requires` makes no other viewer)."""
    if viewer.person is None:
        raise LookupError("a guarded view was called without a signed-in person")
    return viewer.person.id


def access_of(endpoint: str, view: Callable[..., Any]) -> Access | None:
    """The decision on a route's view; None if it has none."""
    if endpoint in FRAMEWORK_PUBLIC:
        return Access.PUBLIC
    found: Access | None = getattr(view, DECISION, None)
    return found


def may_be_stored() -> bool:
    """May a browser or proxy keep the answer to this request? Only a public route's (or an
    address that is no route's), and only if the page was not made for a signed-in person."""
    endpoint = request.endpoint
    if endpoint is not None:
        view = current_app.view_functions[endpoint]
        if access_of(endpoint, view) is not Access.PUBLIC:
            return False
    return not person_seen()


def cache_rule(response: Response) -> Response:
    """After every request: `no-store` unless the answer may be kept (`may_be_stored`)."""
    if not may_be_stored():
        response.headers["Cache-Control"] = "no-store"
    return response
