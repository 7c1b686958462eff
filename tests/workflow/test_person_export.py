"""What `lofte person export` gives (GDPR art. 15): a sensitive value is marked, counted and
never decrypted; the views of sensitive values a person made are listed; the export itself is
in the audit log; after the person left and their records were pseudonymised, they are still
found."""

from __future__ import annotations

import json
from datetime import timedelta

from lofte.kernel.durations import IsoDuration
from lofte.workflow.application.person_export import PROTECTED, export_person
from lofte.workflow.application.person_export_page import render_person_export
from lofte.workflow.application.show import show_cycle
from lofte.workflow.application.visibility import viewer_for
from lofte.workflow.core.people import remove_person
from tests.harness import Harness, utc

LOLG_DECISION = {
    "brottsfenomen": "Bostadsinbrott",
    "platser": "Centrum",
    "motivering": "Ökning",
    "namngivna_personer": "Kalle Anka, född 1934",
}


def test_sensitive_values_are_marked_not_shown_and_views_are_listed(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 1, 6, 9))
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    h.answer(lolg, "beslut", "peter-nord", LOLG_DECISION)
    app = h.app()
    show_cycle(app, viewer_for(app.directory(), "sara-strand"), lolg.id or 0)

    chief = export_person(app, "peter-nord", "ulla-revisor")
    text = json.dumps(chief, ensure_ascii=False) + render_person_export(chief)
    assert "Kalle" not in text  # never decrypted
    [decision] = [r for r in chief["requests"] if r["step"] == "beslut"]
    assert decision["answer"]["brottsfenomen"] == "Bostadsinbrott"
    assert decision["sensitive_values"]["value"] == PROTECTED
    assert decision["sensitive_values"]["state"] == "sparat"
    assert chief["sensitive"]["held"] == 1 and chief["sensitive"]["erased"] == 0
    assert PROTECTED in render_person_export(chief)

    viewer = export_person(app, "sara-strand", "ulla-revisor")
    assert [v["cycle_id"] for v in viewer["sensitive_views"]] == [lolg.id]
    exported = [e for e in h.audit() if e.event == "person_exported"]
    assert [(e.actor, e.detail["person"]) for e in exported] == [
        ("ulla-revisor", "peter-nord"),
        ("ulla-revisor", "sara-strand"),
    ]

    h.run_until(h.clock.now() + timedelta(days=91))  # the sensitive retention
    chief = export_person(app, "peter-nord", "ulla-revisor")
    assert (chief["sensitive"]["held"], chief["sensitive"]["erased"]) == (0, 1)
    [again] = [r for r in chief["requests"] if r["request_id"] == decision["request_id"]]
    assert again["sensitive_values"]["state"] == "raderat"


def test_someone_who_left_is_found_under_their_pseudonym(memory_harness: Harness) -> None:
    h = memory_harness
    h.engine.personal_retention = IsoDuration.parse("P7D")
    h.run_until(utc(2027, 1, 5, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    h.answer(week, "rapportering", "johan-sjo", {"inget_att_rapportera": True})
    h.engine.act("administrator", lambda work: remove_person(work, "johan-sjo"))
    h.run_until(utc(2027, 2, 1, 9))  # the week closed and its retention ended

    found = export_person(h.app(), "johan-sjo", "administrator")
    alias = found["person"]["pseudonym"]
    assert found["person"]["name"] == "Johan Sjö" and found["roles"] == []
    answered = [r for r in found["requests"] if r["status"] == "answered"]
    assert [r["as"] for r in answered] == [alias]
    assert answered[0]["answer"] == {"inget_att_rapportera": True}
