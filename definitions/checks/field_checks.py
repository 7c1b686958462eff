"""Rules of a step's fields, and of the step parts that name fields (actions, observations,
publication, follow-up status)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import get_args

from lofte.definitions.checks import bounds
from lofte.definitions.fields import (
    AnyField,
    BooleanField,
    ChoiceField,
    CommitmentField,
    DateField,
    DateTimeField,
    NumberField,
    PersonField,
    PlaceField,
    RowsField,
    ScaleField,
    TextField,
    TimeField,
)
from lofte.definitions.steps import (
    ACTION_STATUSES,
    HANDLINGS,
    PARTS_OF_DAY,
    UNKNOWN_TIME,
    ActionKind,
    AnyStep,
    CollectStep,
    FollowUpStep,
    InputsStep,
    ObservationSource,
)
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel.errors import DefinitionProblem


def check_id(doc: YamlDocument, path: PathKey, value: str) -> list[DefinitionProblem]:
    if bounds.valid_id(value):
        return []
    message = f"{value[:70]!r} är ingen giltig id (små bokstäver a–z, siffror, - och _)"
    return [doc.problem(path, message)]


def check_fields(
    fields: Sequence[AnyField],
    path: PathKey,
    doc: YamlDocument,
    step: AnyStep,
    in_rows: bool = False,
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    limit = bounds.MAX_COLUMNS if in_rows else bounds.MAX_FIELDS
    if len(fields) > limit:
        problems.append(doc.problem(path, f"högst {limit} fält"))
    by_id: dict[str, AnyField] = {}
    for index, spec in enumerate(fields):
        here: PathKey = (*path, index)
        if spec.id in by_id:
            problems.append(doc.problem((*here, "id"), f"fältet {spec.id!r} finns två gånger"))
        by_id[spec.id] = spec
        problems += check_id(doc, (*here, "id"), spec.id)
        problems += _check_field(spec, here, doc, step, in_rows)
    for index, spec in enumerate(fields):
        if spec.required_unless is None:
            continue
        other = by_id.get(spec.required_unless)
        if not isinstance(other, BooleanField):
            problems.append(
                doc.problem(
                    (*path, index, "required_unless"),
                    f"{spec.required_unless!r} måste vara ett ja/nej-fält i samma steg",
                )
            )
    return problems


def _check_field(
    spec: AnyField, here: PathKey, doc: YamlDocument, step: AnyStep, in_rows: bool
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    if not spec.label.sv.strip():
        problems.append(doc.problem((*here, "label"), "fältet behöver en etikett"))
    if max(len(spec.label.sv), len(spec.label.en)) > bounds.MAX_LABEL:
        problems.append(doc.problem((*here, "label"), f"högst {bounds.MAX_LABEL} tecken"))
    if max(len(spec.help.sv), len(spec.help.en)) > bounds.MAX_LONG_TEXT:
        problems.append(doc.problem((*here, "help"), f"högst {bounds.MAX_LONG_TEXT} tecken"))
    if spec.sensitive and not spec.visible_to:
        problems.append(
            doc.problem(
                (*here, "visible_to"), "ett skyddat fält måste ange vilka roller som får se det"
            )
        )
    if not spec.sensitive and spec.visible_to:
        problems.append(doc.problem((*here, "visible_to"), "visible_to gäller bara skyddade fält"))
    if spec.sensitive and spec.publish:
        problems.append(doc.problem((*here, "publish"), "ett skyddat fält kan inte publiceras"))
    responsible = step.responsible if isinstance(step, InputsStep | CollectStep) else ()
    unknown = [r for r in spec.for_roles if r not in responsible]
    if unknown:
        problems.append(
            doc.problem(
                (*here, "for_roles"),
                f"{', '.join(unknown)} är inte bland stegets ansvariga roller",
            )
        )
    return problems + _check_type(spec, here, doc, step, in_rows)


def _check_bounds(spec: NumberField, here: PathKey, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = []
    for name, value in (("minimum", spec.minimum), ("maximum", spec.maximum)):
        if value is not None and not abs(value) <= bounds.MAX_NUMBER:  # NaN too
            problems.append(doc.problem((*here, name), f"högst ±{bounds.MAX_NUMBER:g}"))
    if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
        problems.append(doc.problem((*here, "minimum"), "minimum är större än maximum"))
    return problems


def _check_kinds(
    spec: CommitmentField, here: PathKey, doc: YamlDocument
) -> list[DefinitionProblem]:
    """A commitment field offers actions of known kinds."""
    if spec.kinds and set(spec.kinds) <= set(get_args(ActionKind)):
        return []
    return [doc.problem((*here, "kinds"), f"välj bland {', '.join(get_args(ActionKind))}")]


def _check_type(
    spec: AnyField, here: PathKey, doc: YamlDocument, step: AnyStep, in_rows: bool
) -> list[DefinitionProblem]:
    """The rules of the field's own type."""
    problems: list[DefinitionProblem] = []
    match spec:
        case TextField() | PlaceField():
            if not 0 < spec.max_length <= bounds.MAX_TEXT_LENGTH:
                problems.append(
                    doc.problem((*here, "max_length"), f"mellan 1 och {bounds.MAX_TEXT_LENGTH}")
                )
        case NumberField():
            problems += _check_bounds(spec, here, doc)
        case ChoiceField():
            problems += _check_options(spec, here, doc)
        case CommitmentField():
            problems += _check_kinds(spec, here, doc)
        case ScaleField():
            if not 0 <= spec.low < spec.high <= bounds.MAX_SCALE:
                problems.append(
                    doc.problem((*here, "high"), f"skalan ska gå uppåt, inom 0–{bounds.MAX_SCALE}")
                )
        case RowsField():
            if in_rows:
                problems.append(doc.problem((*here, "type"), "rader kan inte innehålla rader"))
            if not spec.columns:
                problems.append(doc.problem((*here, "columns"), "ett radfält behöver kolumner"))
            if not 0 <= spec.min_rows <= spec.max_rows <= bounds.MAX_ROWS:
                problems.append(
                    doc.problem((*here, "max_rows"), f"0 ≤ min_rows ≤ max_rows ≤ {bounds.MAX_ROWS}")
                )
            problems += check_fields(spec.columns, (*here, "columns"), doc, step, True)
        case DateField() | DateTimeField() | TimeField() | BooleanField() | PersonField():
            pass
    return problems


