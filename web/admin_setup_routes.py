"""`/admin/definitioner/...`: a definition in force, with its state diagram (inline SVG beside
a table of the same transitions). Only for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from web.admin_routes import admin_viewer
from web.factory import lofte_app
from workflow.application.definition_view import UNIT_KIND, definition_view
from workflow.kernel.errors import NotFound

blueprint = Blueprint("admin_setup", __name__)


@blueprint.get("/admin/definitioner/<name>")
def definition(name: str) -> ResponseReturnValue:
    viewer = admin_viewer()
    if viewer is None:
        return redirect(url_for("sign_in.ask"))
    unit_id = request.args.get("enhet", "")[:64] or None
    try:
        shown = definition_view(lofte_app(), viewer, name[:64], unit_id)
    except NotFound:
        abort(404)
    return render_template("admin_definition.html", shown=shown, unit_kind=UNIT_KIND)
