"""A step kind in one place (docs/architecture.md, "Adding a step kind").

A toy `approval` kind is added here through the walk-through's three touch points and nothing
else: its shape, its kind, and its line in a registry. It loads, runs a cycle, survives being
stored and read back by another engine, and reads in words on the definition pages. And the
engine asks no step which class it is: that is the kinds' business."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal

import pytest

from lofte.definitions.base import Identifier
from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.loader import Bundle, SourceText, load_texts
from lofte.definitions.steps import Event, RolePath, StepBase
from lofte.kernel.clock import VirtualClock
from lofte.kernel.errors import DefinitionError, RequestClosed
from lofte.storage.memory import MemoryStore
from lofte.workflow.application import definition_words
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.kinds import STANDARD_KINDS, Move, StepKind
from lofte.workflow.core.kinds.base import asked_by_role
from lofte.workflow.core.recipients import Recipient
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work
from tests.harness import Harness, people, utc

ROOT = Path(__file__).resolve().parents[2]
WALK_THROUGH = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


# 1. The shape. In the package: a class in definitions/steps.py, added to `StepSpec`.
class ApprovalStep(StepBase):
    """The approver is asked; the first yes approves, a no waits for a yes until the deadline."""

    leaving_events = frozenset({Event.DECIDED, Event.DEADLINE_PASSED})

    kind: Literal["approval"]
    approved_by: Identifier
    yes_field: Identifier = "godkand"

    def named_roles(self) -> tuple[tuple[RolePath, str], ...]:
        return ((("approved_by",), self.approved_by),)


# 2. The kind. In the package: workflow/core/kinds/approval.py.
class Approval(StepKind[ApprovalStep]):
    words = ("godkännande", "approval")
    expires = False  # the deadline closes it

    def asks(self, work: Work, instance: CycleInstance, step: ApprovalStep) -> list[Recipient]:
        return asked_by_role(work, instance, step)

    def answered(
        self, work: Work, instance: CycleInstance, step: ApprovalStep, request: InputRequest
    ) -> Move | None:
        if (request.answer or {}).get(step.yes_field) is True:
            return Move(Event.DECIDED, {"request": request.key}, decision=request)
        return None

    def asked_nobody(self) -> Move | None:
        return None

    def deadline_passed(self, missing: list[str]) -> Move | None:
        return Move(Event.DEADLINE_PASSED, {"missing": missing})

    def answers_until(self, request: InputRequest) -> datetime:
        return request.deadline_at


APPROVAL = Approval()

# 3. The registry line. In the package: a line of `STANDARD_KINDS` in workflow/core/kinds/.
KINDS = STANDARD_KINDS.with_kind(ApprovalStep, APPROVAL)


ORGANISATION = """\
format: 1
name: Prov
coordinators: {municipality: samordnare, police_area: lpo-chef}
parties:
  - {id: kommun, title: {sv: Kommunen, en: The municipality}}
  - {id: polis, title: {sv: Polisen, en: The police}}
roles:
  - {id: samordnare, title: {sv: Trygghetssamordnare, en: Safety coordinator}, party: kommun}
  - {id: lpo-chef, title: {sv: LPO-chef, en: Head of the local police area}, party: polis,
     held_in: police_area}
  - {id: administrator, title: {sv: Administratör, en: Administrator}, held_in: deployment}
police_areas:
  - id: lpo-prov
    name: LPO Prov
    location: Polisstationen Prov
    municipalities:
      - {id: prov, name: Provs kommun, location: Stadshuset Prov}
people:
  - {id: peter-nord, name: Peter Nord, email: peter.nord@polisen.example.se, party: polis,
     roles: {lpo-prov: [lpo-chef]}}
  - {id: sam-berg, name: Sam Berg, email: sam.berg@prov.example.se, party: kommun,
     roles: {prov: [samordnare]}}
