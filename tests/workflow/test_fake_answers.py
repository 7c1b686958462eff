"""Simulated answers hang together, as a reader of the demo or a rehearsal sees them: every EST
observation is described as what its category is, at a place of its own municipality that is
reported for such things; every intervention answers something observed at its place and is
owned by someone in the municipality of the party that does such work; a follow-up's note fits
its status; a meeting's decision is recorded after the meeting."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from lofte.definitions.places import PlaceRegister
from lofte.workflow.drivers import fake_scenes as scenes
from lofte.workflow.drivers.simulation import Simulation
from tests.harness import Harness, utc

LEADERS = {"peter-nord", "anders-vik", "sara-strand", "malin-frost"}  # the police area's


def simulate(h: Harness, weeks: int = 5) -> None:
    h.clock.set(utc(2027, 2, 28))
    app = h.app()
    end = utc(2027, 3, 1) + timedelta(weeks=weeks)
    Simulation(app, h.clock, response_rate=0.9, seed=11).run_until(end)


def observations(h: Harness) -> list[tuple[str, dict[str, str]]]:
    found = []
    for cycle in h.cycles("est-inventering"):
        for request in h.requests(cycle, "rapportering"):
            for row in (request.answer or {}).get("iakttagelser") or ():
                found.append((cycle.unit_id, row))
    return found


def register(h: Harness, unit: str) -> PlaceRegister:
    found = h.bundle.directory.unit(unit)
    assert found is not None
    return PlaceRegister(found.places)


def test_every_observation_is_described_as_its_category_at_a_place_of_its_municipality(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    simulate(h)
    seen = observations(h)
    assert len(seen) > 80  # five weeks of five municipalities
    written = {"name": 0, "alias": 0, "other": 0}
    per_unit = defaultdict(set)
    for unit, row in seen:
        category, place = row["kategori"], row["plats"]
        assert row["beskrivning"] in [
            t.format(place=place) for t in scenes.DESCRIPTIONS[category].texts
        ], row
        assert row["datum"] and (row.get("klockslag") or row.get("dygnsdel")), row
        found = register(h, unit).resolve(place)
        if found is None:  # an "annan plats", written with its area
            assert place in scenes.OTHER_PLACES and row["omrade"], row
            written["other"] += 1
            continue
        written["name" if place == found.name else "alias"] += 1
        assert category in scenes.KIND_CATEGORIES[found.kind], row  # reported for such things
        per_unit[unit].add((found.name, found.area))
    assert written["name"] > written["alias"] > written["other"] > 0
    assert per_unit["sala"].isdisjoint(per_unit["norberg"])  # each municipality its own places
    parts = Counter(row.get("dygnsdel") or "klockslag" for _, row in seen)
    assert {"klockslag", "natt", "morgon", "kvall", "okand"} <= set(parts)
    assert {row["kategori"] for _, row in seen} >= {"klotter", "alkohol", "sprutfynd"}
    assert {row.get("atgard") for _, row in seen} >= {"atgardat", "felanmalt"}


def test_every_intervention_answers_an_observation_and_its_owner_does_such_work(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    simulate(h)
    people = h.bundle.directory.people
    observed = defaultdict(set)  # unit -> (place as written and as the register names it, category)
    for unit, row in observations(h):
        found = register(h, unit).resolve(row["plats"])
        for place in {row["plats"], found.name if found else row["plats"]}:
            observed[unit].add((place, row["kategori"]))
    remedies = [(r, c) for c, options in scenes.REMEDIES.items() for r in options]
    remedies += [(scenes.Remedy(w, (party,)), "") for party, w in scenes.BY_PARTY.items()]
    actions = h.actions()
    assert len(actions) > 15  # a quarter of simulated decisions (19 with this seed)
    for action in actions:
        owner = people[action.owner_id]
        fits = [
            (remedy, place)
            for remedy, category in remedies
            for place, seen in observed[action.unit_id]
            if remedy.what.format(place=place) == action.what and category in ("", seen)
        ]
        assert fits, (action.unit_id, action.what)  # it answers what was seen at the place
        assert any(owner.party in remedy.parties for remedy, _ in fits), (action.what, owner)
        assert action.unit_id in owner.roles and owner.id not in LEADERS, (action.what, owner)
    cleaning = [a for a in actions if "städning" in a.what or "Sanera" in a.what]
    assert cleaning and all(people[a.owner_id].party != "polis" for a in cleaning)
    drugs = [a for a in actions if "narkotika" in a.what]
    assert all(people[a.owner_id].party == "polis" for a in drugs)


def test_a_follow_up_note_fits_its_status_and_meetings_decide_after_they_are_held(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    simulate(h, weeks=7)
    notes = 0
    for cycle in h.cycles("est-mote"):
        for request in h.requests(cycle, "uppfoljning_insatser"):
            answer = request.answer or {}
            if "hur_och_varfor" in answer:
                notes += 1
                assert answer["hur_och_varfor"] == scenes.FOLLOW_UP[answer["status"]][0]
    assert notes
    decided = 0
    for name, step in (("est-mote", "mote"), ("inriktningsbeslut", "beslut")):
        for cycle in h.cycles(name):
            with h.store.unit_of_work() as uow:
                meeting = uow.meetings.get(cycle.id or 0, step)
            assert meeting is not None
            for request in h.requests(cycle, step):
                if request.answered_at is not None:
                    decided += 1
                    assert request.answered_at >= meeting.ends_at, cycle.key
    assert decided > 10
