"""The weekly EST inventory of one municipality, end to end: requests, answers, the compile
step that shows the week's reports, early interventions that become actions, completion."""

from __future__ import annotations

from lofte.workflow.core.records import Outcome, RequestStatus
from tests.harness import Harness, people, utc

SALA_REPORTERS = ["johan-sjo", "lars-berg", "maria-holm", "nils-aberg", "tove-lind"]


def observation(**override: object) -> dict[str, object]:
    row: dict[str, object] = {
        "kategori": "skadegorelse",
        "plats": "Stora torget",
        "omrade": "Centrum",
        "datum": "2027-01-04",
        "klockslag": "22:00",
        "beskrivning": "Klotter på busskuren.",
        "bedomning": 2,
    }
    row.update(override)
    return row


def test_each_reporter_of_the_unit_is_asked_and_the_cycle_completes_on_time(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 8))  # Monday 4 January 09:00 Stockholm
    week = h.cycle("est-inventering", "sala", "2027-W01")
    assert week.state == "rapportering" and week.period_label == "v. 1 2027"
    asked = h.requests(week, "rapportering")
    assert people(asked) == SALA_REPORTERS
    # Wednesday 6 January is Trettondedag jul: the deadline moves to Thursday 12:00.
    assert {r.deadline_at for r in asked} == {utc(2027, 1, 7, 11)}

    h.run_until(utc(2027, 1, 5, 9))
    for person in SALA_REPORTERS[1:]:
        h.answer(week, "rapportering", person, {"iakttagelser": [observation()]})
    h.answer(week, "rapportering", "johan-sjo", {"inget_att_rapportera": True})
    week = h.cycle("est-inventering", "sala", "2027-W01")
    assert week.state == "sammanstallning"

    h.answer(
        week,
        "sammanstallning",
        "lars-berg",
        {
            "veckans_bild": "Klotter i centrum.",
            "tidiga_insatser": [
                {
                    "insats": "Sanera busskuren",
                    "ansvarig": "maria-holm",
                    "klart_senast": "2027-01-15",
                }
            ],
        },
    )
    done = h.cycle("est-inventering", "sala", "2027-W01")
    assert done.state == "completed" and done.outcome is Outcome.COMPLETED_ON_TIME
    assert h.completion(done).missing == ()
    [action] = h.actions("sala")
    assert (action.kind, action.owner_id, action.what) == (
        "tidig_insats",
        "maria-holm",
        "Sanera busskuren",
    )
    assert [m.person_id for m in h.outbox("action_assigned")] == ["maria-holm"]


def test_a_missing_report_closes_the_cycle_incomplete_naming_who_owed_it(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 8))
    week = h.cycle("est-inventering", "surahammar", "2027-W01")
    h.answer(week, "rapportering", "anna-sundin", {"inget_att_rapportera": True})
    h.run_until(utc(2027, 1, 12))
    week = h.cycle("est-inventering", "surahammar", "2027-W01")
    assert week.outcome is Outcome.CLOSED_INCOMPLETE
    missing = {m["person_id"] for m in h.completion(week).missing}
    assert {"lena-dahl", "mikael-hed", "tove-lind"} <= missing
    statuses = {r.person_id: r.status for r in h.requests(week, "rapportering")}
    assert statuses["anna-sundin"] is RequestStatus.ANSWERED
    assert statuses["mikael-hed"] is RequestStatus.MISSING