"""
APPROVAL = """\
format: 1
name: godkannande
applies_to: police_area
title: {sv: Godkännande av veckoplanen, en: Approval of the week's plan}
cadence: {anchor: 2027-01-04T09:00, every: P1W, period_key: iso_week}
chair_role: lpo-chef
steps:
  - id: godkann
    kind: approval
    title: {sv: Godkänn veckoplanen, en: Approve the week's plan}
    approved_by: lpo-chef
    deadline: P2D
    fields:
      - {id: godkand, type: boolean, label: {sv: Godkänd, en: Approved}}
      - {id: kommentar, type: text, label: {sv: Kommentar, en: Comment}, required: false}
transitions:
  - {from: godkann, event: decided, to: completed}
  - {from: godkann, event: deadline_passed, to: closed_incomplete}
"""


def load(definition: str = APPROVAL, cls: type[CycleDefinition] | None = None) -> Bundle:
    texts = [
        SourceText("organisation.yaml", ORGANISATION, True),
        SourceText("godkannande.yaml", definition, False),
    ]
    return load_texts(texts, "prov", definition_class=cls or KINDS.definition_class)


def engine_on(store: MemoryStore, clock: VirtualClock) -> Engine:
    return Engine(store, clock, engine_id="test", kinds=KINDS)


@pytest.fixture
def approvals() -> Iterator[Harness]:
    store = MemoryStore()
    clock = VirtualClock(utc(2027, 1, 1))
    engine = engine_on(store, clock)
    bundle = load()
    engine.register(bundle)
    built = Harness(store, clock, engine, bundle)
    yield built
    built.close()


def test_an_added_kind_asks_its_roles_and_an_answer_moves_the_cycle_as_the_kind_says(
    approvals: Harness,
) -> None:
    h = approvals
    h.run_until(utc(2027, 1, 4, 9))  # Monday 10:00 in Stockholm: the week's cycle is open
    cycle = h.cycle("godkannande", "lpo-prov", "2027-W01")
    assert cycle.state == "godkann"
    assert people(h.requests(cycle, "godkann")) == ["peter-nord"]
    assert [m.person_id for m in h.outbox("input_request")] == ["peter-nord"]
    assert "expiry" not in {t.kind.value for t in h.timers("pending")}  # the deadline closes it

    h.answer(cycle, "godkann", "peter-nord", {"godkand": False, "kommentar": "Inte än"})
    assert h.cycle("godkannande", "lpo-prov", "2027-W01").state == "godkann"  # a no waits

    h.answer(cycle, "godkann", "peter-nord", {"godkand": True})
    done = h.cycle("godkannande", "lpo-prov", "2027-W01")
    assert done.state == "completed"
    assert h.events(cycle)[-3:] == ["answer_changed", "decided", "cycle_closed"]


def test_its_deadline_closes_the_step_for_an_engine_that_reads_it_back(
    approvals: Harness,
) -> None:
    h = approvals
    h.run_until(utc(2027, 1, 4, 9))
    cycle = h.cycle("godkannande", "lpo-prov", "2027-W01")
    # Another engine on the same database reads the stored definition with the added kind.
    h.engine = engine_on(h.store, h.clock)
    h.run_until(utc(2027, 1, 7, 9))  # past the deadline: Thursday 09:00 (Wednesday is a holiday)
    closed = h.cycle("godkannande", "lpo-prov", "2027-W01")
    assert closed.state == "closed_incomplete"
    assert "deadline_passed" in h.events(cycle)
    with pytest.raises(RequestClosed):
        h.answer(cycle, "godkann", "peter-nord", {"godkand": True})


def test_the_loading_rules_know_an_added_kind_by_its_shape() -> None:
    unknown_role = APPROVAL.replace("approved_by: lpo-chef", "approved_by: chef")
    wrong_event = APPROVAL.replace("event: decided", "event: inputs_complete")
    with pytest.raises(DefinitionError) as caught:
        load(unknown_role)
    assert any(p.path == "steps[0].approved_by" for p in caught.value.problems)
    with pytest.raises(DefinitionError) as caught:
        load(wrong_event)
    assert any(
        "lämnas bara vid deadline_passed, decided" in p.message for p in caught.value.problems
    )
    with pytest.raises(DefinitionError):  # without the added kind, `approval` is unknown
        load(cls=STANDARD_KINDS.definition_class)


def test_the_pages_describe_an_added_kind_as_it_says() -> None:
    step = load().definition("godkannande").step("godkann")
    role_title = {"lpo-chef": "LPO-chef"}.get
    assert definition_words.kind_text(step, "en", KINDS) == "approval"
    assert definition_words.who(step, lambda r: role_title(r) or r, "sv", KINDS) == "LPO-chef"


# The engine asks kinds, not classes -----------------------------------------------------------
STEP_CLASSES = {"InputsStep", "CollectStep", "DecisionStep", "FollowUpStep"}
KIND_WORDS = {"inputs", "collect", "decision", "follow_up"}
MAY_ASK = (ROOT / "definitions", ROOT / "workflow" / "core" / "kinds")


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _asks_a_kind(node: ast.AST) -> bool:
    """isinstance(x, InputsStep | ...), `case DecisionStep():`, or `x.kind == "decision"`."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance":
        return len(node.args) == 2 and bool(_names(node.args[1]) & STEP_CLASSES)
    if isinstance(node, ast.MatchClass):
        return bool(_names(node.cls) & STEP_CLASSES)
    if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute):
        words = {c.value for c in node.comparators if isinstance(c, ast.Constant)}
        return node.left.attr == "kind" and bool(words & KIND_WORDS)
    return False


def test_outside_the_kinds_and_the_definitions_no_code_asks_a_step_its_kind() -> None:
    folders = ("workflow", "storage", "notifications", "web", "cli")
    files = [p for f in folders for p in (ROOT / f).rglob("*.py") if "migrations" not in p.parts]
    assert any(p.name == "submissions.py" for p in files)
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in files
        if not any(path.is_relative_to(folder) for folder in MAY_ASK)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _asks_a_kind(node)
    ]
    assert found == []


def test_the_check_for_kind_questions_finds_them() -> None:
    asks = [
        "isinstance(step, CollectStep)",
        "isinstance(step, InputsStep | FollowUpStep)",
        "step.kind == 'decision'",
    ]
    for source in asks:
        assert any(_asks_a_kind(n) for n in ast.walk(ast.parse(source))), source
    match = "match step:\n    case DecisionStep():\n        pass\n"
    assert any(_asks_a_kind(n) for n in ast.walk(ast.parse(match)))
    assert not any(_asks_a_kind(n) for n in ast.walk(ast.parse("isinstance(f, RowsField)")))


def test_the_walk_through_shows_this_module_s_code_and_names_what_there_is() -> None:
    section = WALK_THROUGH.split("## Adding a step kind\n")[1].split("\n## ")[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    source = Path(__file__).read_text(encoding="utf-8")
    assert len(blocks) == 2
    assert all(textwrap.dedent(block) in source for block in blocks)
    assert all(f"`{name}`" in section for name in StepKind.__abstractmethods__)
    paths = set(re.findall(r"`((?:definitions|workflow)/[\w/]+\.py)`", section))
    assert paths >= {"definitions/steps.py", "workflow/core/kinds/__init__.py"}
    assert all((ROOT / p).exists() for p in paths - {"workflow/core/kinds/approval.py"})
