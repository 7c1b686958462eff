"""A week with no engine, in the national example of a few municipalities: the catch-up sends
nothing stale, and each unit's coordinator gets one catch-up notice (`workflow.core.catch_up`;
`bench/bench_catch_up.py` measures the same with 290 municipalities)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from lofte.definitions.loader import load_bundle
from lofte.definitions.national import national_example, write_example
from tests.harness import MEMORY, make_harness, utc

MONDAY = utc(2027, 1, 4)


def test_a_week_without_an_engine_sends_nothing_stale_and_tells_each_coordinator_once(
    tmp_path: Path,
) -> None:
    write_example(tmp_path, national_example(4))
    h = make_harness(MEMORY, MONDAY, load_bundle([tmp_path]))
    try:
        h.run_until(MONDAY + timedelta(days=1, hours=9))  # running as usual until Tuesday
        before = {m.key for m in h.outbox()}
        h.clock.set(h.clock.now() + timedelta(days=7))  # no engine for a week
        h.engine.ensure_schedule()
        while h.engine.run_due():
            pass
        now = h.clock.now()
        new = [m for m in h.outbox() if m.key not in before]
        for m in new:
            if m.status.value != "expired" and m.kind.value != "catch_up":
                assert m.valid_until is None or m.valid_until > now, m.key  # nothing stale
        expired_units = {m.unit_id for m in new if m.status.value == "expired"}
        notices = Counter((m.unit_id, m.person_id) for m in new if m.kind.value == "catch_up")
        directory = h.app().directory()
        coordinators = {
            (unit_id, person.id)
            for unit_id in expired_units
            if (unit := directory.unit(unit_id)) is not None
            for person in directory.holders(directory.coordinator_role(unit), unit_id)
        }
        assert expired_units and len(expired_units) >= 4  # every municipality missed something
        assert set(notices) == coordinators
        assert set(notices.values()) == {1}
        # The engine running on: no second notice for the same week.
        h.run_until(now + timedelta(hours=1))
        again = [m for m in h.outbox("catch_up") if m.key not in before and m.created_at > now]
        assert again == []
    finally:
        h.close()
