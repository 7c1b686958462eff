"""`/admin/uppsattning`: changed definition or organisation files uploaded, checked with the
setup in force and registered (or every problem listed, 422, nothing stored); and
`/admin/definitioner/...`: a definition in force, with its state diagram (inline SVG beside a
table of the same transitions). Only for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from web.admin_routes import admin_viewer
from web.factory import lofte_app
from workflow.application.definition_view import UNIT_KIND, definition_view
from workflow.application.setup_upload import (
    MAX_FILE_BYTES,
    MAX_FILES,
    Upload,
    UploadResult,
    upload_setup,
)
from workflow.kernel.errors import DefinitionError, DefinitionProblem, LofteError, NotFound
from workflow.kernel.untrusted import size_text

blueprint = Blueprint("admin_setup", __name__)


@blueprint.get("/admin/uppsattning")
def upload_form() -> ResponseReturnValue:
    if admin_viewer() is None:
        return redirect(url_for("sign_in.ask"))
    return _upload_page()


@blueprint.post("/admin/uppsattning")
def upload() -> ResponseReturnValue:
    viewer = admin_viewer()
    if viewer is None:
        return redirect(url_for("sign_in.ask"))
    files = [Upload(f.filename or "", f.read()) for f in request.files.getlist("filer")]
    try:
        result = upload_setup(lofte_app(), viewer, files)
    except DefinitionError as problem:
        return _upload_page(problems=problem.problems), 422
    except LofteError as problem:  # another change came first: nothing was stored
        return _upload_page(error=str(problem)), 409
    return _upload_page(result=result)


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


def _upload_page(
    problems: tuple[DefinitionProblem, ...] = (),
    result: UploadResult | None = None,
    error: str = "",
) -> str:
    return render_template(
        "admin_upload.html",
        problems=problems,
        result=result,
        error=error,
        max_file=size_text(MAX_FILE_BYTES),
        max_files=MAX_FILES,
    )
