"""The state diagram's layout (workflow.application.state_diagram): every transition drawn and
listed, states in layers from the first step to the end states, no line through a state, no
label over another, everything inside the drawing."""

from __future__ import annotations

import itertools
import re

import pytest

from lofte.definitions.cycle import CycleDefinition
from lofte.workflow.application.state_diagram import (
    CHAR_WIDTH,
    LINE_HEIGHT,
    NODE_WIDTH,
    Diagram,
    Node,
    state_diagram,
)
from tests.conftest import packaged


def tangled() -> CycleDefinition:
    """Four steps with transitions that skip layers, go back, sideways and to themselves."""
    inventory = packaged().definition("est-inventering").model_dump(mode="json", by_alias=True)
    meeting = packaged().definition("est-mote").model_dump(mode="json", by_alias=True)
    moves = [
        ("rapportering", "inputs_complete", "sammanstallning"),
        ("rapportering", "expired", "mote"),
        ("rapportering", "deadline_passed", "closed_incomplete"),
        ("sammanstallning", "decided", "mote"),
        ("sammanstallning", "expired", "rapportering"),
        ("mote", "decided", "completed"),
        ("mote", "expired", "closed_incomplete"),
        ("uppfoljning_insatser", "inputs_complete", "uppfoljning_insatser"),
        ("uppfoljning_insatser", "expired", "closed_incomplete"),
    ]
    return CycleDefinition.model_validate(
        inventory
        | {
            "steps": inventory["steps"] + meeting["steps"],
            "transitions": [{"from": a, "event": e, "to": b} for a, e, b in moves],
        }
    )


def points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", path)]


def crosses(node: Node, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether an axis-parallel segment runs through the inside of the node's box."""
    left, right, top, bottom = node.x, node.x + NODE_WIDTH, node.y, node.y + node.height
    if a[1] == b[1]:  # horizontal
        low, high = sorted((a[0], b[0]))
        return top < a[1] < bottom and low < right and high > left
    low, high = sorted((a[1], b[1]))
    return left < a[0] < right and low < bottom and high > top


def label_box(diagram: Diagram, index: int) -> tuple[float, float, float, float]:
    edge = diagram.edges[index]
    width = max(len(line) for line in edge.lines) * CHAR_WIDTH
    left = edge.label_x if edge.anchor == "start" else edge.label_x - width
    top = edge.label_y - LINE_HEIGHT + 4
    return left, left + width, top, top + len(edge.lines) * LINE_HEIGHT


def check(definition: CycleDefinition) -> Diagram:
    diagram = state_diagram(definition)
    assert [n.id for n in diagram.nodes[:1]] == [definition.first_step.id]
    assert {n.id for n in diagram.nodes} == set(definition.state_names)
    assert len(diagram.transitions) == len(definition.transitions)
    pairs = {(t.source, t.dest) for t in definition.transitions}
    assert {(e.source, e.dest) for e in diagram.edges} == pairs
    for node in diagram.nodes:
        assert node.x >= 0 and node.x + NODE_WIDTH <= diagram.width
        assert node.y >= 0 and node.y + node.height <= diagram.height
    for a in diagram.nodes:
        for b in diagram.nodes:
            if a is not b:
                assert a.x + NODE_WIDTH <= b.x or b.x + NODE_WIDTH <= a.x or a.y != b.y
    for edge in diagram.edges:
        route = points(edge.path)
        assert all(0 <= x <= diagram.width and 0 <= y <= diagram.height for x, y in route)
        if len(route) > 2:  # an orthogonal route: no segment through a state
            for a, b in itertools.pairwise(route):
                assert not [n.id for n in diagram.nodes if crosses(n, a, b)], edge
    boxes = [label_box(diagram, i) for i in range(len(diagram.edges))]
    for i, (l1, r1, t1, b1) in enumerate(boxes):
        assert l1 >= 0 and r1 <= diagram.width
        for l2, r2, t2, b2 in boxes[i + 1 :]:
            assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, "labels overlap"
    return diagram


@pytest.mark.parametrize("name", ["est-inventering", "est-mote", "operativ-inriktning"])
def test_the_packaged_definitions_are_drawn_top_down(name: str) -> None:
    definition = packaged().definition(name)
    diagram = check(definition)
    rows = sorted({n.y for n in diagram.nodes})
    assert len(rows) == 3  # the inputs, the decision, the two end states
    assert [n.id for n in diagram.nodes if n.y == rows[-1]] == ["completed", "closed_incomplete"]
    assert len(diagram.edges) == 3  # the two ways from the first step share one arrow
    assert diagram.edges[0].lines[1].startswith("eller ")
    assert diagram.transitions[0].event == "alla svar har kommit in"


def test_transitions_that_skip_go_back_or_loop_run_around_the_states() -> None:
    diagram = check(tangled())
    around = [e for e in diagram.edges if len(points(e.path)) > 2]
    assert len(around) == 6
    assert ("uppfoljning_insatser", "uppfoljning_insatser") in {(e.source, e.dest) for e in around}
