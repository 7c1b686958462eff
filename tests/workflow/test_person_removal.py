"""A person leaves (`lofte person remove`): their roles end, their open requests and actions go
to the unit's coordinator with a notice, the cycles carry on, and closed records keep their
name until the records' retention ends, when a pseudonym replaces it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import NoCoordinator, RequestClosed, UnknownPerson
from lofte.workflow.application.audit_log import cycle_log
from lofte.workflow.core.people import remove_person
from lofte.workflow.core.pseudonyms import is_pseudonym
from lofte.workflow.core.records import MessageKind, OutboxStatus, Outcome, RequestStatus
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc

REPORTERS = ["johan-sjo", "lars-berg", "maria-holm", "nils-aberg", "tove-lind"]
NOTHING = {"inget_att_rapportera": True}


def remove(h: Harness, person: str) -> object:
    return h.engine.act("administrator", lambda work: remove_person(work, person))


def first_week(h: Harness) -> None:
    """Week 1 of Sala: everyone reports; the compilation gives Maria an early intervention."""
    h.run_until(utc(2027, 1, 5, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    for person in REPORTERS:
        h.answer(week, "rapportering", person, NOTHING)
    h.answer(
        h.cycle("est-inventering", "sala", "2027-W01"),
        "sammanstallning",
        "lars-berg",
        {
            "veckans_bild": "Lugnt.",
            "tidiga_insatser": [
                {
                    "insats": "Sanera busskuren",
                    "ansvarig": "maria-holm",
                    "klart_senast": "2027-01-29",
                }
            ],
        },
    )


def test_open_work_goes_to_the_coordinator_and_the_week_still_completes(
    harness: Harness,
) -> None:
    h = harness
    first_week(h)
    h.run_until(utc(2027, 1, 11, 9))  # week 2 opens
    week = h.cycle("est-inventering", "sala", "2027-W02")
    assert "maria-holm" in {r.person_id for r in h.requests(week, "rapportering")}

    waiting = [m for m in h.outbox(person="maria-holm") if m.status is OutboxStatus.PENDING]
    assert waiting  # her week-2 request, not sent yet
    remove(h, "maria-holm")

    mail = {m.id: m for m in h.outbox(person="maria-holm")}
    assert {(mail[m.id].status, mail[m.id].last_error) for m in waiting} == {
        (OutboxStatus.EXPIRED, "person_removed")
    }  # never sent to someone who left
    requests = h.requests(week, "rapportering")
    mine = [r for r in requests if r.person_id == "maria-holm"]
    assert [r.status for r in mine] == [RequestStatus.CANCELLED]
    taken = [r for r in requests if r.key.endswith(">lars-berg")]
    assert [(r.status, r.step_id) for r in taken] == [(RequestStatus.OPEN, "rapportering")]
    [action] = h.actions("sala")
    assert action.owner_id == "lars-berg" and action.is_open
    [notice] = h.outbox(MessageKind.PERSON_REMOVED.value)
    assert notice.person_id == "lars-berg" and notice.context["person_name"] == "Maria Holm"
    assert taken[0].id in [r["request_id"] for r in notice.context["requests"]]
    assert not h.open_requests_of("maria-holm")
    [event] = [e for e in h.audit() if e.event == "person_removed"]
    assert event.detail["person"] == "maria-holm" and event.detail["notified"] == ["lars-berg"]

    with pytest.raises(RequestClosed, match="lämnat organisationen"):  # her link is dead
        h.engine.submit(mine[0].id or 0, "maria-holm", NOTHING)

    # The week waits for nobody who left: everyone still here answers and it completes.
    for request in requests:
        if request.status is RequestStatus.OPEN:
            h.engine.submit(request.id or 0, request.person_id, NOTHING)
    assert h.cycle("est-inventering", "sala", "2027-W02").state == "sammanstallning"
    h.run_until(utc(2027, 1, 18, 9))
    later = h.cycle("est-inventering", "sala", "2027-W03")
    asked = {r.person_id for r in h.requests(later, "rapportering")}
    assert "maria-holm" not in asked and "lars-berg" in asked


@pytest.fixture
def any_harness(store_url: str) -> Iterator[Harness]:
    """The packaged setup on the memory store, SQLite and PostgreSQL."""
    built = make_harness(store_url, utc(2027, 1, 1), packaged())
    yield built
    built.close()


def test_closed_records_keep_the_name_until_their_retention_ends(any_harness: Harness) -> None:
    h = any_harness
    h.engine.personal_retention = IsoDuration.parse("P30D")
    first_week(h)
    week = h.cycle("est-inventering", "sala", "2027-W01")
    assert week.outcome is Outcome.COMPLETED_ON_TIME
    h.run_until(utc(2027, 1, 11, 9))
    remove(h, "maria-holm")

    h.run_until(utc(2027, 2, 3, 12))  # within the 30 days: the name stays
    assert "maria-holm" in {r.person_id for r in h.requests(week)}
    compiled = h.request(week, "sammanstallning", "lars-berg")
    assert compiled.answer is not None
    assert compiled.answer["tidiga_insatser"][0]["ansvarig"] == "maria-holm"

    h.run_until(utc(2027, 2, 9, 12))  # week 1 closed on 5 January: its retention ended
    people = {r.person_id for r in h.requests(week)}
    [alias] = [p for p in people if is_pseudonym(p)]
    assert "maria-holm" not in people
    assert {"lars-berg", "johan-sjo", "nils-aberg", "tove-lind"} <= people  # still here
    compiled = h.request(week, "sammanstallning", "lars-berg")
    assert compiled.answer is not None
    assert compiled.answer["tidiga_insatser"][0]["ansvarig"] == alias
    assert compiled.answer["veckans_bild"] == "Lugnt."  # the content stays
    [ended] = [e for e in h.audit(week) if e.event == "retention_ended"]
    assert ended.detail["pseudonymised_people"] == 1 and ended.detail["retention"] == "P30D"
    log = cycle_log(h.app(), h.app().viewer("ulla-revisor"), week.id or 0)
    said = [line for line in log.events if line.event.startswith("gallring")]
    assert said and "gallringsfrist: 30 dagar" in said[0].detail
    # The same person gets the same pseudonym in every cycle.
    second = h.cycle("est-inventering", "sala", "2027-W02")
    h.run_until(utc(2027, 2, 20, 12))
    assert alias in {r.person_id for r in h.requests(second)}


def test_a_person_removed_after_the_retention_is_pseudonymised_at_once(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.engine.personal_retention = IsoDuration.parse("P7D")
    first_week(h)
    week = h.cycle("est-inventering", "sala", "2027-W01")
    h.run_until(utc(2027, 1, 20, 9))  # the timer fired: nobody had left, nothing changed
    assert "johan-sjo" in {r.person_id for r in h.requests(week)}
    remove(h, "johan-sjo")
    people = {r.person_id for r in h.requests(week)}
    assert "johan-sjo" not in people and any(is_pseudonym(p) for p in people)


def test_unknown_people_and_nobody_to_take_over_change_nothing(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 5, 9))
    with pytest.raises(UnknownPerson, match=r"okänd person: 'nobody'.*lofte person list"):
        remove(h, "nobody")
    with pytest.raises(UnknownPerson, match="menade du maria-holm"):
        remove(h, "maria-hol")
    # Sala's only coordinator leaves: the police area's coordinator takes over.
    remove(h, "lars-berg")
    week = h.cycle("est-inventering", "sala", "2027-W01")
    assert [r.person_id for r in h.requests(week) if r.key.endswith(">malin-frost")] == [
        "malin-frost"
    ]
    events = len(h.audit())
    notices = len(h.outbox(MessageKind.PERSON_REMOVED.value))
    # Then she leaves too: nobody is left to take over Sala's week, so nothing changes.
    with pytest.raises(NoCoordinator, match="ingen annan har rollen samordnare i Sala"):
        remove(h, "malin-frost")
    assert h.open_requests_of("malin-frost")
    assert len(h.audit()) == events
    assert len(h.outbox(MessageKind.PERSON_REMOVED.value)) == notices
    remove(h, "maria-holm")
    with pytest.raises(UnknownPerson, match=r"Maria Holm .* har redan tagits bort"):
        remove(h, "maria-holm")


def test_a_cycle_closed_before_retentions_existed_gets_its_timer_at_a_removal(
    sqlite_harness: Harness,
) -> None:
    from sqlalchemy import text

    h = sqlite_harness
    h.engine.personal_retention = IsoDuration.parse("P30D")
    first_week(h)
    week = h.cycle("est-inventering", "sala", "2027-W01")
    with h.store.engine.begin() as c:  # as a database from before this version holds it
        c.execute(text("DELETE FROM timers WHERE kind = 'retention'"))
    h.run_until(utc(2027, 1, 11, 9))
    remove(h, "maria-holm")
    mine = [t for t in h.timers("pending") if t.instance_id == week.id]
    assert [t.kind.value for t in mine] == ["retention"]
    h.run_until(utc(2027, 2, 9, 12))
    assert "maria-holm" not in {r.person_id for r in h.requests(week)}


def test_an_answer_given_before_leaving_counts_and_can_no_longer_be_changed(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 5, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    h.answer(week, "rapportering", "maria-holm", NOTHING)
    remove(h, "maria-holm")
    mine = h.request(week, "rapportering", "maria-holm")
    assert mine.status is RequestStatus.ANSWERED and mine.answer == NOTHING
    with pytest.raises(RequestClosed, match="lämnat organisationen"):
        h.engine.submit(mine.id or 0, "maria-holm", {"inget_att_rapportera": False})
    for person in ("johan-sjo", "lars-berg", "nils-aberg", "tove-lind"):
        h.answer(week, "rapportering", person, NOTHING)
    assert h.cycle("est-inventering", "sala", "2027-W01").state == "sammanstallning"