def _check_options(spec: ChoiceField, here: PathKey, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = []
    if not spec.options:
        problems.append(doc.problem((*here, "options"), "ett valfält behöver alternativ"))
    if len(spec.options) > bounds.MAX_OPTIONS:
        problems.append(doc.problem((*here, "options"), f"högst {bounds.MAX_OPTIONS} alternativ"))
    values = [o.value for o in spec.options]
    for index, option in enumerate(spec.options):
        if option.value in values[:index]:
            problems.append(
                doc.problem((*here, "options", index), f"{option.value!r} finns två gånger")
            )
        if not option.value.strip() or len(option.value) > bounds.MAX_LABEL:
            problems.append(doc.problem((*here, "options", index), "1–300 tecken"))
    return problems


def _field(step: AnyStep, field_id: str) -> AnyField | None:
    return next((f for f in step.fields if f.id == field_id), None)


def check_step_field_refs(
    step: AnyStep, path: PathKey, doc: YamlDocument
) -> list[DefinitionProblem]:
    """Parts of a step that name its fields must name real fields of the right type."""
    problems: list[DefinitionProblem] = []
    for index, source in enumerate(step.creates_actions):
        here: PathKey = (*path, "creates_actions", index)
        rows = _field(step, source.field)
        if not isinstance(rows, RowsField) or rows.sensitive:
            problems.append(
                doc.problem((*here, "field"), f"{source.field!r} är inget öppet radfält")
            )
            continue
        wanted = {
            "what": (source.what, (TextField,)),
            "owner": (source.owner, (PersonField,)),
            "due": (source.due, (DateField,)),
            "place": (source.place, (TextField, ChoiceField, PlaceField)),
            "problem": (source.problem, (TextField, ChoiceField)),
            "indicator": (source.indicator, (TextField,)),
            "baseline": (source.baseline, (TextField, NumberField)),
            "categories": (source.categories, (ChoiceField,)),
        }
        problems += _check_columns(rows, wanted, here, doc)
    if step.observations is not None:
        obs = step.observations
        here = (*path, "observations")
        rows = _field(step, obs.field)
        if not isinstance(rows, RowsField):
            problems.append(doc.problem((*here, "field"), f"{obs.field!r} är inget radfält"))
        else:
            problems += check_observation_columns(obs, rows, here, doc)
    if step.publication is not None and not isinstance(
        _field(step, step.publication.when), BooleanField
    ):
        problems.append(
            doc.problem(
                (*path, "publication", "when"), f"{step.publication.when!r} är inget ja/nej-fält"
            )
        )
    if isinstance(step, FollowUpStep):
        problems += _check_follow_up(step, path, doc)
    return problems


def check_observation_columns(
    obs: ObservationSource, rows: RowsField, here: PathKey, doc: YamlDocument
) -> list[DefinitionProblem]:
    """The columns an observation source names, of the types it reads them as."""
    dated = obs.date is not None
    wanted = {
        "category": (obs.category, (ChoiceField,)),
        "place": (obs.place, (TextField, ChoiceField, PlaceField)),
        "area": (obs.area, (ChoiceField, TextField)),
        "date": (obs.date, (DateField,)),
        "time": (obs.time, (TimeField,) if dated else (DateTimeField,)),
        "part_of_day": (obs.part_of_day, (ChoiceField,)),
        "text": (obs.text, (TextField,)),
        "assessment": (obs.assessment, (ScaleField,)),
        "quantity": (obs.quantity, (NumberField,)),
        "handling": (obs.handling, (ChoiceField,)),
        "reported_to": (obs.reported_to, (TextField,)),
    }
    problems = _check_columns(rows, wanted, here, doc)
    if not dated and obs.time is None:
        problems.append(doc.problem(here, "ange date (med time eller part_of_day) eller time"))
    if dated and obs.time is None and obs.part_of_day is None:
        problems.append(doc.problem((*here, "date"), "ange också time eller part_of_day"))
    if not dated and obs.part_of_day is not None:
        problems.append(doc.problem((*here, "part_of_day"), "part_of_day kräver date"))
    allowed = {
        "part_of_day": (obs.part_of_day, (*PARTS_OF_DAY, UNKNOWN_TIME)),
        "handling": (obs.handling, HANDLINGS),
    }
    for key, (column_id, values) in allowed.items():
        column = rows.column(column_id) if column_id else None
        if isinstance(column, ChoiceField):
            odd = [o.value for o in column.options if o.value not in values]
            if odd:
                problems.append(
                    doc.problem((*here, key), f"{', '.join(odd)} är inget av {', '.join(values)}")
                )
    return problems


def _check_columns(
    rows: RowsField,
    wanted: Mapping[str, tuple[str | None, tuple[type, ...]]],
    here: PathKey,
    doc: YamlDocument,
) -> list[DefinitionProblem]:
    problems = []
    for key, (column_id, types) in wanted.items():
        if column_id is None:
            continue
        column = rows.column(column_id)
        if not isinstance(column, types):
            kinds = " eller ".join(t.__name__.removesuffix("Field").lower() for t in types)
            problems.append(
                doc.problem(
                    (*here, key), f"{rows.id} har ingen kolumn {column_id!r} av typen {kinds}"
                )
            )
        elif isinstance(column, ChoiceField) and column.multiple and key != "categories":
            problems.append(
                doc.problem((*here, key), f"kolumnen {column_id!r} får inte ha multiple: true")
            )
    return problems


def _check_follow_up(
    step: FollowUpStep, path: PathKey, doc: YamlDocument
) -> list[DefinitionProblem]:
    problems = []
    status = _field(step, step.status_field)
    if not isinstance(status, ChoiceField):
        problems.append(
            doc.problem((*path, "status_field"), f"{step.status_field!r} är inget valfält")
        )
    else:
        for index, option in enumerate(status.options):
            if option.value not in ACTION_STATUSES:
                problems.append(
                    doc.problem(
                        (*path, "fields", step.fields.index(status), "options", index),
                        f"{option.value!r} är ingen åtgärdsstatus ({', '.join(ACTION_STATUSES)})",
                    )
                )
    for name, field_id in (("note_field", step.note_field), ("effect_field", step.effect_field)):
        if field_id is not None and not isinstance(_field(step, field_id), TextField):
            problems.append(doc.problem((*path, name), f"{field_id!r} är inget textfält"))
    if not step.follows_up:
        problems.append(
            doc.problem((*path, "follows_up"), "ange vilka slags åtgärder som följs upp")
        )
    return problems
