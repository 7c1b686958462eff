"""The year's "Lägesbild och åtgärdsplan" (Lag 2023:196, 4 §): the promise, then the four
parts in order; each action with what it targets, its baseline and its latest count; a police
area's report combines its municipalities, its total the sum of theirs."""

from __future__ import annotations

import re

from lofte.workflow.application.yearly_report import render_report, report_data
from tests.harness import Harness, utc
from tests.workflow.test_effect import decided, seen


def test_the_report_has_the_laws_four_parts_and_every_actions_numbers(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    decided(h)
    h.run_until(utc(2027, 3, 22, 8))
    week = h.cycle("est-inventering", "sala", "2027-W12")
    h.answer(
        week,
        "rapportering",
        "nils-aberg",
        {"iakttagelser": [seen("klotter", "Torget", "2027-03-22")]},
    )
    h.run_until(utc(2027, 4, 5, 12))
    app = h.app()
    html = render_report(report_data(app, app.viewer(None), "sala", 2027))
    headings = re.findall(r"<h2 id=\"([a-z]+)\"", html)
    assert headings == ["medborgarloftet", "kartlaggning", "analys", "atgarder", "uppfoljning"]
    assert "<title>Lägesbild och åtgärdsplan 2027 – Sala kommun</title>" in html
    assert "klotter vid Torget" in html
    assert "3 iakttagelser de 12 veckorna före beslutet (0,2 per vecka)" in html
    assert "1 iakttagelse på 3 veckor sedan beslutet" in html
    assert 'counter(page) " av " counter(pages)' in html  # page numbers when printed

    area = report_data(app, app.viewer(None), "lpo-norra-vastmanland", 2027)
    sala = report_data(app, app.viewer(None), "sala", 2027)
    assert area["per_unit"][0]["name"] == "Sala kommun"
    assert area["lagesbild"]["total"] == sum(u["total"] for u in area["per_unit"])
    assert area["per_unit"][0]["total"] == sala["lagesbild"]["total"] > 0
    assert {a.action.id for a in sala["actions"]} <= {a.action.id for a in area["actions"]}
    shown = render_report(area)
    assert '<th scope="col">Kommun</th>' in shown and "Norbergs kommun" in shown
