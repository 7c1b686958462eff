"""`/publikt/`: what each municipality has decided and followed up, for citizens; no sign-in.
Only fields marked for publication (see `workflow.application.publication`)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.definitions.directory import Unit
from lofte.web.guards import public, viewable
from lofte.web.language import page_language
from lofte.web.services import lofte_app
from lofte.workflow.application.promise_view import promises_today
from lofte.workflow.application.publication import Published, public_units, published, quarters

blueprint = Blueprint("public", __name__)


@blueprint.get("/publikt/")
@public
def municipalities() -> ResponseReturnValue:
    app, language = lofte_app(), page_language()
    units = public_units(app)
    in_force = {u.id: promises_today(app, u.id, language).in_force for u in units}
    return render_template("public_index.html", units=units, in_force=in_force)


@blueprint.get("/publikt/<unit_id>")
@public
def unit_page(unit_id: str) -> ResponseReturnValue:
    unit, items = _published(unit_id)
    promises = promises_today(lofte_app(), unit.id, page_language())
    current = promises.in_force
    follow_ups = [
        item for item in items if current and item.follows_up and item.promise == current.years
    ]
    return render_template(
        "public_unit.html",
        unit=unit,
        archive=quarters(items, page_language()),
        promises=promises,
        follow_ups=follow_ups,
    )


@blueprint.get("/publikt/<unit_id>/flode.atom")
@public
def feed(unit_id: str) -> ResponseReturnValue:
    unit, items = _published(unit_id)
    updated = items[0].published_at if items else datetime(2000, 1, 1, tzinfo=UTC)
    body = render_template(
        "public_feed.xml",
        unit=unit,
        items=items[:50],
        updated=updated,
        page=request.url_root.rstrip("/") + url_for("public.unit_page", unit_id=unit.id),
        self_url=request.url,
    )
    return Response(body, mimetype="application/atom+xml")


def _published(unit_id: str) -> tuple[Unit, list[Published]]:
    app = lofte_app()
    unit = viewable(lambda: app.require_unit(unit_id[:64]))
    if unit.kind != "municipality":
        abort(404)
    return unit, published(app, unit.id, page_language())
