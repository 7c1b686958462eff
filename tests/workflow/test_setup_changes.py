"""A setup change never leaves a period without its cycle.

Hypothesis draws sequences of what administrators change (cadence, anchor and opening time,
deadlines, meeting times, per-unit overrides added, changed and removed, a definition switched
off for a unit, a unit or a definition added or removed), loads each at a moment of a
simulated year, and runs the engine in between. Afterwards the cycles are compared with a
model of the rule, written here on its own from the cadence: every period that opens while a
version is in force has exactly one cycle, opened under that version, except the periods that
open while a change has switched the definition off; no period is opened twice; every pair in
force has exactly one pending opening; and `lofte audit` reports no period without a cycle.
Changes are loaded at half past the hour, when the engine has fired everything due (openings
are on the hour), as they are when an engine runs beside the administrator.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.loader import Bundle, SourceText, load_texts, stored_text
from lofte.kernel.errors import DefinitionError
from lofte.workflow.application.audit_report import build_audit
from lofte.workflow.core.cadence import Period, first_period_after, period
from tests.conftest import packaged, pg_schema_url
from tests.harness import MEMORY, Harness, make_harness

START = datetime(2027, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
AREA = "lpo-norra-vastmanland"
UNITS = ("sala", "fagersta", "surahammar")  # the municipalities a setup may hold
EVERY = {  # cadences each definition's period key accepts
    "est-inventering": ("P1W", "P2W", "P3W"),
    "est-mote": ("P1W", "P2W", "P4W"),
    "operativ-inriktning": ("P1W", "P2W"),
    "inriktningsbeslut": ("P3M", "P6M"),
    "uppfoljning": ("P3M", "P6M"),
}
DEADLINES = {  # (step, deadlines to choose from), for municipalities' definitions
    "est-inventering": ("rapportering", ("P1D", "P2DT3H", "P3D")),
    "est-mote": ("uppfoljning_insatser", ("PT20H", "P1DT3H")),
    "inriktningsbeslut": ("analys", ("P7D", "P9D", "P10D")),
    "uppfoljning": ("ataganden", ("P5D", "P7D")),
}
MEETINGS = {"est-mote": ("mote", ("P2DT4H", "P2DT6H", "P3DT1H"))}


# The setup as data: templates, units and their overrides ------------------------------------
@dataclass
class SetupData:
    organisation: dict[str, Any]
    templates: dict[str, dict[str, Any]]
    units: set[str] = field(default_factory=lambda: {"sala", "fagersta"})
    overrides: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    set_aside: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def bundle(self) -> Bundle:
        texts = [
            SourceText(f"{n}.yaml", yaml.safe_dump(d, allow_unicode=True), False)
            for n, d in self.templates.items()
        ]
        org = yaml.safe_dump(self._organisation(), allow_unicode=True)
        return load_texts([*texts, SourceText("organisation.yaml", org, True)], "test")

    def _organisation(self) -> dict[str, Any]:
        org = copy.deepcopy(self.organisation)
        area = org["police_areas"][0]
        area["municipalities"] = [
            {**m, "overrides": self.overrides[m["id"]]} if self.overrides.get(m["id"]) else m
            for m in area["municipalities"]
            if m["id"] in self.units
        ]
        if self.overrides.get(AREA):
            area["overrides"] = self.overrides[AREA]
        kept = self.units | {AREA, "deployment"}
        people = []
        for person in org["people"]:
            roles = {u: r for u, r in person["roles"].items() if u in kept}
            if roles:
                people.append({**person, "roles": roles})
        org["people"] = people
        org["promises"] = [p for p in org.get("promises", []) if p["unit"] in self.units]
        org["places"] = {u: p for u, p in org.get("places", {}).items() if u in self.units}
        return org


def packaged_data() -> SetupData:
    """The packaged setup as data; the units' own overrides (each steering group's meeting
    day) are kept apart, so that a drawn change adds to them."""
    texts = {s.definition.name: yaml.safe_load(s.text) for s in packaged().definitions}
    organisation = yaml.safe_load(packaged().organisation.text)
    overrides: dict[str, dict[str, dict[str, Any]]] = {}
    area = organisation["police_areas"][0]
    for unit in [area, *area["municipalities"]]:
        found = unit.pop("overrides", None)
        if found:
            overrides[unit["id"]] = found
    return SetupData(organisation, texts, overrides=overrides)


# What administrators change ------------------------------------------------------------------
def _override(data: SetupData, unit: str, definition: str) -> dict[str, Any]:
    return data.overrides.setdefault(unit, {}).setdefault(definition, {})


def _unit_for(data: SetupData, definition: str, pick: int) -> str:
    if data.templates.get(definition, {}).get("applies_to") == "police_area":
        return AREA
    return UNITS[pick % len(UNITS)]


@dataclass(frozen=True)
class Change:
    what: str
    definition: str
    pick: int  # chooses the unit (pick % 3) and the value (pick // 3)

    def apply(self, data: SetupData) -> None:
        name, unit = self.definition, _unit_for(data, self.definition, self.pick)
        value = self.pick // len(UNITS)  # chooses the value, apart from the unit
        template = data.templates.get(name)
        if self.what == "template_every" and template is not None:
            choices = EVERY[name]
            template["cadence"]["every"] = choices[value % len(choices)]
        elif self.what == "unit_every":
            choices = EVERY[name]
            _override(data, unit, name).setdefault("cadence", {})["every"] = choices[
                value % len(choices)
            ]
        elif self.what == "unit_anchor" and template is not None:
            anchor = datetime.fromisoformat(str(template["cadence"]["anchor"]))
            moved = anchor + timedelta(days=value % 5, hours=value % 7 - 2)
            _override(data, unit, name).setdefault("cadence", {})["anchor"] = moved.isoformat()
        elif self.what == "deadline" and name in DEADLINES:
            step, choices = DEADLINES[name]
            steps = _override(data, unit, name).setdefault("steps", {})
            steps.setdefault(step, {})["deadline"] = choices[value % len(choices)]
        elif self.what == "meeting" and name in MEETINGS:
            step, choices = MEETINGS[name]
            steps = _override(data, unit, name).setdefault("steps", {})
            steps.setdefault(step, {})["meeting"] = {"starts": choices[value % len(choices)]}
        elif self.what == "clear_overrides":
            data.overrides.get(unit, {}).pop(name, None)
        elif self.what == "switch_off":
            _override(data, unit, name)["enabled"] = False
        elif self.what == "toggle_unit" and unit != AREA:
            data.units ^= {unit}
        elif self.what == "toggle_definition":
            self._toggle_definition(data)

    def _toggle_definition(self, data: SetupData) -> None:
        """Take the definition out (its units' overrides kept aside), or put it back."""
        name = self.definition
        if name in data.templates:
            if len(data.templates) > 1:
                del data.templates[name]
                data.set_aside[name] = {
                    unit: per_unit.pop(name)
                    for unit, per_unit in data.overrides.items()
                    if name in per_unit
                }
        else:
            source = next(s for s in packaged().definitions if s.definition.name == name)
            data.templates[name] = yaml.safe_load(source.text)
            for unit, override in data.set_aside.pop(name, {}).items():
                data.overrides.setdefault(unit, {})[name] = override


CHANGES = st.builds(
    Change,
    st.sampled_from(
        [
            "template_every",
            "unit_every",
            "unit_every",
            "unit_anchor",
            "deadline",
            "meeting",
            "clear_overrides",
            "switch_off",
            "toggle_unit",
            "toggle_definition",
        ]
    ),
    st.sampled_from(sorted(EVERY)),
    st.integers(0, 60),
)
# When: a day of the year and an hour, always at half past (openings are on the hour).
MOMENTS = st.tuples(st.integers(0, 360), st.integers(6, 20))
PLANS = st.lists(st.tuples(MOMENTS, CHANGES), min_size=1, max_size=6)


# The model: which periods owe a cycle, and under which version ---------------------------------
@dataclass
class PairHistory:
    """The versions of one (definition, unit) as the model numbers them, with when each was
    loaded; None is a version that switches the definition off."""

    spans: list[tuple[datetime, CycleDefinition | None, int]] = field(default_factory=list)
    text: str | None = None

    def load(self, at: datetime, definition: CycleDefinition | None) -> None:
        text = None if definition is None else stored_text(definition)
        if text == self.text or (definition is None and not self.spans):
            return
        self.text = text
        self.spans.append((at, definition, len(self.spans) + 1))


def load_into(model: dict[tuple[str, str], PairHistory], bundle: Bundle, at: datetime) -> None:
    effective = {(d.name, u.id): d for d, u in bundle.effective()}
    for pair in set(model) | set(effective):
        model.setdefault(pair, PairHistory()).load(at, effective.get(pair))


def owed(history: PairHistory, end: datetime) -> dict[str, int]:
    """Period key -> the version it opens under: each version's periods that open from when it
    was loaded until the next load (or `end`), after the last period owed before."""
    found: dict[str, int] = {}
    last: Period | None = None
    for index, (loaded, definition, version) in enumerate(history.spans):
        if definition is None:
            continue
        until = history.spans[index + 1][0] if index + 1 < len(history.spans) else end
        candidate = first_period_after(definition, loaded - timedelta(days=30))
        while candidate.opens_at <= until:
            after_last = last is None or (
                candidate.starts_at > last.starts_at and candidate.key != last.key
            )
            if candidate.opens_at >= loaded and after_last:
                found[candidate.key] = version
                last = candidate
            candidate = period(definition, candidate.index + 1)
    return found


# The run ---------------------------------------------------------------------------------------
@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "memory":
        yield MEMORY
    elif kind == "postgres":
        with pg_schema_url() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/lofte.db"


def run_year(url: str, plan: list[tuple[tuple[int, int], Change]]) -> None:
    data = packaged_data()
    h = make_harness(url, START, data.bundle())
    try:
        model: dict[tuple[str, str], PairHistory] = {}
        load_into(model, h.bundle, START)
        for (day, hour), change in sorted(plan, key=lambda step: step[0]):
            moment = START + timedelta(days=day, hours=hour, minutes=30)
            h.run_until(moment)
            change.apply(data)
            try:
                bundle = data.bundle()
            except DefinitionError:
                continue  # refused when loaded: nothing is stored, the model stays
            h.engine.register(bundle)
            load_into(model, bundle, moment)
        end = START + YEAR
        h.run_until(end)
        check_against_model(h, model, end)
    finally:
        h.close()


def check_against_model(
    h: Harness, model: dict[tuple[str, str], PairHistory], end: datetime
) -> None:
    opened: dict[tuple[str, str], dict[str, int]] = {}
    for cycle in h.cycles():
        keys = opened.setdefault((cycle.definition_name, cycle.unit_id), {})
        assert cycle.period_key not in keys, f"{cycle.key} opened twice"
        keys[cycle.period_key] = cycle.definition_version
    pending: dict[tuple[str, str], int] = {}
    for timer in h.timers("pending"):
        if timer.kind.value == "open":
            pair = (timer.definition_name, timer.unit_id)
            pending[pair] = pending.get(pair, 0) + 1
    for pair, history in model.items():
        assert opened.get(pair, {}) == owed(history, end), pair
        in_force = bool(history.spans) and history.spans[-1][1] is not None
        assert pending.get(pair, 0) == (1 if in_force else 0), pair
    assert set(opened) <= set(model)
    app = h.app()
    report = build_audit(app, app.viewer("ulla-revisor"))
    assert [(g.definition, g.unit_id, g.period_key) for g in report.gaps] == []


QUICK = settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@QUICK
@given(PLANS)
def test_no_setup_change_leaves_a_period_without_its_cycle(plan: Any) -> None:
    with database("memory") as url:
        run_year(url, plan)


@settings(QUICK, max_examples=3)
@given(PLANS)
def test_no_setup_change_leaves_a_period_without_its_cycle_on_sqlite(plan: Any) -> None:
    with database("sqlite") as url:
        run_year(url, plan)


@pytest.mark.postgres
@settings(QUICK, max_examples=4)
@given(PLANS)
def test_no_setup_change_leaves_a_period_without_its_cycle_on_postgresql(plan: Any) -> None:
    with database("postgres") as url:
        run_year(url, plan)


# Examples ----------------------------------------------------------------------------------------
def _weeks(h: Harness, definition: str, unit: str) -> list[tuple[str, int]]:
    return [(c.period_key, c.definition_version) for c in h.cycles(definition, unit)]


def _gaps(h: Harness) -> list[tuple[str, str, str]]:
    app = h.app()
    report = build_audit(app, app.viewer("ulla-revisor"))
    return [(g.definition, g.unit_id, g.period_key) for g in report.gaps]


def _every_two_weeks(data: SetupData, unit: str) -> Bundle:
    Change("unit_every", "est-inventering", UNITS.index(unit) + 3).apply(data)  # P2W: 3 // 3
    return data.bundle()


def test_a_unit_that_changes_to_every_two_weeks_goes_on_every_two_weeks() -> None:
    """The issue's report: after two weekly inventories Surahammar changes to every two
    weeks; its inventory never opened again and the audit listed weeks 3, 5 and 7."""
    data = packaged_data()
    data.units = {"sala", "surahammar"}
    h = make_harness(MEMORY, START, data.bundle())
    h.run_until(datetime(2027, 1, 18, 6, tzinfo=UTC))  # Monday of week 3, before 09:00
    changes = h.engine.register(_every_two_weeks(data, "surahammar"))
    assert "est-inventering för Surahammars kommun: version 2 (nästa öppning räknas om)" in changes
    h.run_until(datetime(2027, 2, 22, 6, tzinfo=UTC))
    assert _weeks(h, "est-inventering", "surahammar") == [
        ("2027-W01", 1),
        ("2027-W02", 1),
        ("2027-W03", 2),
        ("2027-W05", 2),
        ("2027-W07", 2),
    ]
    assert [k for k, _ in _weeks(h, "est-inventering", "sala")][-1] == "2027-W07"
    assert _gaps(h) == []


def test_a_change_loaded_while_the_engine_was_stopped_opens_the_overdue_period() -> None:
    """Monday's opening was due at 09:00 but the engine was stopped; a change loaded at 10:00
    takes effect from that opening: this week opens (late) under the new version."""
    data = packaged_data()
    h = make_harness(MEMORY, START, data.bundle())
    h.run_until(datetime(2027, 1, 11, 7, tzinfo=UTC))
    h.clock.set(datetime(2027, 1, 11, 9, tzinfo=UTC))  # 10:00 Stockholm: week 2's is overdue
    Change("deadline", "est-inventering", 0).apply(data)  # Sala's deadline P1D
    h.engine.register(data.bundle())
    h.run_until(datetime(2027, 1, 19, 6, tzinfo=UTC))
    assert _weeks(h, "est-inventering", "sala") == [
        ("2027-W01", 1),
        ("2027-W02", 2),
        ("2027-W03", 2),
    ]
    assert _gaps(h) == []


def test_periods_while_a_definition_is_switched_off_are_not_missing() -> None:
    data = packaged_data()
    h = make_harness(MEMORY, START, data.bundle())
    h.run_until(datetime(2027, 1, 12, tzinfo=UTC))
    Change("switch_off", "est-inventering", 0).apply(data)  # Sala's inventory off
    h.engine.register(data.bundle())
    h.run_until(datetime(2027, 2, 2, tzinfo=UTC))
    Change("clear_overrides", "est-inventering", 0).apply(data)  # and on again, on a Tuesday
    h.engine.register(data.bundle())
    h.run_until(datetime(2027, 2, 16, tzinfo=UTC))
    assert [k for k, _ in _weeks(h, "est-inventering", "sala")] == [
        "2027-W01",
        "2027-W02",
        "2027-W06",
        "2027-W07",
    ]
    assert _gaps(h) == []


def test_the_audit_lists_a_period_whose_opening_never_fired() -> None:
    data = packaged_data()
    h = make_harness(MEMORY, START, data.bundle())
    h.run_until(datetime(2027, 1, 5, tzinfo=UTC))
    with h.store.unit_of_work() as uow:  # an opening lost (as by a bug): nothing replaces it
        uow.timers.cancel_openings("est-inventering", "fagersta")
    h.run_until(datetime(2027, 1, 19, 12, tzinfo=UTC))
    assert _gaps(h) == [
        ("est-inventering", "fagersta", "2027-W02"),
        ("est-inventering", "fagersta", "2027-W03"),
    ]
