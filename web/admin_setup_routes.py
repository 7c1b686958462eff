"""`/admin/uppsattning`: changed definition or organisation files uploaded, checked with the
setup in force and registered (or every problem listed, 422, nothing stored); and
`/admin/definitioner/...`: a definition in force, with its state diagram (inline SVG beside a
table of the same transitions). Only for administrators."""

from __future__ import annotations

import io
import zipfile

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import DefinitionError, DefinitionProblem, LofteError
from lofte.kernel.untrusted import size_text
from lofte.web.guards import admin_page, viewable
from lofte.web.services import lofte_app
from lofte.workflow.application.definition_view import definition_view
from lofte.workflow.application.setup_upload import (
    MAX_FILE_BYTES,
    MAX_FILES,
    Upload,
    UploadResult,
    setup_generation,
    setup_in_force,
    upload_setup,
)
from lofte.workflow.application.visibility import Viewer

blueprint = Blueprint("admin_setup", __name__)


@blueprint.get("/admin/uppsattning")
@admin_page
def upload_form(viewer: Viewer) -> ResponseReturnValue:
    return _upload_page()


@blueprint.post("/admin/uppsattning")
@admin_page
def upload(viewer: Viewer) -> ResponseReturnValue:
    files = [Upload(f.filename or "", f.read()) for f in request.files.getlist("filer")]
    sent = request.form.get("grund")  # the load the page was made from (absent: not checked)
    based_on = sent[:100] if sent is not None else None
    try:
        result = upload_setup(lofte_app(), viewer, files, based_on)
    except DefinitionError as problem:
        return _upload_page(problems=problem.problems), 422
    except LofteError as problem:  # another change came first: nothing was stored
        return _upload_page(error=str(problem)), 409
    return _upload_page(result=result)


@blueprint.get("/admin/uppsattning/nuvarande.zip")
@admin_page
def download(viewer: Viewer) -> ResponseReturnValue:
    """The files in force as a zip, to change and upload again."""
    in_force = setup_in_force(lofte_app(), viewer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in in_force.files.items():
            archive.writestr(f"lofte-uppsattning/{name}", text.encode("utf-8"))
    response = Response(buffer.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="lofte-uppsattning.zip"'
    return response


@blueprint.get("/admin/definitioner/<name>")
@admin_page
def definition(viewer: Viewer, name: str) -> ResponseReturnValue:
    unit_id = request.args.get("enhet", "")[:64] or None
    view = viewable(lambda: definition_view(lofte_app(), viewer, name[:64], unit_id))
    return render_template("admin_definition.html", shown=view)


def _upload_page(
    problems: tuple[DefinitionProblem, ...] = (),
    result: UploadResult | None = None,
    error: str = "",
) -> str:
    return render_template(
        "admin_upload.html",
        generation=setup_generation(lofte_app()),
        problems=problems,
        result=result,
        error=error,
        max_file=size_text(MAX_FILE_BYTES),
        max_files=MAX_FILES,
    )
