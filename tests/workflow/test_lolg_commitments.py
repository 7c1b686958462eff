"""LOLG records, per municipality, which of its commitments in force the police works on in
the next two weeks (rows naming the åtaganden, not free text), and the next operativ
inriktning follows them up first: its context shows them and the group chief answers per
commitment. A commitment that is not open in the area is refused."""

from __future__ import annotations

import pytest

from lofte.kernel.errors import SubmissionError
from lofte.workflow.core.records import Action, CycleInstance
from tests.harness import Harness, utc

AREA = "lpo-norra-vastmanland"


def commitment(h: Harness, unit: str, what: str, index: int) -> Action:
    """An åtagande of `unit`'s steering group, open (as a decided one is), recorded as if
    decided in the unit's first cycle."""
    source = h.cycles(unit=unit)[0]
    action = Action(
        key=f"inriktningsbeslut/{unit}/2027-Q1/beslut/kommunens_ataganden/{index}",
        unit_id=unit,
        kind="atagande",
        source_instance_id=source.id or 0,
        source_label="Inriktningsbeslut Q1 2027",
        what=what,
        owner_id="lars-berg",
        owner_party="kommun",
        created_at=h.clock.now(),
        place="Stora torget",
        target_categories="klotter",
    )
    with h.store.unit_of_work() as uow:
        [added] = uow.actions.add_many([action])
    return added


def lolg(h: Harness, week: str) -> CycleInstance:
    return h.cycle("operativ-inriktning", AREA, week)


def decide(h: Harness, cycle: CycleInstance, rows: list[dict[str, object]]) -> None:
    answer = {"brottsfenomen": "Klotter", "platser": "Stora torget", "motivering": "Klotter ökar."}
    h.answer(cycle, "beslut", "peter-nord", answer | {"kommunernas_ataganden": rows})


def test_lolg_names_the_commitments_it_works_on_and_the_next_one_follows_them_up_first(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    sala = commitment(h, "sala", "Sanera klottret på torget", 0)
    commitment(h, "fagersta", "Fältarbetare vid stationen", 0)
    h.run_until(utc(2027, 1, 6, 8))  # Wednesday: the LOLG meeting's decision is open
    first = lolg(h, "2027-W01")
    assert first.state == "beslut"
    decide(h, first, [{"atagande": sala.key, "hur": "Synlig närvaro fredag kväll."}])
    decided = h.request(lolg(h, "2027-W01"), "beslut", "peter-nord")
    [row] = decided.answer["kommunernas_ataganden"]  # type: ignore[index]
    assert row["atagande"] == {
        "v": 1,
        "action": sala.key,
        "unit": "sala",
        "unit_name": "Sala kommun",
        "what": "Sanera klottret på torget",
    }
    assert row["hur"] == "Synlig närvaro fredag kväll."

    h.run_until(utc(2027, 1, 18, 8))  # the next operativ inriktning is open
    second = lolg(h, "2027-W03")
    with h.store.unit_of_work() as uow:
        context = uow.contexts.get(second.id or 0, "uppfoljning")
    assert context is not None
    first_item = context["items"][0]
    assert first_item["kind"] == "answers"
    shown = first_item["entries"][0]["fields"]
    rows = next(f for f in shown if f["id"] == "kommunernas_ataganden")["rows"]
    assert rows[0][0]["value"]["sv"] == "Sala kommun: Sanera klottret på torget"
    chief = h.request(second, "uppfoljning", "anders-vik")
    follow_up = [{"atagande": sala.key, "gjort": "Tre kvällar på torget; inget nytt klotter."}]
    h.answer(
        second,
        "uppfoljning",
        "anders-vik",
        {
            "arbetet_med_ataganden": follow_up,
            "antal_insatser": 3,
            "kvalitativ_uppfoljning": "Lugnt.",
        },
    )
    answered = h.request(second, "uppfoljning", "anders-vik")
    assert answered.id == chief.id
    assert answered.answer["arbetet_med_ataganden"][0]["atagande"]["what"] == (  # type: ignore[index]
        "Sanera klottret på torget"
    )


def test_a_commitment_that_is_not_open_in_the_area_is_refused_and_nothing_is_stored(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 6, 8))
    cycle = lolg(h, "2027-W01")
    for made_up, code in (
        ("inriktningsbeslut/sala/2027-Q1/beslut/x/9", "not_commitment"),
        ({"action": "påhittad", "what": "Något"}, "not_commitment"),
        ("", "required"),
    ):
        with pytest.raises(SubmissionError) as refused:
            decide(h, cycle, [{"atagande": made_up, "hur": "Något."}])
        assert [p.code for p in refused.value.problems] == [code]
    assert h.request(lolg(h, "2027-W01"), "beslut", "peter-nord").answer is None
