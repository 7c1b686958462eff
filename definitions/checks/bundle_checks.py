"""Rules across files: the roles, parties and definitions a definition names exist, every unit
has someone in each role its cycles need, and each unit's overrides give a valid definition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from lofte.definitions.checks.cycle_checks import check_cadence, check_step
from lofte.definitions.checks.meeting_clashes import Placed, check_meeting_clashes, meeting_series
from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.definitions.fields import AnyField, PersonField, RowsField
from lofte.definitions.organisation import DefinitionOverride, StepOverride
from lofte.definitions.overrides import apply_override
from lofte.definitions.steps import (
    ActionsContext,
    AnswersContext,
    AnyStep,
    ContextSpec,
    DecisionInForce,
    FollowUpStep,
    IndicatorsContext,
    LagesbildContext,
)
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel.errors import DefinitionProblem


@dataclass(frozen=True)
class PrefixedDocument(YamlDocument):
    """Reports problems of an effective definition at the override that made it."""

    prefix: PathKey = ()

    def problem(self, path: PathKey, message: str) -> DefinitionProblem:
        return super().problem((*self.prefix, *path), message)

    def line_of(self, path: PathKey) -> int | None:
        return super().line_of(path)


def check_bundle(
    definitions: Sequence[tuple[CycleDefinition, YamlDocument]],
    directory: Directory,
    org_doc: YamlDocument,
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    by_name = {d.name: d for d, _ in definitions}
    action_kinds: set[str] = {
        a.kind for d in by_name.values() for s in d.steps for a in s.creates_actions
    }
    for definition, doc in definitions:
        problems += _check_references(definition, doc, directory, by_name, action_kinds)
    if not problems:
        for definition, doc in definitions:
            problems += _check_staffing(definition, doc, directory)
    problems += _check_overrides(by_name, directory, org_doc)
    if not problems:
        problems += _check_clashes(definitions, directory, org_doc)
    return problems


def _check_clashes(
    definitions: Sequence[tuple[CycleDefinition, YamlDocument]],
    directory: Directory,
    org_doc: YamlDocument,
) -> list[DefinitionProblem]:
    """No person in two meetings at once, no place booked twice (`meeting_clashes`)."""
    unit_paths = {unit.id: path for path, unit in _unit_paths(directory)}
    placed = {d.name: Placed(doc, org_doc, unit_paths) for d, doc in definitions}
    effective = []
    for template, _ in definitions:
        if not template.meeting_steps():
            continue
        for unit in directory.units_of_kind(template.applies_to):
            override = unit.overrides.get(template.name)
            if override is None or override.enabled:
                effective.append((apply_override(template, override), unit))
    return check_meeting_clashes(meeting_series(effective, directory, placed), directory)


def _role_refs(definition: CycleDefinition) -> Iterator[tuple[PathKey, str, bool]]:
    """(path, role, must be staffed) for every role the definition names."""
    yield ("chair_role",), definition.chair_role, True
    for index, step in enumerate(definition.steps):
        path: PathKey = ("steps", index)
        for role_path, role in step.named_roles():
            yield (*path, *role_path), role, True
        if step.escalation is not None:
            yield (*path, "escalation", "role"), step.escalation.role, True
        if step.meeting is not None:
            for m_index, role in enumerate(step.meeting.participants):
                yield (*path, "meeting", "participants", m_index), role, False
        for f_index, spec in enumerate(step.fields):
            for v_index, role in enumerate(spec.visible_to):
                yield (*path, "fields", f_index, "visible_to", v_index), role, False


def _check_references(
    definition: CycleDefinition,
    doc: YamlDocument,
    directory: Directory,
    by_name: Mapping[str, CycleDefinition],
    action_kinds: set[str],
) -> list[DefinitionProblem]:
    problems = []
    for role_path, role, _ in _role_refs(definition):
        if role not in directory.roles:
            problems.append(doc.problem(role_path, f"rollen {role!r} finns inte i organisationen"))
    party = definition.restricted_to_party
    if party is not None and party not in directory.parties:
        problems.append(doc.problem(("restricted_to_party",), f"okänd part {party!r}"))
    if definition.basis is not None:
        problems += _check_decision_ref(
            doc, ("basis",), by_name, definition.basis.definition, definition.basis.step
        )
    for index, step in enumerate(definition.steps):
        path: PathKey = ("steps", index)
        for f_index, spec in enumerate(_all_fields(step)):
            if isinstance(spec, PersonField) and spec.party and spec.party not in directory.parties:
                problems.append(
                    doc.problem((*path, "fields", f_index, "party"), f"okänd part {spec.party!r}")
                )
        for c_index, ctx in enumerate(step.context):
            problems += _check_context(definition, doc, (*path, "context", c_index), ctx, by_name)
        if isinstance(step, FollowUpStep):
            for k_index, kind in enumerate(step.follows_up):
                if kind not in action_kinds:
                    problems.append(
                        doc.problem(
                            (*path, "follows_up", k_index),
                            f"ingen definition skapar åtgärder av slaget {kind!r}",
                        )
                    )
    return problems


def _all_fields(step: AnyStep) -> list[AnyField]:
    found: list[AnyField] = []
    for spec in step.fields:
        found.append(spec)
        if isinstance(spec, RowsField):
            found.extend(spec.columns)
    return found


def _check_decision_ref(
    doc: YamlDocument,
    path: PathKey,
    by_name: Mapping[str, CycleDefinition],
    name: str,
    step_id: str,
) -> list[DefinitionProblem]:
    target = by_name.get(name)
    if target is None:
        return [doc.problem((*path, "definition"), f"ingen definition heter {name!r}")]
    if not target.has_step(step_id) or not target.step(step_id).records_decision:
        return [doc.problem((*path, "step"), f"{name} har inget beslutssteg {step_id!r}")]
    return []


def _check_context(
    definition: CycleDefinition,
    doc: YamlDocument,
    path: PathKey,
    ctx: ContextSpec,
    by_name: Mapping[str, CycleDefinition],
) -> list[DefinitionProblem]:
    problems = []
    if ctx.per_municipality and definition.applies_to != "police_area":
        problems.append(
            doc.problem((*path, "per_municipality"), "gäller bara polisområdets cykler")
        )
    match ctx:
        case DecisionInForce():
            problems += _check_decision_ref(doc, path, by_name, ctx.definition, ctx.step)
        case AnswersContext():
            name = ctx.definition or definition.name
            target = by_name.get(name)
            if target is None:
                problems.append(
                    doc.problem((*path, "definition"), f"ingen definition heter {name!r}")
                )
            elif not target.has_step(ctx.step):
                problems.append(doc.problem((*path, "step"), f"{name} har inget steg {ctx.step!r}"))
        case LagesbildContext():
            if not any(d.observation_step() is not None for d in by_name.values()):
                problems.append(doc.problem(path, "ingen definition samlar in EST-iakttagelser"))
        case ActionsContext() | IndicatorsContext():
            pass
    return problems


def _check_staffing(
    definition: CycleDefinition, doc: YamlDocument, directory: Directory
) -> list[DefinitionProblem]:
    problems = []
    for unit in directory.units_of_kind(definition.applies_to):
        override = unit.overrides.get(definition.name)
        if override is not None and not override.enabled:
            continue
        for path, role, staffed in _role_refs(definition):
            if staffed and not directory.holders_for(role, unit):
                problems.append(
                    doc.problem(
                        path,
                        f"i {unit.name} har ingen rollen {role!r}; ge någon rollen i "
                        "organisationsfilen eller stäng av cykeln för enheten (enabled: false)",
                    )
                )
    return problems


def _check_overrides(
    by_name: Mapping[str, CycleDefinition], directory: Directory, org_doc: YamlDocument
) -> list[DefinitionProblem]:
    problems = []
    for unit_path, unit in _unit_paths(directory):
        for name, override in unit.overrides.items():
            path = (*unit_path, "overrides", name)
            template = by_name.get(name)
            if template is None:
                problems.append(org_doc.problem(path, f"ingen definition heter {name!r}"))
                continue
            if template.applies_to != unit.kind:
                problems.append(
                    org_doc.problem(path, f"{name} gäller inte för enheter av slaget {unit.kind}")
                )
                continue
            problems += _check_override(template, override, path, org_doc)
    return problems


def _check_override(
    template: CycleDefinition, override: DefinitionOverride, path: PathKey, org_doc: YamlDocument
) -> list[DefinitionProblem]:
    problems = []
    if override.cadence is not None and override.cadence.anchor is not None:
        try:
            datetime.fromisoformat(override.cadence.anchor)
        except ValueError:
            return [
                org_doc.problem(
                    (*path, "cadence", "anchor"),
                    f"{override.cadence.anchor[:40]!r} är ingen lokal tid (ÅÅÅÅ-MM-DDTTT:MM)",
                )
            ]
    for step_id, step_override in override.steps.items():
        problems += _check_step_override(template, step_id, step_override, path, org_doc)
    if problems:
        return problems
    effective = apply_override(template, override)
    shim = PrefixedDocument(org_doc.file, org_doc.data, org_doc.lines, prefix=path)
    problems += check_cadence(effective, shim)
    for step in effective.steps:
        if step.id in override.steps:
            problems += [
                p for p in check_step(step, ("steps", step.id), shim) if "fields" not in p.path
            ]
    return problems


def _check_step_override(
    template: CycleDefinition,
    step_id: str,
    override: StepOverride,
    path: PathKey,
    org_doc: YamlDocument,
) -> list[DefinitionProblem]:
    """An override must change something the step has: a step, its escalation, its meeting."""
    here: PathKey = (*path, "steps", step_id)
    if not template.has_step(step_id):
        return [org_doc.problem(here, f"{template.name} har inget steg {step_id!r}")]
    step = template.step(step_id)
    problems = []
    if override.escalation_after is not None and step.escalation is None:
        message = "steget har ingen eskalering (escalation) att flytta"
        problems.append(org_doc.problem((*here, "escalation_after"), message))
    if override.meeting is not None and step.meeting is None:
        problems.append(org_doc.problem((*here, "meeting"), "steget är inget möte"))
    return problems


def _unit_paths(directory: Directory) -> Iterator[tuple[PathKey, Unit]]:
    for a_index, area in enumerate(directory.spec.police_areas):
        yield ("police_areas", a_index), directory.units[area.id]
        for m_index, m in enumerate(area.municipalities):
            yield ("police_areas", a_index, "municipalities", m_index), directory.units[m.id]
