"""Cause and effect in numbers: an early intervention names the categories and the place (or
area) it targets; its baseline is the count of those observations in the 12 weeks before it
was decided, its latest count runs from the decision, and both show in the action register,
its CSV, the action's page, the decision's page and the follow-up request its owner gets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lofte.definitions.places import PlaceRegister, normalised
from lofte.workflow.application.action_page import action_page
from lofte.workflow.application.actions_view import actions_csv, list_actions
from lofte.workflow.application.cycle_page import cycle_page
from lofte.workflow.core.effect import BASELINE_WEEKS, effect_from, matcher, weekly_counts
from lofte.workflow.core.places import resolve
from lofte.workflow.core.records import Action
from tests.conftest import packaged
from tests.harness import Harness, utc


def seen(category: str, place: str, day: str, **more: object) -> dict[str, object]:
    row: dict[str, object] = {
        "kategori": category,
        "plats": place,
        "datum": day,
        "klockslag": "21:00",
        "beskrivning": "Sett under veckan.",
    }
    return row | more


BEFORE = [
    seen("klotter", "Torget", "2026-12-20"),  # 12 weeks and 3 days before: not in the baseline
    seen("klotter", "Torget", "2026-12-28"),
    seen("klotter", "stortorget", "2027-02-01"),  # an alias: the same place
    seen("klotter", "Stora torget", "2027-03-01", klockslag="", dygnsdel="natt"),
    seen("klotter", "Stationen", "2027-02-10"),  # Sala resecentrum, also in Sala centrum
    seen("skadegorelse", "Stationen", "2027-03-02"),
    seen("nedskrapning", "Stora torget", "2027-03-03"),  # another category
    seen("klotter", "Ransta busshållplats", "2027-03-04"),  # another area
]
INTERVENTIONS = [
    {
        "insats": "Sanera klottret på torget",
        "plats": "Torget",
        "malkategorier": ["klotter"],
        "ansvarig": "maria-holm",
        "klart_senast": "2027-04-30",
    },
    {
        "insats": "Bättre belysning i centrum",
        "plats": "Sala centrum",
        "malkategorier": ["skadegorelse", "klotter"],
        "ansvarig": "maria-holm",
        "klart_senast": "2027-05-31",
    },
    {
        "insats": "Prata med fastighetsägarna",
        "ansvarig": "maria-holm",
        "klart_senast": "2027-05-31",
    },
]


def register_of_packaged(unit_id: str) -> PlaceRegister:
    unit = packaged().directory.unit(unit_id)
    assert unit is not None
    return PlaceRegister(unit.places)


def decided(h: Harness) -> list[Action]:
    """Week 11: one report with the quarter's observations, then three early interventions."""
    h.run_until(utc(2027, 3, 15, 8))
    week = h.cycle("est-inventering", "sala", "2027-W11")
    h.answer(week, "rapportering", "nils-aberg", {"iakttagelser": BEFORE})
    h.run_until(utc(2027, 3, 17, 15))  # the reporting window (and its late hours) has closed
    week = h.cycle("est-inventering", "sala", "2027-W11")
    assert week.state == "sammanstallning"
    answer = {"veckans_bild": "Klotter i centrum.", "tidiga_insatser": INTERVENTIONS}
    h.answer(week, "sammanstallning", "lars-berg", answer)
    return sorted(h.actions("sala"), key=lambda a: a.id or 0)


