"""`/enhet/<municipality>/platser`: the place register with how often each place was reported,
and the "annan plats" texts still to be mapped. The unit's coordinator (and administrators)
map such a text onto a place or add it to the register, with plain forms (no script)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.definitions.organisation import PLACE_KINDS
from lofte.kernel.errors import ConfigError, FormError
from lofte.kernel.timerules import STOCKHOLM
from lofte.web.guards import requires, viewable
from lofte.web.query_values import query_date
from lofte.web.services import lofte_app
from lofte.workflow.application.places_view import (
    PlacesPicture,
    add_other_place,
    map_other_place,
    places_csv,
    places_picture,
)
from lofte.workflow.application.visibility import Viewer

blueprint = Blueprint("places", __name__)
PLACES = "/enhet/<unit_id>/platser"
MAX_TEXT = 200


@blueprint.get(PLACES)
@requires()
def places(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    picture = _picture(viewer, unit_id)
    if request.args.get("format") == "csv":
        return Response(
            places_csv(picture),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="platser-{unit_id}.csv"'},
        )
    return _page(picture, done=request.args.get("klart", ""))


@blueprint.post(PLACES + "/koppla")
@requires()
def map_text(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    text = request.form.get("text", "")[:MAX_TEXT]
    try:
        viewable(
            lambda: map_other_place(
                lofte_app(), viewer, unit_id, text, request.form.get("plats", "")[:80]
            )
        )
    except (FormError, ConfigError) as problem:
        return _page(_picture(viewer, unit_id), text=text, error=str(problem)), 422
    return redirect(url_for("places.places", unit_id=unit_id, klart="kopplad"), code=303)


@blueprint.post(PLACES + "/ny")
@requires()
def add(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    text = request.form.get("text", "")[:MAX_TEXT]
    form = {k: request.form.get(k, "")[:MAX_TEXT] for k in ("namn", "omrade", "slag", "lat", "lon")}
    try:
        viewable(lambda: add_other_place(lofte_app(), viewer, unit_id, text, form))
    except (FormError, ConfigError) as problem:
        return _page(_picture(viewer, unit_id), text=text, error=str(problem)), 422
    return redirect(url_for("places.places", unit_id=unit_id, klart="tillagd"), code=303)


def _picture(viewer: Viewer, unit_id: str) -> PlacesPicture:
    today = lofte_app().now.astimezone(STOCKHOLM).date()
    start = query_date(request.args.get("fran", ""), today - timedelta(days=364))
    end = query_date(request.args.get("till", ""), today)
    if start > end or (end - start).days > 3700:
        abort(400)
    try:
        return viewable(lambda: places_picture(lofte_app(), viewer, unit_id, start, end))
    except ConfigError:
        abort(404)


def _page(picture: PlacesPicture, *, text: str = "", error: str = "", done: str = "") -> str:
    return render_template(
        "places.html", picture=picture, kinds=PLACE_KINDS, text=text, error=error, done=done
    )
