"""A definition's states and transitions laid out for an SVG drawing (drawn by the web page's
template, no script), and the same content as rows of a table for those who do not see it.

The layout is layered from top to bottom, which suits a narrow screen: the first step on top,
each state one layer below the nearest state that leads to it, the end states at the bottom.
Transitions between neighbouring layers are straight arrows; any other (skipping layers,
going back or sideways) runs through the gaps between rows to a lane of its own on the right,
so no line crosses a state and no label overlaps another.
"""

from __future__ import annotations

import textwrap
from collections import deque
from dataclasses import dataclass

from lofte.definitions.cycle import TERMINAL_CLOSED, TERMINAL_COMPLETED, CycleDefinition
from lofte.workflow.application.definition_words import event_text, state_name

NODE_WIDTH = 240
LINE_HEIGHT = 16
LAYER_GAP = 96
NODE_GAP = 32
MARGIN = 16
CHAR_WIDTH = 7.0  # an estimate for 13 px text, for widths of labels
WRAP = 30
LANE_ROOM = 10 + 6 * 8  # above the first row, for the lanes of transitions back to it


@dataclass(frozen=True)
class Node:
    id: str
    lines: tuple[str, ...]
    x: float
    y: float
    height: float
    end: bool

    @property
    def label(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Edge:
    source: str
    dest: str
    lines: tuple[str, ...]  # the label: the events that take this way, one a line
    path: str  # SVG path data
    label_x: float
    label_y: float  # the baseline of the first line
    anchor: str  # text-anchor of the label: start or end

    @property
    def label_width(self) -> float:
        return max(len(line) for line in self.lines) * CHAR_WIDTH


@dataclass(frozen=True)
class Transition:
    source: str
    event: str
    dest: str


@dataclass(frozen=True)
class Diagram:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    transitions: tuple[Transition, ...]  # the text alternative, in the definition's order
    width: float
    height: float


def state_label(definition: CycleDefinition, state: str, language: str = "sv") -> str:
    return state_name(definition, state, language)


def state_diagram(definition: CycleDefinition, language: str = "sv") -> Diagram:
    layers = _layers(definition)
    into_top = any(
        layers[t.dest] == 0 and layers[t.dest] != layers[t.source] + 1
        for t in definition.transitions
    )
    nodes = _place(definition, layers, MARGIN + (LANE_ROOM if into_top else 0), language)
    by_id = {n.id: n for n in nodes}
    grouped: dict[tuple[str, str], list[str]] = {}
    for t in definition.transitions:
        grouped.setdefault((t.source, t.dest), []).append(event_text(t.event, language))
    right = max(n.x + NODE_WIDTH for n in nodes)
    straight: list[Edge] = []
    around: list[tuple[Node, Node, tuple[str, ...]]] = []
    for (source, dest), events in grouped.items():
        either = "or" if language == "en" else "eller"
        lines = (events[0], *(f"{either} {e}" for e in events[1:]))
        a, b = by_id[source], by_id[dest]
        if layers[dest] == layers[source] + 1:
            straight.append(_straight(a, b, lines))
        else:
            around.append((a, b, lines))
    lane = max([right, *(_label_right(e) for e in straight)]) + 24.0
    edges = list(straight)
    for k, (a, b, lines) in enumerate(around):
        edges.append(_lane(a, b, lines, lane, k))
        lane = _label_right(edges[-1]) + 24.0
    width = max([right, *(_label_right(e) for e in edges)]) + MARGIN
    height = max(n.y + n.height for n in nodes) + MARGIN
    transitions = tuple(
        Transition(
            state_label(definition, t.source, language),
            event_text(t.event, language),
            state_label(definition, t.dest, language),
        )
        for t in definition.transitions
    )
    return Diagram(
        definition.title.get(language),
        tuple(nodes),
        tuple(edges),
        transitions,
        round(width),
        round(height),
    )


def _layers(definition: CycleDefinition) -> dict[str, int]:
    """Each step's distance from the first step; end states (and unreachable ones) last."""
    following: dict[str, list[str]] = {}
    for t in definition.transitions:
        following.setdefault(t.source, []).append(t.dest)
    steps = [s.id for s in definition.steps]
    layer = {steps[0]: 0}
    queue = deque([steps[0]])
    while queue:
        state = queue.popleft()
        for dest in following.get(state, []):
            if dest not in layer and definition.has_step(dest):
                layer[dest] = layer[state] + 1
                queue.append(dest)
    deepest = max(layer.values())
    for step in steps:  # a step nothing leads to: below the others
        if step not in layer:
            deepest += 1
            layer[step] = deepest
    for state in (TERMINAL_COMPLETED, TERMINAL_CLOSED):
        layer[state] = deepest + 1
    return layer


def _place(
    definition: CycleDefinition, layers: dict[str, int], top: float, language: str
) -> list[Node]:
    rows: dict[int, list[str]] = {}
    for state in definition.state_names:
        rows.setdefault(layers[state], []).append(state)
    widest = max(len(row) for row in rows.values())
    full = widest * NODE_WIDTH + (widest - 1) * NODE_GAP
    nodes = []
    y = top
    for index in sorted(rows):
        row = rows[index]
        wrapped = [
            tuple(textwrap.wrap(state_label(definition, s, language), WRAP)) or (s,) for s in row
        ]
        height = max(len(lines) for lines in wrapped) * LINE_HEIGHT + 20
        used = len(row) * NODE_WIDTH + (len(row) - 1) * NODE_GAP
        x = MARGIN + (full - used) / 2
        for state, lines in zip(row, wrapped, strict=True):
            end = not definition.has_step(state)
            nodes.append(Node(state, lines, x, y, height, end))
            x += NODE_WIDTH + NODE_GAP
        y += height + LAYER_GAP
    return nodes


def _straight(a: Node, b: Node, lines: tuple[str, ...]) -> Edge:
    """Bottom centre to top centre; the label beside the middle of the arrow."""
    x1, y1 = a.x + NODE_WIDTH / 2, a.y + a.height
    x2, y2 = b.x + NODE_WIDTH / 2, b.y
    middle_x, middle_y = (x1 + x2) / 2, (y1 + y2) / 2
    first = middle_y - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
    path = f"M{x1:g},{y1:g} L{x2:g},{y2 - 2:g}"
    if x2 < x1:  # leaning left: the label on the left
        width = max(len(line) for line in lines) * CHAR_WIDTH
        return Edge(a.id, b.id, lines, path, max(middle_x - 8, MARGIN + width), first, "end")
    return Edge(a.id, b.id, lines, path, middle_x + 8, first, "start")


def _lane(a: Node, b: Node, lines: tuple[str, ...], lane: float, k: int) -> Edge:
    """Down from `a` into the gap below its row, along it to a lane of its own on the right,
    along the lane to the gap above `b`, and down into `b`: no segment crosses a state."""
    shift = 6 * (k % 8)  # LANE_ROOM leaves room for eight
    x1 = a.x + NODE_WIDTH - 16 - shift
    x2 = b.x + NODE_WIDTH - 16 - shift
    below = a.y + a.height + 10 + shift
    above = b.y - 10 - shift
    path = (
        f"M{x1:g},{a.y + a.height:g} L{x1:g},{below:g} L{lane:g},{below:g} "
        f"L{lane:g},{above:g} L{x2:g},{above:g} L{x2:g},{b.y - 2:g}"
    )
    first = (below + above) / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
    return Edge(a.id, b.id, lines, path, lane + 6, first, "start")


def _label_right(edge: Edge) -> float:
    return edge.label_x + (edge.label_width if edge.anchor == "start" else 0)