def test_the_baseline_counts_what_the_action_targets_in_the_12_weeks_before_it(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    torget, centrum, untargeted = decided(h)
    assert (torget.categories, torget.place) == (("klotter",), "Torget")
    assert centrum.categories == ("skadegorelse", "klotter")
    app = h.app()
    lines = {line.action.id: line for line in list_actions(app, app.viewer(None), "sala")}
    on_torget, in_centrum = lines[torget.id].effect, lines[centrum.id].effect
    assert on_torget is not None and in_centrum is not None
    # Torget, Stortorget and Stora torget are one place; the 4 January is outside the window.
    assert (on_torget.baseline, on_torget.since) == (3, 0)
    # The area: klotter and skadegörelse at every place in Sala centrum, not Ransta.
    assert (in_centrum.baseline, in_centrum.since) == (5, 0)
    assert lines[untargeted.id].effect is None  # no target: no number that would mislead
    assert on_torget.target == "klotter vid Torget"
    assert lines[torget.id].baseline_text == (
        "3 iakttagelser de 12 veckorna före beslutet (0,2 per vecka)"
    )
    assert sum(n for _, n in on_torget.weekly) == 3
    assert on_torget.weekly[0] == ("v. 52", 0)  # the window's first week, 12 weeks back


def test_the_latest_count_runs_from_the_decision_and_follows_the_action_up(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    torget, centrum, _ = decided(h)
    h.run_until(utc(2027, 3, 22, 8))
    week = h.cycle("est-inventering", "sala", "2027-W12")
    after = [seen("klotter", "Torget", "2027-03-22"), seen("klotter", "Parken", "2027-03-23")]
    h.answer(week, "rapportering", "nils-aberg", {"iakttagelser": after})
    h.run_until(utc(2027, 4, 5, 12))
    app = h.app()
    lines = {line.action.id: line for line in list_actions(app, app.viewer(None), "sala")}
    on_torget, in_centrum = lines[torget.id].effect, lines[centrum.id].effect
    assert on_torget is not None and in_centrum is not None
    assert (on_torget.baseline, on_torget.since) == (3, 1)
    assert (in_centrum.baseline, in_centrum.since) == (5, 2)  # Stadsparken is in Sala centrum
    assert lines[torget.id].latest_text.startswith("1 iakttagelse på 3 veckor sedan beslutet")

    rows = actions_csv(list(lines.values())).lstrip("\ufeff").splitlines()
    header = rows[0].split(";")
    first = dict(zip(header, rows[1 + list(lines).index(torget.id)].split(";"), strict=True))
    assert (first["Utgångsläge"], first["Senaste läge"], first["Räknas"]) == (
        "3",
        "1",
        "klotter vid Torget",
    )
    assert first["Utgångsläge per vecka"] == "0,2"

    # The EST meeting's follow-up asks the owner, with the numbers beside the question.
    meeting = h.cycles("est-mote", "sala")[-1]
    asked = [r for r in h.requests(meeting) if r.subject.get("action_id") == torget.id]
    assert asked, "the owner is asked to follow the intervention up"
    facts = {v[0]["sv"]: v[1]["sv"] for v in asked[0].subject["values"]}
    assert facts["Räknas"] == "klotter vid Torget"
    assert facts["Utgångsläge"].startswith("3 iakttagelser de 12 veckorna före beslutet")
    assert facts["Senaste läge"].startswith("1 iakttagelse på ")

    viewer = app.viewer(None)
    page = action_page(app, viewer, "sala", torget.id or 0)
    assert page.baseline.startswith("3 iakttagelser") and page.latest.startswith("1 iakttagelse ")
    english = action_page(app, viewer, "sala", torget.id or 0, "en")
    assert english.baseline.startswith("3 observations in the 12 weeks before the decision")
    decision = cycle_page(app, viewer, "sala", torget.source_instance_id, "sv")
    numbers = {what: (base, latest) for _, what, _, _, base, latest in decision.actions}
    assert numbers["Sanera klottret på torget"][0].startswith("3 iakttagelser")
    assert numbers["Prata med fastighetsägarna"] == ("", "")


def test_the_weekly_counts_cover_every_week_from_the_first_to_the_last() -> None:
    start = utc(2027, 1, 6, 12)
    moments = [start + timedelta(days=d) for d in (0, 1, 8, 30)]
    weeks = weekly_counts(moments, start, start + timedelta(weeks=BASELINE_WEEKS))
    assert len(weeks) == BASELINE_WEEKS + 1
    assert weeks[:3] == (("v. 1", 2), ("v. 2", 1), ("v. 3", 0))
    assert sum(n for _, n in weeks) == len(moments)


PLACES = ("Stora torget", "Torget", "Stationen", "Ransta busshållplats", "Bakom Folkets hus")
CATEGORIES = ("klotter", "skadegorelse", "nedskrapning")


@given(
    seen_at=st.lists(
        st.tuples(
            st.integers(min_value=-120, max_value=60),  # days from the decision
            st.sampled_from(CATEGORIES),
            st.sampled_from(PLACES),
        ),
        max_size=40,
    ),
    categories=st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=2),
    target=st.sampled_from(("Torget", "Sala centrum", "Bakom folkets hus", "")),
    days_open=st.integers(min_value=0, max_value=60),
)
def test_the_numbers_count_exactly_the_targeted_observations_in_their_windows(
    seen_at: list[tuple[int, str, str]], categories: list[str], target: str, days_open: int
) -> None:
    """Whatever was seen, the baseline is the targeted observations in the 12 weeks before
    the decision and the latest count those from the decision to `until`, nothing else."""
    register = register_of_packaged("sala")
    when = utc(2027, 3, 17, 15)
    action = Action(
        key="a",
        unit_id="sala",
        kind="insats",
        source_instance_id=1,
        source_label="",
        what="x",
        owner_id="maria-holm",
        owner_party="kommun",
        created_at=when,
        place=target,
        target_categories=",".join(categories),
        id=1,
    )
    hits = matcher(action, register)
    if not categories and not target:
        assert hits is None
        return
    assert hits is not None
    observations = []
    for offset, category, written in seen_at:
        o: dict[str, Any] = {"category": category, "place": written}
        resolve([o], register)
        observations.append((when + timedelta(days=offset), o))
    until = when + timedelta(days=days_open)
    effect = effect_from(action, [at for at, o in observations if hits(o)], until)
    names = {
        normalised(n)
        for p in register.places
        if p.id == "stora-torget"
        for n in (p.name, *p.aliases)
    }
    centrum = {"stora-torget", "resecentrum"}

    def targeted(o: dict[str, Any]) -> bool:
        if categories and o["category"] not in categories:
            return False
        if target == "Torget":
            return normalised(o["written_place"]) in names
        if target == "Sala centrum":
            return o["place_id"] in centrum
        if target:
            return normalised(o["written_place"]) == normalised(target)
        return True

    start = when - timedelta(weeks=BASELINE_WEEKS)
    assert effect.baseline == sum(1 for at, o in observations if targeted(o) and start <= at < when)
    assert effect.since == sum(1 for at, o in observations if targeted(o) and when <= at < until)
    assert sum(n for _, n in effect.weekly) == effect.baseline + effect.since
