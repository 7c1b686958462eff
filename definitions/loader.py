"""Load definition and organisation files into frozen objects, or say exactly what is wrong.

Nothing here touches a database: a file is either entirely valid or it raises
`DefinitionError` with every problem found (file, field path, line, what is wrong).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from definitions.checks import check_bundle, check_definition, check_organisation
from definitions.schema import CycleDefinition, Organisation
from definitions.yaml_source import YamlDocument, parse_yaml
from workflow.errors import DefinitionError, DefinitionProblem

_Model = TypeVar("_Model", CycleDefinition, Organisation)

PACKAGED_DIR = Path(__file__).resolve().parent
ORGANISATION_STEM = "organisation"


@dataclass(frozen=True)
class DefinitionSource:
    """A definition as loaded, with the text it came from (stored with every version)."""

    definition: CycleDefinition
    text: str
    file: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OrganisationSource:
    organisation: Organisation
    text: str
    file: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Bundle:
    """Every definition and the organisation, checked against each other."""

    definitions: tuple[DefinitionSource, ...]
    organisation: OrganisationSource

    def definition(self, name: str) -> CycleDefinition:
        for source in self.definitions:
            if source.definition.name == name:
                return source.definition
        raise KeyError(name)


def parse_definition(text: str, file: str) -> CycleDefinition:
    """Parse and check one definition on its own (references to roles are checked in a bundle)."""
    document = parse_yaml(text, file)
    definition = _validate(document, CycleDefinition)
    problems = check_definition(definition, document)
    if problems:
        raise DefinitionError(problems)
    return definition


def parse_organisation(text: str, file: str) -> Organisation:
    document = parse_yaml(text, file)
    organisation = _validate(document, Organisation)
    problems = check_organisation(organisation, document)
    if problems:
        raise DefinitionError(problems)
    return organisation


def load_bundle(paths: Sequence[Path] = (), *, use_packaged: bool = True) -> Bundle:
    """Load files and folders; what they do not name is taken from the packaged examples.

    Raises one DefinitionError listing the problems of every file.
    """
    given = _expand(paths)
    problems: list[DefinitionProblem] = []
    definitions: list[DefinitionSource] = []
    organisations: list[OrganisationSource] = []
    documents: dict[str, YamlDocument] = {}
    _load_files(given, problems, definitions, organisations, documents)
    if use_packaged:
        packaged_defs: list[DefinitionSource] = []
        packaged_orgs: list[OrganisationSource] = []
        stems = {f.stem for f in given}
        packaged = [f for f in _expand([PACKAGED_DIR]) if f.stem not in stems]
        _load_files(packaged, problems, packaged_defs, packaged_orgs, documents)
        names = {s.definition.name for s in definitions}
        definitions += [s for s in packaged_defs if s.definition.name not in names]
        organisations = organisations or packaged_orgs
    organisation = organisations[0] if organisations else None
    if organisation is None and not problems:
        problems.append(
            DefinitionProblem(
                ", ".join(str(p) for p in paths) or str(PACKAGED_DIR),
                "",
                f"no {ORGANISATION_STEM}.yaml found: the organisation maps roles to people",
            )
        )
    problems.extend(_duplicate_names(definitions))
    if organisation is not None and not problems:
        problems.extend(check_bundle(definitions, organisation.organisation, documents))
    if problems:
        raise DefinitionError(problems)
    assert organisation is not None
    ordered = tuple(sorted(definitions, key=lambda s: s.definition.name))
    return Bundle(ordered, organisation)


def _load_files(
    files: Sequence[Path],
    problems: list[DefinitionProblem],
    definitions: list[DefinitionSource],
    organisations: list[OrganisationSource],
    documents: dict[str, YamlDocument],
) -> None:
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(DefinitionProblem(str(file), "", f"cannot read the file: {exc}"))
            continue
        try:
            if file.stem == ORGANISATION_STEM:
                org = parse_organisation(text, str(file))
                organisations.append(OrganisationSource(org, text, str(file)))
            else:
                definition = parse_definition(text, str(file))
                definitions.append(DefinitionSource(definition, text, str(file)))
                documents.setdefault(definition.name, parse_yaml(text, str(file)))
        except DefinitionError as exc:
            problems.extend(exc.problems)


def _validate(document: YamlDocument, model: type[_Model]) -> _Model:
    if not isinstance(document.data, dict):
        raise DefinitionError([document.problem((), "expected a mapping of fields at the top")])
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise DefinitionError(
            [document.problem(_clean_loc(error["loc"]), _message(error)) for error in exc.errors()]
        ) from exc


def _clean_loc(loc: Iterable[Any]) -> tuple[str | int, ...]:
    return tuple(part for part in loc if isinstance(part, int) or "[" not in str(part))


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see docs/definitions.md)"
    if error["type"] == "missing":
        return "required field is missing"
    text = str(error["msg"])
    return text.removeprefix("Value error, ")


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.yaml") if p.is_file()))
        else:
            files.append(path)
    return files


def _duplicate_names(definitions: Sequence[DefinitionSource]) -> list[DefinitionProblem]:
    seen: dict[str, str] = {}
    problems = []
    for source in definitions:
        name = source.definition.name
        if name in seen:
            problems.append(
                DefinitionProblem(
                    source.file, "name", f"the name {name!r} is already used by {seen[name]}"
                )
            )
        seen[name] = source.file
    return problems
