"""Load definition and organisation files into frozen objects, or say exactly what is wrong.

Nothing here touches a database. A set of files is either valid as a whole or raises one
`DefinitionError` naming every problem (file, line, field, what is wrong). Stored definitions
are read back with `read_stored_definition`: upgraded to the current format and given their
shape, without the rules of `definitions.checks`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lofte.definitions.checks import check_bundle, check_definition, check_organisation
from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.definitions.formats import (
    FormatError,
    format_of,
    upgrade_definition,
    upgrade_organisation,
)
from lofte.definitions.organisation import OrganisationSpec
from lofte.definitions.overrides import apply_override
from lofte.definitions.yaml_source import PathKey, YamlDocument, parse_yaml
from lofte.kernel.errors import DefinitionError, DefinitionProblem, system_reason
from lofte.kernel.untrusted import MAX_BYTES, canonical_json, size_text

PACKAGED_DIR = Path(__file__).resolve().parent / "packaged"
ORGANISATION_STEM = "organisation"
MAX_FILES = 200
_Model = TypeVar("_Model", bound=BaseModel)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DefinitionSource:
    """A definition as loaded, with the text it came from."""

    definition: CycleDefinition
    text: str
    file: str
    document: YamlDocument = field(compare=False, repr=False)

    @property
    def content_hash(self) -> str:
        return sha256(self.text)


@dataclass(frozen=True)
class OrganisationSource:
    spec: OrganisationSpec
    text: str
    file: str
    document: YamlDocument = field(compare=False, repr=False)

    @property
    def content_hash(self) -> str:
        return sha256(self.text)


@dataclass(frozen=True)
class Bundle:
    """Every definition and the organisation, checked against each other."""

    definitions: tuple[DefinitionSource, ...]
    organisation: OrganisationSource
    directory: Directory = field(compare=False, repr=False)

    def definition(self, name: str) -> CycleDefinition:
        for source in self.definitions:
            if source.definition.name == name:
                return source.definition
        raise KeyError(name)

    def effective(self) -> list[tuple[CycleDefinition, Unit]]:
        """Each enabled (definition, unit) pair with the unit's overrides applied."""
        pairs = []
        for source in self.definitions:
            template = source.definition
            for unit in self.directory.units_of_kind(template.applies_to):
                override = unit.overrides.get(template.name)
                if override is not None and not override.enabled:
                    continue
                pairs.append((apply_override(template, override), unit))
        return pairs


def stored_text(definition: CycleDefinition) -> str:
    """The canonical JSON a (unit's effective) definition is stored as. A definition without
    a `retention` of its own is stored without the key, as before it existed, so its content
    hash (and version) does not change."""
    data = definition.model_dump(mode="json", by_alias=True)
    if data.get("retention") is None:
        data.pop("retention", None)
    return canonical_json(data)


def read_stored_definition(
    text: str, label: str, definition_class: type[CycleDefinition] = CycleDefinition
) -> CycleDefinition:
    """A stored definition, upgraded to the current format; the loading rules are not re-run.
    `definition_class` takes step kinds added outside this package (`cycle.definition_class`)."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise FormatError("en lagrad definition ska vara ett JSON-objekt")
        return definition_class.model_validate(upgrade_definition(data))
    except (ValueError, ValidationError, FormatError) as exc:
        raise DefinitionError([DefinitionProblem(label, "", f"kan inte läsas: {exc}")]) from exc


def read_stored_organisation(text: str, label: str) -> Directory:
    document = parse_yaml(text, label)
    data = document.data if isinstance(document.data, dict) else {}
    try:
        return Directory(OrganisationSpec.model_validate(upgrade_organisation(data)))
    except (ValidationError, FormatError) as exc:
        raise DefinitionError([DefinitionProblem(label, "", f"kan inte läsas: {exc}")]) from exc


def parse_definition(
    text: str, file: str, definition_class: type[CycleDefinition] = CycleDefinition
) -> DefinitionSource:
    """Parse and check one definition on its own (roles and units are checked in a bundle)."""
    document = parse_yaml(text, file)
    definition = _validate(document, definition_class, upgrade_definition)
    problems = check_definition(definition, document)
    if problems:
        raise DefinitionError(problems)
    return DefinitionSource(definition, text, file, _without_data(document))


def parse_organisation(text: str, file: str) -> OrganisationSource:
    document = parse_yaml(text, file)
    spec = _validate(document, OrganisationSpec, upgrade_organisation)
    problems = check_organisation(spec, document)
    if problems:
        raise DefinitionError(problems)
    return OrganisationSource(spec, text, file, _without_data(document))


def _without_data(document: YamlDocument) -> YamlDocument:
    """The document a source keeps, for the lines of later problems: its data was validated
    into the source's objects (an organisation's is ~10 KiB a municipality)."""
    return replace(document, data=None)


def load_packaged() -> Bundle:
    return load_bundle([PACKAGED_DIR])


@dataclass(frozen=True)
class SourceText:
    """A file's text and the name problems call it by (an upload, a stored setup)."""

    file: str
    text: str
    organisation: bool


def load_bundle(paths: Sequence[Path]) -> Bundle:
    """Load files and folders as one complete set: definitions plus `organisation.yaml`."""
    files = _expand(paths)
    problems: list[DefinitionProblem] = []
    if len(files) > MAX_FILES:
        raise DefinitionError([DefinitionProblem(str(paths[0]), "", f"högst {MAX_FILES} filer")])
    sources = []
    for file in files:
        text = _read(file, problems)
        if text is not None:
            sources.append(SourceText(str(file), text, file.stem == ORGANISATION_STEM))
    return load_texts(sources, ", ".join(str(p) for p in paths), problems)


