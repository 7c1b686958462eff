"""A changed definition or organisation file uploaded by an administrator.

The uploaded files replace the stored ones of the same name (`est-inventering.yaml` the
definition `est-inventering`, `organisation.yaml` the organisation); every other file of the
setup in force is kept as it was loaded. The whole set is then checked exactly as
`lofte definitions validate` and `lofte init --definitions` check a folder
(`definitions.loader.load_texts`), and only a set without a single problem is registered: as
new versions where something changed, audited with the administrator as the actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lofte.definitions.loader import (
    ORGANISATION_STEM,
    SourceText,
    decode_text,
    load_texts,
    parse_definition,
)
from lofte.kernel.errors import DefinitionError, DefinitionProblem, LofteError
from lofte.kernel.untrusted import size_text
from lofte.workflow.application.admin_console import require_admin
from lofte.workflow.application.app import Application
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.catalog import GENERATION
from lofte.workflow.core.setup import current_setup

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 20
MAX_UPLOAD_BYTES = 4_000_000  # the whole request; a file above MAX_FILE_BYTES is named
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
SUFFIXES = (".yaml", ".yml")
STORED = "(nuvarande)"  # how problems name a stored file that was not uploaded


@dataclass(frozen=True)
class Upload:
    name: str  # the file's name as the browser sent it
    data: bytes


@dataclass(frozen=True)
class UploadResult:
    files: tuple[str, ...]  # the uploaded files' names
    changes: tuple[str, ...]  # one line per new version (Swedish); empty: nothing changed


@dataclass(frozen=True)
class SetupFiles:
    generation: str  # which load of the setup these files are (the upload form carries it)
    files: dict[str, str]  # file name -> text, as they were loaded


def setup_generation(app: Application) -> str:
    """Which load of the setup is in force (the upload form carries it back)."""
    with app.engine.store.unit_of_work(read_only=True) as uow:
        return uow.settings.get(GENERATION) or ""


def setup_in_force(app: Application, viewer: Viewer) -> SetupFiles:
    """The definition and organisation files in force, to download, change and upload."""
    require_admin(viewer)
    with app.engine.store.unit_of_work(read_only=True) as uow:
        generation = uow.settings.get(GENERATION) or ""
        org_text, templates = current_setup(uow)
    files = {f"{name}.yaml": text for name, text in sorted(templates.items())}
    if org_text:
        files[f"{ORGANISATION_STEM}.yaml"] = org_text
    return SetupFiles(generation, files)


def upload_setup(
    app: Application, viewer: Viewer, uploads: list[Upload], based_on: str | None = None
) -> UploadResult:
    """Check the uploaded files with the setup in force and register the new versions.
    DefinitionError with every problem (file, line, field) when anything is wrong; nothing
    is stored then. `based_on`: the load the administrator's page (and downloaded files)
    came from; if another load came since, nothing is stored (LofteError)."""
    require_admin(viewer)
    problems: list[DefinitionProblem] = []
    texts = _read_uploads(uploads, problems)
    with app.engine.store.unit_of_work(read_only=True) as uow:
        generation = uow.settings.get(GENERATION) or ""  # first: the texts are of it or newer
        org_text, templates = current_setup(uow)
    if based_on is not None and based_on != generation:
        raise LofteError(
            "uppsättningen har ändrats sedan du öppnade sidan (någon annan har läst in filer); "
            "inget sparades. Hämta de nuvarande filerna, gör om ändringen och ladda upp igen"
        )
    replaced = {_stem(file) for file in texts}
    sources = [  # the stored files first: a clash is reported at the uploaded file
        SourceText(f"{name}.yaml {STORED}", text, False)
        for name, text in templates.items()
        if name not in replaced
    ]
    if ORGANISATION_STEM not in replaced and org_text:
        sources.append(SourceText(f"{ORGANISATION_STEM}.yaml {STORED}", org_text, True))
    sources += [
        SourceText(file, text, _stem(file) == ORGANISATION_STEM) for file, text in texts.items()
    ]
    problems += _misnamed(texts)  # first: a misnamed file is what is wrong, whatever follows
    bundle = load_texts(sources, "uppladdningen", problems)
    if problems:
        raise DefinitionError(problems)
    changes = app.engine.register(bundle, actor=viewer.label, based_on=generation)
    return UploadResult(tuple(texts), tuple(changes))


def _misnamed(texts: dict[str, str]) -> list[DefinitionProblem]:
    """Uploaded definitions whose name is not their file's (read on their own, so that the
    name is reported even when the set as a whole has other problems)."""
    found = []
    for file, text in texts.items():
        if _stem(file) == ORGANISATION_STEM:
            continue
        try:
            source = parse_definition(text, file)
        except DefinitionError:
            continue  # load_texts reports what is wrong with it
        if _stem(file) != source.definition.name:
            name = source.definition.name
            message = f"definitionen heter {name!r} men filen {file}; döp filen till {name}.yaml"
            found.append(source.document.problem(("name",), message))
    return found


def _read_uploads(uploads: list[Upload], problems: list[DefinitionProblem]) -> dict[str, str]:
    """The text of each well-named, small enough UTF-8 file by its name; a problem for each
    other file (and for none at all)."""
    chosen = [u for u in uploads if u.name or u.data]
    if not chosen:
        problems.append(DefinitionProblem("uppladdningen", "", "välj minst en fil att ladda upp"))
    if len(chosen) > MAX_FILES:
        problems.append(
            DefinitionProblem("uppladdningen", "", f"högst {MAX_FILES} filer åt gången")
        )
        return {}
    texts: dict[str, str] = {}
    for upload in chosen:
        name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:120]
        problem = _name_problem(name, texts)
        if problem is None and len(upload.data) > MAX_FILE_BYTES:
            problem = (
                f"filen är för stor ({size_text(len(upload.data))}; "
                f"högst {size_text(MAX_FILE_BYTES)} per fil)"
            )
        if problem is not None:
            problems.append(DefinitionProblem(name or "(fil utan namn)", "", problem))
            continue
        text = decode_text(upload.data, name, problems)
        if text is not None:
            texts[name] = text
    return texts


def _name_problem(name: str, taken: dict[str, str]) -> str | None:
    if not name.lower().endswith(SUFFIXES):
        return "är ingen YAML-fil; ladda upp definitioner och organisation.yaml som .yaml-filer"
    if not NAME.fullmatch(_stem(name)):
        return (
            "filnamnet går inte att använda: en definition heter som sin fil (små bokstäver, "
            "siffror och bindestreck, t.ex. est-inventering.yaml) och organisationen "
            "organisation.yaml"
        )
    if any(_stem(other) == _stem(name) for other in taken):
        return "filen finns två gånger i uppladdningen"
    return None


def _stem(file: str) -> str:
    return file.rsplit(".", 1)[0]
