"""English of the texts around an action's numbers (baseline, latest count, per week)."""

from __future__ import annotations

EFFECT: dict[str, str] = {
    "Räknas": "Counted",
    "Senaste läge": "Latest",
    "Utgångsläge (angivet)": "Baseline (as typed)",
    "inget mål angivet": "no target given",
    "Iakttagelser per vecka": "Observations per week",
    "Det som räknas, vecka för vecka: de 12 veckorna före beslutet och veckorna sedan.": (
        "What is counted, week by week: the 12 weeks before the decision and the weeks since."
    ),
    "Vecka": "Week",
    "Välj ett åtagande": "Choose a commitment",
}
