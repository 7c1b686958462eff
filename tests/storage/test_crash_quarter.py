"""Crash safety over a whole quarter: the engine dies at 24 random moments spread from January
to March (in the middle of a unit of work, so the transaction never commits) and a new engine
carries on each time. The final state equals an uninterrupted run's, on SQLite and on
PostgreSQL: cycles and outcomes, requests and answers, actions, timers, outbox and meeting
keys, and the audit trail (which also verifies as a chain)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_verify import verify
from lofte.workflow.core.engine import Engine
from lofte.workflow.core.work import Work
from tests.conftest import packaged, pg_schema_url
from tests.harness import Harness, utc
from tests.storage.test_identity import Crash, fresh, signature

pytestmark = pytest.mark.slow
FIRST, LAST = utc(2027, 1, 1, 10), utc(2027, 3, 31, 10)
KILLS = 24


def quarter(h: Harness, days: dict[str, object]) -> None:
    """Day by day at 11:00 Stockholm time: every open inventory request is answered ("nothing
    to report"); every open compilation is made with one early intervention (an action).
    `days["next"]` is the day to do next, so a new engine resumes where the last one died."""
    while days["next"] <= LAST:  # type: ignore[operator]
        day = days["next"]
        h.run_until(day)  # type: ignore[arg-type]
        for cycle in h.cycles("est-inventering"):
            if cycle.is_closed:
                continue
            for request in h.requests(cycle):
                if (
                    request.status.value != "open"
                    or h.clock.now() >= request.deadline_at
                    or request.requested_at >= day  # made by today's answers: tomorrow
                ):
                    continue
                h.engine.submit(
                    request.id or 0,
                    request.person_id,
                    answer_for(request.step_id, request.person_id, day),
                )
        days["next"] = day + timedelta(days=1)  # type: ignore[operator]
    h.run_until(LAST + timedelta(days=1))


def answer_for(step: str, person: str, day: object) -> dict[str, object]:
    if step == "rapportering":
        return {"inget_att_rapportera": True}
    due = (utc(2027, 4, 30)).date().isoformat()
    return {
        "veckans_bild": "Lugnt.",
        "tidiga_insatser": [
            {"insats": "Se över belysningen", "ansvarig": person, "klart_senast": due}
        ],
    }


def drive(h: Harness, kills: set[int], monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Run the quarter, dying at each flush numbered in `kills`; returns when each death fell."""
    count = {"n": 0}
    deaths: list[object] = []
    original = Work.flush

    def flush(self: Work) -> None:
        count["n"] += 1
        if count["n"] in kills:
            deaths.append(h.clock.now())
            raise Crash()
        original(self)

    monkeypatch.setattr(Work, "flush", flush)
    days: dict[str, object] = {"next": FIRST}
    while True:
        try:
            quarter(h, days)
            monkeypatch.setattr(Work, "flush", original)
            return deaths
        except Crash:  # a new engine process takes over the same database
            h.engine = Engine(h.store, h.clock, engine_id=f"e{len(deaths)}")


def full_signature(h: Harness) -> Counter[tuple[object, ...]]:
    found = signature(h)
    with h.store.reading() as c:
        found.update(
            ("answer", *r)
            for r in c.execute(text("SELECT key, status, answer_version FROM input_requests"))
        )
        found.update(
            ("cycle_outcome", key, outcome, _moment(closed))
            for key, outcome, closed in c.execute(
                text("SELECT key, outcome, closed_at FROM cycle_instances")
            )
        )
        found.update(
            ("action", *r) for r in c.execute(text("SELECT key, status, owner_id FROM actions"))
        )
    return found


def _moment(value: object) -> str | None:
    """A stored moment as text, alike on SQLite (text) and PostgreSQL (timestamptz)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return None if value is None else str(value)


def test_two_dozen_deaths_across_a_quarter_change_nothing(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = packaged()
    reference = fresh(f"sqlite:///{tmp_path}/reference.db", bundle)
    drive(reference, set(), monkeypatch)
    expected = full_signature(reference)
    flushes = _count_flushes(tmp_path, monkeypatch)
    reference.close()
    assert sum(1 for k in expected if k[0] == "action") >= 40  # the quarter did real work

    rng = random.Random(20271)
    for url_maker in (lambda: f"sqlite:///{tmp_path}/killed.db", None):
        kills = set(rng.sample(range(1, flushes), KILLS))
        if url_maker is None:
            with pg_schema_url() as url:
                _check(url, kills, expected, monkeypatch)
        else:
            _check(url_maker(), kills, expected, monkeypatch)


def _check(
    url: str,
    kills: set[int],
    expected: Counter[tuple[object, ...]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = fresh(url, packaged())
    try:
        deaths = drive(h, kills, monkeypatch)
        assert len(deaths) == KILLS
        months = {d.month for d in deaths}  # type: ignore[attr-defined]
        assert months == {1, 2, 3}, f"deaths fell in months {sorted(months)}"
        found = full_signature(h)
        assert found == expected, (
            f"after the deaths: {sorted((found - expected).items())[:6]}; "
            f"uninterrupted: {sorted((expected - found).items())[:6]}"
        )
        assert verify(Application(h.engine, SqlReadModel(h.store.engine))).ok
    finally:
        h.close()


def _count_flushes(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> int:
    h = fresh(f"sqlite:///{tmp_path}/count.db", packaged())
    count = {"n": 0}
    original = Work.flush

    def flush(self: Work) -> None:
        count["n"] += 1
        original(self)

    monkeypatch.setattr(Work, "flush", flush)
    quarter(h, {"next": FIRST})
    monkeypatch.setattr(Work, "flush", original)
    h.close()
    return count["n"]
