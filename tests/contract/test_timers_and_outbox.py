"""Timers and the outbox: what each store promises alike (claiming, ordering, leases)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from lofte.kernel.errors import NotFound
from lofte.workflow.core.records import (
    MessageKind,
    OutboxStatus,
    RequestStatus,
    TimerKind,
    TimerStatus,
)
from lofte.workflow.core.work import CATCH_UP
from tests.contract.conftest import T0, Store, add_cycles, cycle, message, request, timer

H = timedelta(hours=1)


def claim_all(store: Store, at: timedelta) -> list[str]:
    """Claim until nothing is due at T0 + `at`; the keys in the order claimed."""
    claimed = []
    while True:
        with store.unit_of_work() as uow:
            found = uow.timers.claim_due(T0 + at, "motor-1")
        if found is None:
            return claimed
        assert found.status is TimerStatus.FIRED and found.fired_by == "motor-1"
        claimed.append(found.key)


def test_timers_are_claimed_earliest_first_never_before_an_earlier_one_of_their_cycle(
    store: Store,
) -> None:
    [c1, c2] = add_cycles(store, cycle(1), cycle(2))
    with store.unit_of_work() as uow:
        uow.timers.add_many(
            [
                timer("c1-late", T0 + 3 * H, c1),
                timer("free", T0 + 2 * H),
                timer("c1-early", T0 + H, c1, next_attempt_at=T0 + 5 * H),  # a retry, later
                timer("c2", T0 + 2 * H, c2),
                timer("future", T0 + 9 * H, c2),
            ]
        )
        assert uow.timers.next_due() == T0 + 2 * H  # the retry counts from its next attempt
    assert claim_all(store, 4 * H) == ["free", "c2"]  # c1-late waits for c1-early's retry
    assert claim_all(store, 5 * H) == ["c1-early", "c1-late"]
    with store.unit_of_work() as uow:
        assert uow.timers.next_due() == T0 + 9 * H
        fired = uow.timers.get(2)
        with pytest.raises(NotFound):
            uow.timers.get(999_999)
    assert fired.status is TimerStatus.FIRED and fired.fired_at == T0 + 4 * H


def test_a_claim_in_a_unit_of_work_that_fails_leaves_the_timer_pending(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.timers.add_many([timer("only", T0)])
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        assert uow.timers.claim_due(T0, "motor-1") is not None
        raise RuntimeError("the handler failed")
    assert claim_all(store, H) == ["only"]


def test_an_added_timer_key_is_kept_except_a_cancelled_opening_which_comes_back(
    store: Store,
) -> None:
    opening = timer("open", T0, kind=TimerKind.CYCLE_OPEN)
    with store.unit_of_work() as uow:
        uow.timers.add_many([timer("r", T0), timer("r", T0 + H), opening])
        assert uow.timers.cancel_openings("est-inventering", "sala") == T0
        assert uow.timers.pending_openings() == set()
        uow.timers.add_many([timer("r", T0 + 5 * H), dataclasses.replace(opening, due_at=T0 + H)])
        assert uow.timers.pending_openings() == {("est-inventering", "sala")}
        assert uow.timers.cancel_openings("est-mote", "sala") is None
    assert claim_all(store, 10 * H) == ["r", "open"]
    with store.unit_of_work() as uow:
        first, revived = uow.timers.get(1), uow.timers.get(2)
    assert first.due_at == T0  # the first of its key, never replaced
    assert revived.due_at == T0 + H and revived.kind is TimerKind.CYCLE_OPEN


def test_pending_timers_are_moved_or_cancelled_by_key_or_cycle(store: Store) -> None:
    [c1] = add_cycles(store, cycle(1))
    with store.unit_of_work() as uow:
        uow.timers.add_many([timer("a", T0, c1), timer("b", T0 + H, c1), timer("c", T0)])
        assert uow.timers.move_pending("c", T0 + 7 * H) == 1
        assert uow.timers.move_pending("nothing", T0) == 0
        assert uow.timers.cancel_for_instance(c1.id or 0) == 2
        assert uow.timers.cancel_for_instance(c1.id or 0) == 0
        assert uow.timers.next_due() == T0 + 7 * H
        assert uow.timers.move_pending("c", None) == 1
        assert uow.timers.next_due() is None
        failed = dataclasses.replace(uow.timers.get(1), status=TimerStatus.FAILED, attempts=5)
        uow.timers.save(dataclasses.replace(failed, last_error="trasig"))
    with store.unit_of_work() as uow:
        saved = uow.timers.get(1)
    assert (saved.status, saved.attempts, saved.last_error) == (TimerStatus.FAILED, 5, "trasig")


def test_the_outbox_keeps_the_first_message_of_a_key_and_lists_by_status_in_order(
    store: Store,
) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add_many([message("m1"), message("m2", "bo"), message("m1", "bo")])
        uow.outbox.add_many([message("m3")])
        sent = dataclasses.replace(uow.outbox.get(2), status=OutboxStatus.SENT, sent_at=T0)
        uow.outbox.save(sent)
        with pytest.raises(NotFound):
            uow.outbox.get(999_999)
    with store.unit_of_work() as uow:
        pending = uow.outbox.with_status(OutboxStatus.PENDING, lock=True)
        mine = uow.outbox.with_status(OutboxStatus.PENDING, "tove-lind")
        assert [m.key for m in uow.outbox.with_status(OutboxStatus.SENT)] == ["m2"]
        assert uow.outbox.get(2).sent_at == T0
    assert [(m.key, m.person_id) for m in pending] == [("m1", "tove-lind"), ("m3", "tove-lind")]
    assert [m.key for m in mine] == ["m1", "m3"]


def test_catch_up_messages_are_reported_once_by_unit(store: Store) -> None:
    expired = {"status": OutboxStatus.EXPIRED, "last_error": CATCH_UP}
    with store.unit_of_work() as uow:
        uow.outbox.add_many(
            [
                message("x1", unit_id="sala", **expired),
                message("x2", unit_id="fagersta", **expired),
                message("x3", unit_id="sala", **expired),
                message("other", status=OutboxStatus.EXPIRED, last_error="för sent"),
            ]
        )
        found = uow.outbox.unreported_catch_up()
        uow.outbox.mark_reported([m.id or 0 for m in found[:2]], T0)
    assert [m.key for m in found] == ["x2", "x1", "x3"]
    with store.unit_of_work() as uow:
        assert [m.key for m in uow.outbox.unreported_catch_up()] == ["x3"]


def test_delivery_claims_due_messages_by_id_and_takes_back_a_lapsed_lease(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add_many(
            [
                message("due"),
                message("later", created_at=T0 + H),
                message("retry", next_attempt_at=T0 + 2 * H, attempts=1, first_attempt_at=T0),
                message("held", status=OutboxStatus.HELD),
                message("alert", kind=MessageKind.DELIVERY_ALERT, attempts=2),
            ]
        )
        assert sorted(uow.outbox.pending_retries()) == [T0 + 2 * H]
        assert uow.outbox.failing_since() == T0  # the alert is not counted
        assert uow.outbox.exists("retry") and not uow.outbox.exists("nothing")
        assert uow.outbox.claimable(T0, T0)
        first = uow.outbox.claim(T0, T0, "d1", 10)
    assert [(m.key, m.attempts, m.status) for m in first] == [
        ("due", 1, OutboxStatus.SENDING),
        ("alert", 3, OutboxStatus.SENDING),
    ]
    with store.unit_of_work() as uow:
        uow.outbox.mark_sent([(first[0], "smtp")], T0, "d2")  # not d2's: nothing
        uow.outbox.mark_sent([(first[1], "smtp:250 ok")], T0, "d1")
        assert not uow.outbox.claimable(T0 + 30 * timedelta(minutes=1), T0)
        lapsed = uow.outbox.claim(T0 + 3 * H, T0 + H, "d2", 2)  # d1's lease ran out at T0 + H
    assert [(m.key, m.claimed_by, m.first_attempt_at) for m in lapsed] == [
        ("due", "d2", T0),
        ("later", "d2", T0 + 3 * H),
    ]
    with store.unit_of_work() as uow:
        assert [m.key for m in uow.outbox.with_status(OutboxStatus.SENT)] == ["alert"]
        assert uow.outbox.get(5).delivery == "smtp:250 ok"
        assert [m.key for m in uow.outbox.claim(T0 + 3 * H, T0 + H, "d3", 9)] == ["retry"]


def test_a_released_message_waits_again_at_once_with_its_claims_try_not_counted(
    store: Store,
) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add_many(
            [
                message("first"),
                message("again", attempts=2, first_attempt_at=T0 - H, last_error="421 upptagen"),
                message("other"),
            ]
        )
        claimed = uow.outbox.claim(T0, T0, "d1", 10)
    first, again, other = claimed
    with store.unit_of_work() as uow:
        uow.outbox.release([(first, "avbrutet"), (again, None)], "d1")
        uow.outbox.release([(other, "avbrutet")], "d2")  # not d2's: nothing
        uow.outbox.mark_sent([(first, "smtp")], T0, "d1")  # no longer d1's: nothing
        by_key = {m.key: m for m in uow.outbox.with_status(OutboxStatus.PENDING)}
        assert [m.key for m in uow.outbox.with_status(OutboxStatus.SENDING)] == ["other"]
    assert sorted(by_key) == ["again", "first"]
    assert (by_key["first"].attempts, by_key["first"].first_attempt_at) == (0, None)
    assert (by_key["again"].attempts, by_key["again"].first_attempt_at) == (2, T0 - H)
    assert (by_key["first"].last_error, by_key["again"].last_error) == ("avbrutet", "421 upptagen")
    assert by_key["first"].claimed_by is None and by_key["first"].claimed_at is None
    with store.unit_of_work() as uow:  # due again at once, for anyone
        assert [m.key for m in uow.outbox.claim(T0, T0, "d3", 10)] == ["first", "again"]


def test_a_persons_open_tasks_come_by_deadline_from_open_cycles(store: Store) -> None:
    [c1, c2, c3] = add_cycles(store, cycle(2), cycle(1), cycle(3))
    with store.unit_of_work() as uow:
        [a, b, c] = uow.requests.add_many([request(c, "tove") for c in (c1, c2, c3)])
        uow.requests.add_many([request(c1, "bo")])
        uow.requests.save(dataclasses.replace(c, status=RequestStatus.ANSWERED))
        closed = dataclasses.replace(uow.cycles.get(c2.id or 0), closed_at=T0)
        uow.cycles.save(closed)
        [third] = uow.requests.add_many([request(c3, "tove", step="sammanstallning")])
        tasks = uow.outbox.open_tasks("tove")
    assert [(r.key, cy.key) for r, cy in tasks] == [(a.key, c1.key), (third.key, c3.key)]
    assert b.id not in {r.id for r, _ in tasks}
