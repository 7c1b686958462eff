"""`/enhet/<municipality>/inlasning`: the coordinator brings in EST reports exported from
another tool (CSV or XLSX, with a mapping file if its headers are its own). Uploading shows a
preview (the rows understood, the places they were matched to, each bad row's problems) and
stores nothing; the preview's own form stores it (the file comes back with it and is read
again, so what is stored is what was previewed). Plain forms, no script."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.definitions.directory import Unit
from lofte.kernel.errors import ConfigError
from lofte.web.guards import requires, viewable
from lofte.web.services import lofte_app
from lofte.workflow.application.import_fields import NO_MAPPING, ColumnMapping, read_mapping
from lofte.workflow.application.import_observations import (
    ImportRowsError,
    ObservationImport,
    import_unit,
    preview_observations,
    store_observation_import,
)
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.observations import PART_WORDS

blueprint = Blueprint("imports", __name__)
IMPORT = "/enhet/<unit_id>/inlasning"
MAX_FILE = 2_000_000  # a file uploaded here (about 10,000 rows); larger ones: `lofte import`
MAX_MAPPING = 100_000
SHOWN = 200  # rows of the preview shown in full


@blueprint.before_request
def larger_for_files() -> None:
    """A file and, in the preview's form, the same file again as text (base64)."""
    request.max_content_length = 3 * MAX_FILE
    request.max_form_memory_size = 3 * MAX_FILE


@blueprint.get(IMPORT)
@requires()
def form(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    unit = _unit(viewer, unit_id)
    return render_template("import_observations.html", unit=unit, done=request.args.get("klart"))


@blueprint.post(IMPORT + "/forhandsgranska")
@requires()
def preview(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    unit = _unit(viewer, unit_id)
    upload = request.files.get("fil")
    data = upload.read(MAX_FILE + 1) if upload is not None else b""
    name = (upload.filename or "fil") if upload is not None else ""
    mapping_file = request.files.get("mappning")
    mapping_text = mapping_file.read(MAX_MAPPING + 1) if mapping_file is not None else b""
    if not name:
        return _error(unit, "välj en fil att läsa in")
    if len(data) > MAX_FILE:
        return _error(unit, "filen är större än 2 MB; läs in den med kommandot lofte import")
    return _preview(viewer, unit_id, name, data, mapping_text.decode("utf-8", errors="replace"))


@blueprint.post(IMPORT + "/spara")
@requires()
def store(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    unit = _unit(viewer, unit_id)
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
        mapping_text = base64.b64decode(request.form.get("mappning", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    name = request.form.get("namn", "fil")[:200]
    try:
        found = _read(viewer, unit_id, name, data, mapping_text.decode("utf-8", errors="replace"))
        skip = request.form.get("hoppa_over") == "ja"
        added = viewable(
            lambda: store_observation_import(lofte_app(), viewer, found, skip_bad=skip)
        )
    except ImportRowsError:
        return _preview(viewer, unit_id, name, data, mapping_text.decode("utf-8", "replace"))
    except ConfigError as problem:
        return _error(unit, str(problem))
    return redirect(url_for("imports.form", unit_id=unit_id, klart=str(added)), code=303)


def _unit(viewer: Viewer, unit_id: str) -> Unit:
    """The municipality; 404 for another unit or none, 403 for someone who may not import."""
    try:
        return viewable(lambda: import_unit(lofte_app(), viewer, unit_id))
    except ConfigError:
        abort(404)


def _read(
    viewer: Viewer, unit_id: str, name: str, data: bytes, mapping_text: str
) -> ObservationImport:
    mapping: ColumnMapping = (
        read_mapping("mappningsfilen", mapping_text) if mapping_text.strip() else NO_MAPPING
    )
    return viewable(lambda: preview_observations(lofte_app(), viewer, unit_id, name, data, mapping))


def _preview(
    viewer: Viewer, unit_id: str, name: str, data: bytes, mapping_text: str
) -> ResponseReturnValue:
    unit = _unit(viewer, unit_id)
    try:
        found = _read(viewer, unit_id, name, data, mapping_text)
    except ConfigError as problem:
        return _error(unit, str(problem))
    return render_template(
        "import_observations.html",
        unit=unit,
        found=found,
        shown=SHOWN,
        data=base64.b64encode(data).decode("ascii"),
        mapping=base64.b64encode(mapping_text.encode()).decode("ascii"),
        labels=found.labels,
        part_words={key: words[0] for key, words in PART_WORDS.items()},
    )


def _error(unit: Unit, message: str) -> ResponseReturnValue:
    return render_template("import_observations.html", unit=unit, error=message), 422
