"""The weekly EST inventory end to end: requests, answers, reminders, escalation, completion.

Runs against SQLite and PostgreSQL (the `harness` fixture is parametrised)."""

from __future__ import annotations

import pytest

from tests.conftest import Harness
from tests.helpers import (
    audit,
    completion,
    instance,
    inventory_answer,
    outbox,
    request_of,
    requests,
    utc,
)
from workflow.records import Outcome, RequestStatus

REPORTERS = ["lars-berg", "maria-holm", "johan-sjo", "nils-aberg"]


def open_week_one(h: Harness) -> None:
    h.run_until(utc(2027, 1, 4, 8))  # Monday 4 January 09:00 Stockholm


def test_every_reporter_answers_and_the_cycle_completes_on_time(harness: Harness) -> None:
    h = harness
    open_week_one(h)
    week = instance(h, "est-inventering", "2027-W01")
    assert week.state == "rapportering" and week.period_label == "v.1 2027"
    asked = requests(h, week, "rapportering")
    assert sorted(r.person_id for r in asked) == sorted(REPORTERS)
    # Wednesday 6 January is Trettondedag jul: the deadline moves to Thursday 12:00.
    assert {r.deadline_at for r in asked} == {utc(2027, 1, 7, 11)}
    assert len(outbox(h, "input_request")) >= len(REPORTERS)

    h.run_until(utc(2027, 1, 5, 9))
    for person in REPORTERS[1:]:
        h.engine.submit(
            request_of(h, week, "rapportering", person).id or 0, person, inventory_answer()
        )
    h.engine.submit(
        request_of(h, week, "rapportering", "lars-berg").id or 0,
        "lars-berg",
        {"inget_att_rapportera": True},
    )
    assert instance(h, "est-inventering", "2027-W01").state == "sammanstallning"

    compile_request = request_of(h, week, "sammanstallning", "lars-berg")
    h.engine.submit(
        compile_request.id or 0, "lars-berg", {"veckans_bild": "Klotter i centrum, i övrigt lugnt."}
    )
    done = instance(h, "est-inventering", "2027-W01")
    assert done.state == "completed" and done.outcome is Outcome.COMPLETED_ON_TIME
    record = completion(h, done)
    assert record.missing == () and record.late_inputs == 0

    transitions = [
        (e.from_state, e.event, e.to_state, e.actor, e.definition_version)
        for e in audit(h, done)
        if e.from_state
    ]
    assert ("rapportering", "inputs_complete", "sammanstallning", "lars-berg", 1) in transitions
    assert ("sammanstallning", "decided", "completed", "lars-berg", 1) in transitions
    summaries = [m for m in outbox(h, "cycle_summary") if m.instance_id == done.id]
    assert [m.person_id for m in summaries] == ["lars-berg"]
    assert summaries[0].context["outcome"] == "completed_on_time"


def test_a_person_who_never_answers_is_reminded_escalated_and_named(harness: Harness) -> None:
    h = harness
    open_week_one(h)
    week = instance(h, "est-inventering", "2027-W01")
    h.run_until(utc(2027, 1, 5, 9))
    for person in ("lars-berg", "maria-holm", "nils-aberg"):
        h.engine.submit(
            request_of(h, week, "rapportering", person).id or 0, person, inventory_answer()
        )

    h.run_until(utc(2027, 1, 7, 11))  # the (moved) deadline
    johan = request_of(h, week, "rapportering", "johan-sjo")
    reminders = [m for m in outbox(h, "reminder") if m.request_id == johan.id]
    assert [m.created_at for m in reminders] == [utc(2027, 1, 6, 11), utc(2027, 1, 7, 9)]
    assert not [
        m for m in outbox(h, "reminder") if m.person_id != "johan-sjo" and m.instance_id == week.id
    ]
    escalations = [m for m in outbox(h, "escalation") if m.instance_id == week.id]
    assert [m.person_id for m in escalations] == ["lars-berg"]  # the samordnare
    assert escalations[0].context["missing"][0]["person_name"] == "Johan Sjö"

    h.run_until(utc(2027, 1, 7, 15))  # late answers accepted until 16:00 local
    moved_on = instance(h, "est-inventering", "2027-W01")
    assert moved_on.state == "sammanstallning"
    assert request_of(h, week, "rapportering", "johan-sjo").status is RequestStatus.MISSING

    h.engine.submit(
        request_of(h, week, "sammanstallning", "lars-berg").id or 0,
        "lars-berg",
        {"veckans_bild": "Lugn vecka."},
    )
    closed = instance(h, "est-inventering", "2027-W01")
    assert closed.state == "completed" and closed.outcome is Outcome.CLOSED_INCOMPLETE
    record = completion(h, closed)
    assert [(m["person_name"], m["step"]) for m in record.missing] == [
        ("Johan Sjö", "rapportering")
    ]