def load_texts(
    sources: Sequence[SourceText],
    where: str,
    problems: Sequence[DefinitionProblem] = (),
    definition_class: type[CycleDefinition] = CycleDefinition,
) -> Bundle:
    """Texts as one complete set, with the same checks as files: the administrator's upload
    together with the stored setup. `problems` found before (reading) are reported too;
    `definition_class` takes step kinds added outside this package."""
    found = list(problems)
    definitions: list[DefinitionSource] = []
    organisations: list[OrganisationSource] = []
    for source in sources:
        try:
            if source.organisation:
                organisations.append(parse_organisation(source.text, source.file))
            else:
                definitions.append(parse_definition(source.text, source.file, definition_class))
        except DefinitionError as exc:
            found.extend(exc.problems)
    if not organisations and not found:
        found.append(
            DefinitionProblem(
                where, "", f"{ORGANISATION_STEM}.yaml saknas (enheter, roller, personer)"
            )
        )
    if not definitions and not found:
        found.append(DefinitionProblem(where, "", "inga definitioner (.yaml-filer) hittades"))
    found += _duplicate_names(definitions)
    if len(organisations) > 1:
        found.append(DefinitionProblem(organisations[1].file, "", "mer än en organisationsfil"))
    if found:
        raise DefinitionError(found)
    organisation = organisations[0]
    directory = Directory(organisation.spec)
    found += check_bundle(
        [(s.definition, s.document) for s in definitions], directory, organisation.document
    )
    if found:
        raise DefinitionError(found)
    ordered = tuple(sorted(definitions, key=lambda s: s.definition.name))
    return Bundle(ordered, organisation, directory)


def _read(file: Path, problems: list[DefinitionProblem]) -> str | None:
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:  # refused before reading: the file may be any size
            message = f"filen är för stor ({size_text(size)}; högst {size_text(MAX_BYTES)})"
            problems.append(DefinitionProblem(str(file), "", message))
            return None
        raw = file.read_bytes()
    except OSError as exc:
        reason = f"kan inte läsa filen: {system_reason(exc)}"
        problems.append(DefinitionProblem(str(file), "", reason))
        return None
    return decode_text(raw, str(file), problems)


def decode_text(raw: bytes, file: str, problems: list[DefinitionProblem]) -> str | None:
    """The bytes as UTF-8 text, or None with a problem naming the line that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"inte UTF-8-text (byte {exc.start} går inte att läsa); spara filen som UTF-8"
        problems.append(DefinitionProblem(file, "", message, line))
        return None


def _validate(document: YamlDocument, model: type[_Model], upgrade: Any) -> _Model:
    if document.twice:
        raise DefinitionError(document.keys_written_twice())
    if not isinstance(document.data, dict):
        raise DefinitionError([document.problem((), "filen ska börja med fält (namn: värde)")])
    data = document.data
    try:
        missing_format = "format" not in data
        upgraded = upgrade(dict(data))
    except FormatError as exc:
        raise DefinitionError([document.problem(("format",), str(exc))]) from None
    try:
        return model.model_validate(upgraded)
    except ValidationError as exc:
        problems = [
            document.problem(_error_path(error, data), _message(error))
            for error in exc.errors(include_url=False)
        ]
        if missing_format:
            problems.insert(
                0,
                document.problem(
                    (),
                    "filen saknar `format:` och lästes som format 0 (Löfte 0.1); "
                    "skriv `format: 1` överst om den redan har det nya formatet",
                ),
            )
        raise DefinitionError(problems) from None


def _error_path(error: Any, data: Any) -> PathKey:
    path = _clean_loc(error["loc"], data)
    if error["type"] == "union_tag_invalid":
        tag = str((error.get("ctx") or {}).get("discriminator", "")).strip("'")
        if tag:
            path = (*path, tag)
    return path


def _clean_loc(loc: Iterable[Any], data: Any) -> PathKey:
    """The path in the file: pydantic adds union tags (`inputs`, `text`) that are not keys."""
    parts = list(loc)
    kept: list[str | int] = []
    current = data
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            kept.append(part)
            current = current[part]
        elif last and isinstance(part, str | int) and "[" not in str(part):
            kept.append(part)
    return tuple(kept)


_MESSAGES = {
    "missing": "obligatoriskt fält saknas",
    "extra_forbidden": "okänt fält (kontrollera stavningen)",
    "string_type": "ska vara text",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal",
    "float_parsing": "ska vara ett tal",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "dict_type": "ska vara fält med värden (namn: värde)",
    "model_type": "ska vara fält med värden (namn: värde)",
    "model_attributes_type": "ska vara fält med värden (namn: värde)",
    "tuple_type": "ska vara en lista",
    "list_type": "ska vara en lista",
    "datetime_type": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTTT:MM)",
    "datetime_parsing": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTTT:MM)",
    "datetime_from_date_parsing": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTTT:MM)",
    "too_short": "för få värden",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_inexact": "ska vara ett datum utan klockslag (ÅÅÅÅ-MM-DD)",
    "union_tag_not_found": "ange vilket slag det är (kind: eller type:)",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    context = error.get("ctx") or {}
    if kind == "literal_error":
        return f"måste vara ett av: {context.get('expected', '')}".replace("'", "")
    if kind == "union_tag_invalid":
        return f"okänt slag {context.get('tag')!r}; möjliga: {context.get('expected_tags', '')}"
    if kind == "enum":
        return f"måste vara ett av: {context.get('expected', '')}".replace("'", "")
    return str(error["msg"]).removeprefix("Value error, ")


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
            message = f"namnet {name!r} används redan av {seen[name]}"
            problems.append(source.document.problem(("name",), message))
        seen[name] = source.file
    return problems


def format_of_text(text: str) -> int:
    return format_of(json.loads(text))
