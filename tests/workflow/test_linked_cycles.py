"""The cycles that feed each other: EST meeting interventions, the quarterly decision, its
follow-up, and the operativ inriktning with its sensitive content."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.conftest import Harness, make_harness
from tests.helpers import completion, instance, outbox, request_of, requests, utc
from workflow.records import Outcome


def test_est_meeting_interventions_are_followed_up_by_their_owners(harness: Harness) -> None:
    h = harness
    h.run_until(utc(2027, 1, 11, 8))
    first = instance(h, "est-mote", "2027-W02")
    # Nothing to follow up at the first meeting: that step completes by itself.
    assert first.state == "mote"
    h.engine.submit(
        request_of(h, first, "mote", "lars-berg").id or 0,
        "lars-berg",
        {
            "gemensam_lagesbild": "Klotter och otrygghet vid stationen.",
            "insatser": [
                {
                    "insats": "Laga belysningen",
                    "plats": "Gångtunneln",
                    "ansvarig": "maria-holm",
                    "klart_senast": "2027-01-20",
                },
                {
                    "insats": "Extra närvaro fredagkvällar",
                    "plats": "Stationen",
                    "ansvarig": "nils-aberg",
                    "klart_senast": "2027-01-22",
                },
            ],
        },
    )
    assert instance(h, "est-mote", "2027-W02").outcome is Outcome.COMPLETED_ON_TIME

    h.run_until(utc(2027, 1, 25, 8))
    second = instance(h, "est-mote", "2027-W04")
    follow_ups = requests(h, second, "uppfoljning_insatser")
    assert [r.person_id for r in follow_ups] == ["maria-holm", "nils-aberg"]
    assert follow_ups[0].subject["values"]["Insats"] == "Laga belysningen"

    h.engine.submit(follow_ups[0].id or 0, "maria-holm", {"status": "genomförd enligt plan"})
    h.engine.submit(
        follow_ups[1].id or 0,
        "nils-aberg",
        {"status": "ändrad", "hur_och_varfor": "Flyttad till lördagar."},
    )
    assert instance(h, "est-mote", "2027-W04").state == "mote"


def test_decision_commitments_become_follow_up_requests_to_each_owner(db_url: str) -> None:
    h = make_harness(db_url, datetime(2026, 11, 25, tzinfo=UTC))
    try:
        h.run_until(utc(2026, 12, 1, 8))
        decision = instance(h, "inriktningsbeslut", "2027-Q1")
        analysts = requests(h, decision, "analys")
        assert sorted(r.person_id for r in analysts) == ["lars-berg", "peter-nord"]
        for r in analysts:
            h.engine.submit(
                r.id or 0,
                r.person_id,
                {"storst_behov": "Centrum kvällstid", "storst_paverkan": "Stationsområdet"},
            )
        h.engine.submit(
            request_of(h, decision, "beslut", "karin-ek").id or 0,
            "karin-ek",
            {
                "prioriteringar": "Trygghet i centrum",
                "kommunens_ataganden": [
                    {
                        "atagande": "Belysning i gångtunnlar",
                        "problemomrade": "Otrygga platser",
                        "ansvarig": "maria-holm",
                    }
                ],
                "polisens_ataganden": [
                    {
                        "atagande": "Riktad närvaro vid stationen",
                        "problemomrade": "Ordningsstörningar",
                        "ansvarig": "nils-aberg",
                    }
                ],
                "publiceras": True,
            },
        )
        assert instance(h, "inriktningsbeslut", "2027-Q1").outcome is Outcome.COMPLETED_ON_TIME

        # The operativ inriktning of the quarter shows the decision as its prioritised part.
        h.run_until(utc(2027, 1, 4, 8))
        lolg = instance(h, "operativ-inriktning", "2027-W01")
        prioritised = lolg.context["inriktningsbeslut"]
        assert prioritised["period_label"] == "kvartal 1 2027"
        assert prioritised["answers"][0]["prioriteringar"] == "Trygghet i centrum"

        h.run_until(utc(2027, 2, 15, 8))
        follow_up = instance(h, "uppfoljning", "2027-Q1")
        asked = requests(h, follow_up, "ataganden")
        assert [(r.person_id, r.subject["values"]["Åtagande"]) for r in asked] == [
            ("maria-holm", "Belysning i gångtunnlar"),
            ("nils-aberg", "Riktad närvaro vid stationen"),
        ]
        for r in asked:
            h.engine.submit(
                r.id or 0,
                r.person_id,
                {"status": "genomfört", "vad_som_gjorts": "Klart", "effekt": "Färre anmälningar"},
            )
        h.engine.submit(
            request_of(h, follow_up, "sammanfattning", "lars-berg").id or 0,
            "lars-berg",
            {"sammanfattning": "Båda åtagandena genomförda.", "resultat_publiceras": True},
        )
        done = instance(h, "uppfoljning", "2027-Q1")
        assert done.outcome is Outcome.COMPLETED_ON_TIME and completion(h, done).missing == ()
    finally:
        h.store.engine.dispose()


def test_operativ_inriktning_asks_each_role_its_part_and_keeps_names_out_of_messages(
    harness: Harness,
) -> None:
    h = harness
    h.run_until(utc(2027, 1, 4, 7))
    lolg = instance(h, "operativ-inriktning", "2027-W01")
    asked = requests(h, lolg, "uppfoljning")
    assert len(asked) == 7  # two group chiefs and the five kommunpoliser
    for r in asked:
        if "gruppchef" in r.roles:
            answer = {"antal_insatser": 12, "kvalitativ_uppfoljning": "Bra effekt i centrum"}
        else:
            answer = {"aterkoppling_kommun": "Kommunen ser färre klotterfall"}
        h.engine.submit(r.id or 0, r.person_id, answer)
    secret = "Kalle Kriminell (f. 1999)"
    decision = request_of(h, lolg, "beslut", "peter-nord")
    h.engine.submit(
        decision.id or 0,
        "peter-nord",
        {
            "brottsfenomen": "Narkotikaförsäljning",
            "platser": "Stationen",
            "namngivna_personer": secret,
            "motivering": "Ökning senaste veckorna",
        },
    )
    assert instance(h, "operativ-inriktning", "2027-W01").outcome is Outcome.COMPLETED_ON_TIME
    everything_sent = json.dumps([m.context for m in outbox(h)], ensure_ascii=False)
    assert secret not in everything_sent
    assert "Narkotikaförsäljning" not in everything_sent  # no answers in messages at all
    request_fields = [f["id"] for f in outbox(h, "input_request")[-1].context["fields"]]
    assert request_fields == ["brottsfenomen", "platser", "namngivna_personer", "motivering"]