def test_an_answer_after_the_deadline_makes_the_cycle_late(harness: Harness) -> None:
    h = harness
    open_week_one(h)
    week = instance(h, "est-inventering", "2027-W01")
    for person in ("lars-berg", "maria-holm", "nils-aberg"):
        h.engine.submit(
            request_of(h, week, "rapportering", person).id or 0, person, inventory_answer()
        )
    h.run_until(utc(2027, 1, 7, 13))  # after 12:00 local, within the late window
    late = h.engine.submit(
        request_of(h, week, "rapportering", "johan-sjo").id or 0, "johan-sjo", inventory_answer()
    )
    assert late.late
    h.engine.submit(
        request_of(h, week, "sammanstallning", "lars-berg").id or 0,
        "lars-berg",
        {"veckans_bild": "Sent men komplett."},
    )
    done = instance(h, "est-inventering", "2027-W01")
    assert done.outcome is Outcome.COMPLETED_LATE
    assert completion(h, done).late_inputs == 1


def test_nobody_answers_the_cycle_closes_incomplete_on_its_own(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 1, 11, 7))  # the whole first week passes in silence
    week = instance(h, "est-inventering", "2027-W01")
    assert week.state == "closed_incomplete" and week.outcome is Outcome.CLOSED_INCOMPLETE
    owed = {m["person_id"] for m in completion(h, week).missing}
    assert owed == set(REPORTERS)  # the four reporters; Lars owed the compilation too
    assert len(completion(h, week).missing) == 5


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"iakttagelser": [{"kategori": "fel"}]}, "iakttagelser[0].kategori: 'fel' is not one of"),
        ({}, "iakttagelser: required"),
        (
            {"inget_att_rapportera": True, "iakttagelser": [{"plats": "x"}]},
            "iakttagelser: leave empty when inget_att_rapportera is set",
        ),
        (
            {
                "iakttagelser": [
                    {
                        "kategori": "nedskräpning",
                        "plats": "Parken",
                        "tidpunkt": "igår",
                        "beskrivning": "skräp",
                    }
                ]
            },
            "iakttagelser[0].tidpunkt: 'igår' is not a date and time",
        ),
        ({"kommentar": "hej", "inget_att_rapportera": True}, "kommentar: unknown field"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(
    sqlite_harness: Harness, answer: dict[str, object], problem: str
) -> None:
    from workflow.errors import SubmissionError

    h = sqlite_harness
    open_week_one(h)
    week = instance(h, "est-inventering", "2027-W01")
    target = request_of(h, week, "rapportering", "maria-holm")
    before = len(audit(h))
    with pytest.raises(SubmissionError) as caught:
        h.engine.submit(target.id or 0, "maria-holm", answer)
    assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert request_of(h, week, "rapportering", "maria-holm").status is RequestStatus.OPEN
    assert len(audit(h)) == before


def test_wrong_person_double_answer_and_too_late_are_refused(sqlite_harness: Harness) -> None:
    from workflow.errors import NotResponsible, RequestClosed

    h = sqlite_harness
    open_week_one(h)
    week = instance(h, "est-inventering", "2027-W01")
    maria = request_of(h, week, "rapportering", "maria-holm")
    with pytest.raises(NotResponsible, match="owed by 'maria-holm', not 'johan-sjo'"):
        h.engine.submit(maria.id or 0, "johan-sjo", inventory_answer())
    h.engine.submit(maria.id or 0, "maria-holm", inventory_answer())
    with pytest.raises(RequestClosed, match="is answered"):
        h.engine.submit(maria.id or 0, "maria-holm", inventory_answer())
    h.run_until(utc(2027, 1, 7, 16))
    johan = request_of(h, week, "rapportering", "johan-sjo")
    with pytest.raises(RequestClosed, match="missing"):
        h.engine.submit(johan.id or 0, "johan-sjo", inventory_answer())
