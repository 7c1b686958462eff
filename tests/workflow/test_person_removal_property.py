"""Removals, answers and the passing of time in any order, in virtual time: nobody who left
is ever waiting to be asked, no cycle stops because of a removal, and a pseudonym appears only
where a closed cycle's retention has ended, and only for someone who left."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import NoCoordinator, UnknownPerson
from lofte.workflow.core.people import remove_person
from lofte.workflow.core.pseudonyms import (
    is_pseudonym,
    pseudonym,
    pseudonym_key,
    retention_ends,
)
from lofte.workflow.core.records import RequestStatus
from tests.conftest import packaged
from tests.harness import MEMORY, Harness, make_harness, utc

START = utc(2027, 1, 1)
RETENTION = IsoDuration.parse("P10D")
# Reporters, a chair, coordinators (whose removal may be refused), a kommunpolis, the LPO chief.
PEOPLE = [
    "maria-holm",
    "johan-sjo",
    "tove-lind",
    "karin-ek",
    "lars-berg",
    "anna-sundin",
    "nils-aberg",
    "malin-frost",
    "peter-nord",
]
NOTHING = {"inget_att_rapportera": True}

Move = tuple[int, str | None, bool]  # days to go on, who leaves (if anyone), answer reports
moves = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=6),
        st.one_of(st.none(), st.sampled_from(PEOPLE)),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=8, deadline=None)
@given(moves)
def test_removals_never_leave_work_waiting_or_names_where_they_should_not_be(
    plan: list[Move],
) -> None:
    h = make_harness(MEMORY, START, packaged())
    h.engine.personal_retention = RETENTION
    left: set[str] = set()
    try:
        for days, leaving, answer in plan:
            h.run_until(h.clock.now() + timedelta(days=days))
            if answer:
                _answer_reports(h)
            if leaving is not None:
                try:
                    h.engine.act(
                        "administrator", lambda work, who=leaving: remove_person(work, who)
                    )
                    left.add(leaving)
                except (NoCoordinator, UnknownPerson):
                    pass  # refused: nothing changed
            _check(h, left)
        end = h.clock.now()
        h.run_until(end + timedelta(days=40))
        _check(h, left)
        stuck = [c.key for c in h.cycles() if c.opens_at < end and c.closed_at is None]
        assert not stuck, f"cycles that never closed: {stuck}"
    finally:
        h.close()


def _answer_reports(h: Harness) -> None:
    for cycle in h.cycles("est-inventering"):
        for request in h.requests(cycle, "rapportering"):
            if request.status is RequestStatus.OPEN:
                h.engine.submit(request.id or 0, request.person_id, NOTHING)


def _check(h: Harness, left: set[str]) -> None:
    for person in left:
        assert not h.open_requests_of(person), f"{person} left but is still asked"
    key = h.engine.inspect(pseudonym_key)
    aliases = {pseudonym(key, person) for person in left}
    now = h.clock.now()
    for cycle in h.cycles():
        ends = None if cycle.closed_at is None else retention_ends(cycle.closed_at, RETENTION)
        names = {r.person_id for r in h.requests(cycle)}
        pseudonyms = {n for n in names if is_pseudonym(n)}
        assert pseudonyms <= aliases, "a pseudonym for someone who has not left"
        if pseudonyms:
            assert ends is not None and ends <= now, "a pseudonym before the retention ended"
        if ends is not None and ends <= now:
            assert not names & left, f"{cycle.key}: a name kept after its retention"
