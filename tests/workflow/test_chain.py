"""The promise as one chain: inventories build the lägesbild, the EST meeting sees every
inventory since the last one and assigns interventions that are followed up until closed, the
decision in force reaches the operativ inriktning, meetings are booked at opening and never on
a holiday, decisions reach people, and a quarter without a decision is reported as such."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_report import build_audit
from lofte.workflow.application.dashboard import COLUMN_LABELS, DashboardFilter, dashboard
from lofte.workflow.application.exports import export_answers
from lofte.workflow.application.lagesbild_view import lagesbild
from lofte.workflow.application.publication import published
from lofte.workflow.application.visibility import viewer_for
from lofte.workflow.application.yearly_report import report_data
from lofte.workflow.core.records import ActionStatus, Outcome
from tests.conftest import packaged
from tests.harness import MEMORY, Harness, make_harness, utc


def app_of(h: Harness) -> Application:
    return h.app()


def report(h: Harness, unit: str, week: str, rows: list[dict[str, object]]) -> None:
    cycle = h.cycle("est-inventering", unit, week)
    for request in h.requests(cycle, "rapportering"):
        if request.status.value == "open":
            answer = {"iakttagelser": rows} if rows else {"inget_att_rapportera": True}
            h.engine.submit(request.id or 0, request.person_id, answer)


def row(place: str, when: str, category: str = "skadegorelse") -> dict[str, object]:
    """An observation at `place` at `when` (local ISO date and time)."""
    day, _, clock = when.partition("T")
    return {
        "kategori": category,
        "plats": place,
        "omrade": "Centrum",
        "datum": day,
        "klockslag": clock[:5],
        "beskrivning": f"Iakttaget vid {place}.",
    }


def test_lagesbild_counts_equal_exported_rows_and_a_meeting_sees_every_inventory_since_the_last(
    harness: Harness,
) -> None:
    h = harness
    for day, week in ((4, "2027-W01"), (11, "2027-W02"), (18, "2027-W03"), (25, "2027-W04")):
        h.run_until(utc(2027, 1, day, 9))
        report(h, "sala", week, [row(f"Plats {week}", f"2027-01-{day:02d}T21:00")])
        h.run_until(utc(2027, 1, day + 4, 15))  # Sala's meeting (Friday 15:00) has begun
    app = app_of(h)
    viewer = viewer_for(app.directory(), None)
    picture = lagesbild(app, viewer, "sala", date(2027, 1, 4), date(2027, 1, 31))
    exported = list(
        csv.reader(
            io.StringIO(export_answers(app, viewer, "sala", "est-inventering").lstrip("\ufeff")),
            delimiter=";",
        )
    )
    listed = [r for r in exported[1:] if r[exported[0].index("Lista")] == "Iakttagelser"]
    assert picture["total"] == len(listed) == 4 * 5  # five reporters, one row each, four weeks
    assert picture["top_places"][0]["count"] == 5

    def seen(week: str) -> set[str]:
        meeting = h.cycle("est-mote", "sala", week)
        with h.store.unit_of_work() as uow:
            context = uow.contexts.get(meeting.id or 0, "mote")
        assert context is not None
        [part] = next(i for i in context["items"] if i["kind"] == "lagesbild")["parts"]
        return {o["place"] for o in part["observations"]}

    assert seen("2027-W02") == {"Plats 2027-W01", "Plats 2027-W02"}
    assert seen("2027-W04") == {"Plats 2027-W03", "Plats 2027-W04"}  # nothing twice, nothing lost


def test_an_intervention_is_followed_up_at_every_meeting_until_it_is_closed(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 13, 9))
    first = h.cycle("est-mote", "surahammar", "2027-W02")
    h.answer(
        first,
        "mote",
        "anna-sundin",
        {
            "gemensam_lagesbild": "Klotter vid stationen.",
            "insatser": [
                {
                    "insats": "Sanera tunneln",
                    "plats": "Stationen",
                    "ansvarig": "mikael-hed",
                    "klart_senast": "2027-02-15",
                }
            ],
        },
    )
    [action] = h.actions("surahammar")
    assert action.owner_id == "mikael-hed" and h.outbox("action_assigned", "mikael-hed")
    decided = {m.person_id for m in h.outbox("decision") if m.unit_id == "surahammar"}
    assert {"mikael-hed", "anna-sundin", "lena-dahl", "tove-lind"} <= decided
    for week, status in (
        ("2027-W04", "pagar"),
        ("2027-W06", "ej_paborjad"),
        ("2027-W08", "genomford"),
    ):
        h.run_until(_monday(week) + timedelta(hours=2))
        meeting = h.cycle("est-mote", "surahammar", week)
        follow = h.request(meeting, "uppfoljning_insatser", "mikael-hed")
        assert "Sanera tunneln" in follow.subject["title"]
        h.engine.submit(follow.id or 0, "mikael-hed", {"status": status, "effekt": f"Läget {week}"})
    closed = h.actions("surahammar")[0]
    assert closed.status is ActionStatus.DONE and closed.effect == "Läget 2027-W08"
    h.run_until(_monday("2027-W10"))
    later = h.cycle("est-mote", "surahammar", "2027-W10")
    assert not [
        r
        for r in h.requests(later, "uppfoljning_insatser")
        if "Sanera" in r.subject.get("title", "")
    ]


def _monday(week: str) -> datetime:
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return utc(monday.year, monday.month, monday.day, 9)


def test_meetings_are_booked_at_opening_and_moved_off_holidays(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 7, 1))
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    invites = [m for m in h.outbox("meeting_invite") if m.instance_id == lolg.id]
    assert invites and {m.created_at for m in invites} == {utc(2027, 1, 4, 7)}  # with the opening
    # Wednesday 6 January is Trettondedag jul: the LOLG meeting moves to Thursday 09:00.
    assert {m.context["starts_at"] for m in invites} == {"2027-01-07T08:00:00+00:00"}


def test_catch_up_after_thirty_days_sends_nothing_stale_and_tells_each_coordinator_once(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    before = {m.key for m in h.outbox()}
    h.clock.set(utc(2027, 2, 4, 9))  # the engine was down for a month
    h.engine.ensure_schedule()
    while h.engine.run_due():
        pass
    new = [m for m in h.outbox() if m.key not in before]
    sendable = [m for m in new if m.status.value == "pending"]
    for message in sendable:
        if message.kind.value in ("input_request", "reminder"):
            assert message.valid_until is None or message.valid_until > h.clock.now(), message.key
        if message.kind.value.startswith("meeting"):
            assert message.context["starts_at"] > h.clock.now().isoformat(), message.key
    notices = [m for m in new if m.kind.value == "catch_up"]
    assert sorted(m.person_id for m in notices) == sorted(
        ["lars-berg", "anna-sundin", "jonas-ek", "sofia-berg", "david-nyman", "malin-frost"]
    )
    assert all(m.context["items"] for m in notices)


def test_an_escalation_never_goes_to_a_person_who_is_missing_too(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    sala = h.cycle("est-inventering", "sala", "2027-W01")
    for person in ("maria-holm", "johan-sjo", "nils-aberg", "tove-lind"):
        h.answer(sala, "rapportering", person, {"inget_att_rapportera": True})
    # Only the coordinator, Lars Berg, has not reported; he is also the escalation role.
    h.run_until(utc(2027, 1, 7, 12))
    escalations = [m for m in h.outbox("escalation") if m.unit_id == "sala"]
    assert all(m.person_id != "lars-berg" for m in escalations)
    assert "escalated" in h.events(sala)


def test_a_quarter_without_a_decision_follows_up_nothing_asks_nobody_publishes_nothing() -> None:
    h = make_harness(MEMORY, utc(2027, 2, 13), packaged())
    try:
        h.run_until(utc(2027, 3, 1))
        follow_up = h.cycle("uppfoljning", "norberg", "2027-Q1")
        assert follow_up.outcome is Outcome.NO_BASIS
        assert follow_up.closed_at == follow_up.opened_at  # it closes as it opens
        assert "basis_missing" in h.events(follow_up)
        assert h.requests(follow_up) == []  # nobody is asked for a summary of nothing
        asked = [m for m in h.outbox() if m.instance_id == follow_up.id]
        assert [m.kind.value for m in asked] == ["cycle_summary"]  # the chair is told, once
        assert asked[0].context["outcome"] == "no_basis"
        app = app_of(h)
        assert published(app, "norberg") == []
        auditor = viewer_for(app.directory(), "ulla-revisor")
        report = build_audit(app, auditor, unit_ids=["norberg"])
        line = next(c for c in report.lines if c.instance.id == follow_up.id)
        assert line.outcome == "avslutad – inget beslut att följa upp" and not line.missing
        board = dashboard(app, auditor, DashboardFilter(unit_id="norberg"))
        [row] = [r for r in board.rows if r.title.startswith("Uppföljning")]
        assert (row.counts["no_basis"], row.counts["incomplete"], row.counts["late"]) == (1, 0, 0)
        assert COLUMN_LABELS["no_basis"] == "Inget att följa upp"
        year = report_data(app, auditor, "norberg", 2027)["completion"]
        [counted] = [c for c in year if c["title"].startswith("Uppföljning")]
        assert counted["outcomes"] == [("avslutad – inget beslut att följa upp", 1)]
    finally:
        h.close()
