"""One person's records (`PersonalRecords`): what each store promises alike, on the memory
store, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from lofte.workflow.core.records import ActionStatus, OutboxStatus, RequestStatus
from tests.contract.conftest import T0, Store, action, add_cycles, cycle, message, request


def test_requests_and_actions_of_a_person_in_the_order_made(store: Store) -> None:
    first, second = add_cycles(store, cycle(1), cycle(2))
    with store.unit_of_work() as uow:
        added = uow.requests.add_many(
            [request(second, "tove-lind"), request(first, "tove-lind"), request(first, "lars")]
        )
        owned = uow.actions.add_many(
            [action("b", second, T0 + timedelta(days=8)), action("a", first, T0)]
        )
    with store.unit_of_work() as uow:
        assert [r.id for r in uow.people.requests_of("tove-lind")] == [added[0].id, added[1].id]
        assert uow.people.requests_of("nobody") == []
        assert [a.key for a in uow.people.actions_of("tove-lind")] == ["a", "b"]
        assert [a.key for a in uow.people.actions_from(first.id or 0)] == ["a"]
        assert {a.key for a in owned} == {"a", "b"}


def test_a_request_and_an_action_change_hands_and_nothing_else_changes(store: Store) -> None:
    [week] = add_cycles(store, cycle(1))
    answer = {"ansvarig": "tove-lind", "text": "Lugnt"}
    with store.unit_of_work() as uow:
        [made] = uow.requests.add_many([request(week, "tove-lind")])
        uow.requests.save(
            dataclasses.replace(made, status=RequestStatus.ANSWERED, answer=answer, answered_at=T0)
        )
        [owned] = uow.actions.add_many([action("a", week, T0)])
    with store.unit_of_work() as uow:
        before = uow.requests.get(made.id or 0)
        changed = {"ansvarig": "Person 123abc", "text": "Lugnt"}
        # Only the person and the answer are written, whatever else the record says.
        uow.people.set_request_person(
            dataclasses.replace(
                before, person_id="Person 123abc", answer=changed, status=RequestStatus.MISSING
            )
        )
        uow.people.set_action_owner(owned.id or 0, "lars", T0 + timedelta(days=1))
    with store.unit_of_work() as uow:
        after = uow.requests.get(made.id or 0)
        assert after == dataclasses.replace(before, person_id="Person 123abc", answer=changed)
        moved = uow.actions.get(owned.id or 0)
    assert moved.owner_id == "lars" and moved.version == owned.version + 1
    assert moved.updated_at == T0 + timedelta(days=1)
    assert moved.status is ActionStatus.OPEN


def test_delivered_messages_forget_the_address_and_others_are_left(store: Store) -> None:
    [week] = add_cycles(store, cycle(1))
    with store.unit_of_work() as uow:
        uow.outbox.add_many(
            [
                message("sent", instance_id=week.id, status=OutboxStatus.SENT),
                message("pending", instance_id=week.id),
                message("other-cycle", status=OutboxStatus.SENT),
                message(
                    "someone-else", person="lars", instance_id=week.id, status=OutboxStatus.SENT
                ),
            ]
        )
    with store.unit_of_work() as uow:
        assert uow.people.forget_messages(week.id or 0, "tove-lind", "Person 123abc") == 1
    with store.unit_of_work() as uow:
        sent = uow.outbox.with_status(OutboxStatus.SENT)
        pending = uow.outbox.with_status(OutboxStatus.PENDING)
    by_key = {m.key: m for m in [*sent, *pending]}
    assert (by_key["sent"].person_id, by_key["sent"].recipient) == ("Person 123abc", "")
    assert by_key["pending"].recipient == "tove-lind@example.se"
    assert by_key["other-cycle"].person_id == "tove-lind"
    assert by_key["someone-else"].person_id == "lars"


def test_which_requests_hold_sensitive_values_without_reading_them(store: Store) -> None:
    [week] = add_cycles(store, cycle(1))
    with store.unit_of_work() as uow:
        held, other, plain = uow.requests.add_many(
            [request(week, "a"), request(week, "b"), request(week, "c")]
        )
        uow.sensitive.put(held.id or 0, 1, {"namn": "x"}, T0)
        uow.sensitive.put(held.id or 0, 2, {"namn": "z"}, T0)
        uow.sensitive.put(other.id or 0, 1, {"namn": "y"}, T0)
    with store.unit_of_work() as uow:
        assert uow.people.sensitive_stored([]) == {}
        found = uow.people.sensitive_stored([held.id or 0, other.id or 0, plain.id or 0])
    assert found == {held.id: None, other.id: None}
    later = T0 + timedelta(days=90)
    with store.unit_of_work() as uow:
        uow.sensitive.erase_for_instance(week.id or 0, later)
    with store.unit_of_work() as uow:
        found = uow.people.sensitive_stored([held.id or 0, other.id or 0])
    assert found == {held.id: later, other.id: later}
