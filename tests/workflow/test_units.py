"""A police area and its five municipalities in one deployment: each municipality runs its own
promise, the police area its operativ inriktning, and overrides touch only their unit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.kernel.errors import SubmissionError
from tests.conftest import packaged
from tests.harness import MEMORY, Harness, make_harness, people, utc

MUNICIPALITIES = ["fagersta", "norberg", "sala", "skinnskatteberg", "surahammar"]


def test_every_municipality_opens_its_own_inventory_asking_only_its_own_reporters(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 8))
    weeks = {c.unit_id: c for c in h.cycles("est-inventering")}
    assert sorted(weeks) == MUNICIPALITIES
    assert people(h.requests(weeks["surahammar"], "rapportering")) == [
        "anna-sundin",
        "lena-dahl",
        "mikael-hed",
        "tove-lind",
    ]
    assert people(h.requests(weeks["skinnskatteberg"], "rapportering")) == [
        "david-nyman",
        "omar-said",
    ]
    # Tove Lind reports for both Sala and Surahammar: one request in each municipality's cycle.
    assert "tove-lind" in people(h.requests(weeks["sala"], "rapportering"))
    subjects = {m.context["cycle"]["unit_name"] for m in h.outbox("input_request", "tove-lind")}
    assert subjects == {"Sala kommun", "Surahammars kommun"}


def test_the_police_area_asks_each_kommunpolis_about_their_own_municipality(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 7))
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    asked = h.requests(lolg, "uppfoljning")
    about = sorted((r.person_id, r.subject.get("unit", "")) for r in asked)
    assert about == [
        ("anders-vik", ""),
        ("ida-falk", "fagersta"),
        ("lena-dahl", "surahammar"),
        ("nils-aberg", "sala"),
        ("omar-said", "norberg"),
        ("omar-said", "skinnskatteberg"),
        ("sara-strand", ""),
    ]
    # Feedback for Surahammar is asked of Surahammar's kommunpolis only, in the fields for
    # kommunpolis.
    lena = h.request(lolg, "uppfoljning", "lena-dahl")
    with pytest.raises(SubmissionError):
        h.engine.submit(lena.id or 0, "lena-dahl", {"antal_insatser": 3})
    h.engine.submit(lena.id or 0, "lena-dahl", {"aterkoppling_kommun": "Lugnt i Surahammar."})


def test_the_lolg_shows_each_municipalitys_decision_in_force() -> None:
    h = make_harness(MEMORY, utc(2026, 11, 30), packaged())
    try:
        h.run_until(utc(2026, 12, 1, 9))
        decided = ["sala", "surahammar", "norberg", "fagersta"]  # Skinnskatteberg takes no decision
        chairs = {
            "sala": "karin-ek",
            "surahammar": "goran-blom",
            "norberg": "birgitta-alm",
            "fagersta": "hans-rask",
        }
        for unit in decided:
            cycle = h.cycle("inriktningsbeslut", unit, "2027-Q1")
            for request in h.requests(cycle, "analys"):
                h.engine.submit(
                    request.id or 0,
                    request.person_id,
                    {"storst_behov": f"Centrum i {unit}", "storst_paverkan": "Stationen"},
                )
        h.run_until(utc(2026, 12, 22, 10))
        for unit in decided:
            cycle = h.cycle("inriktningsbeslut", unit, "2027-Q1")
            h.answer(cycle, "beslut", chairs[unit], _decision(h, unit))
        h.run_until(utc(2027, 1, 4, 7, 30))
        lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
        with h.store.unit_of_work() as uow:
            context = uow.contexts.get(lolg.id or 0, "uppfoljning")
        assert context is not None
        decisions = next(i for i in context["items"] if i["kind"] == "decision_in_force")
        by_unit = {e["unit_name"]: e for e in decisions["entries"]}
        assert set(by_unit) == {
            "Sala kommun",
            "Surahammars kommun",
            "Norbergs kommun",
            "Fagersta kommun",
            "Skinnskattebergs kommun",
        }
        assert by_unit["Skinnskattebergs kommun"]["missing"] is True
        surahammar = {f["id"]: f for f in by_unit["Surahammars kommun"]["fields"]}
        assert surahammar["prioriteringar"]["value"]["sv"] == "Trygghet i surahammar"
        assert by_unit["Surahammars kommun"]["period"] == "2027-Q1"
        requests = h.outbox("input_request", "lena-dahl")
        assert any(m.context.get("has_context") for m in requests)
    finally:
        h.close()


def _decision(h: Harness, unit: str) -> dict[str, object]:
    municipal = {
        "sala": "lars-berg",
        "surahammar": "anna-sundin",
        "norberg": "jonas-ek",
        "fagersta": "sofia-berg",
    }
    police = {
        "sala": "nils-aberg",
        "surahammar": "lena-dahl",
        "norberg": "omar-said",
        "fagersta": "ida-falk",
    }
    return {
        "prioriteringar": f"Trygghet i {unit}",
        "kommunens_ataganden": [
            {
                "atagande": "Belysning",
                "problemomrade": "Centrum",
                "ansvarig": municipal[unit],
                "klart_senast": "2027-03-31",
            }
        ],
        "polisens_ataganden": [
            {
                "atagande": "Närvaro",
                "problemomrade": "Stationen",
                "ansvarig": police[unit],
                "klart_senast": "2027-03-31",
            }
        ],
        "publiceras": True,
    }


def test_person_fields_offer_only_people_of_the_unit_and_party(memory_harness: Harness) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 8))
    h.run_until(utc(2027, 1, 8, 9))
    surahammar = h.cycle("est-inventering", "surahammar", "2027-W01")
    decide = h.request(surahammar, "sammanstallning", "anna-sundin")
    outsider = {"insats": "Städa", "ansvarig": "lars-berg", "klart_senast": "2027-01-20"}  # Sala's
    with pytest.raises(SubmissionError) as refused:
        h.engine.submit(
            decide.id or 0, "anna-sundin", {"veckans_bild": "Lugnt.", "tidiga_insatser": [outsider]}
        )
    assert "tidiga_insatser[0].ansvarig" in str(refused.value)
    h.engine.submit(
        decide.id or 0,
        "anna-sundin",
        {"veckans_bild": "Lugnt.", "tidiga_insatser": [outsider | {"ansvarig": "mikael-hed"}]},
    )


def test_surahammars_override_changes_only_surahammars_next_opening(
    tmp_path: Path, memory_harness: Harness
) -> None:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    folder = tmp_path / "setup"
    shutil.copytree(PACKAGED_DIR, folder)
    org_file = folder / "organisation.yaml"
    org = yaml.safe_load(org_file.read_text(encoding="utf-8"))
    surahammar = next(
        m for m in org["police_areas"][0]["municipalities"] if m["id"] == "surahammar"
    )
    surahammar["overrides"] = {"est-inventering": {"cadence": {"every": "P2W"}}}
    org_file.write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
    changes = h.engine.register(load_bundle([folder]))
    assert changes == [
        "organisationen: ny version",
        "est-inventering för Surahammars kommun: version 2 (nästa öppning räknas om)",
    ]
    h.run_until(utc(2027, 1, 19))
    surahammar_weeks = [
        (c.period_key, c.definition_version) for c in h.cycles("est-inventering", "surahammar")
    ]
    sala_weeks = [(c.period_key, c.definition_version) for c in h.cycles("est-inventering", "sala")]
    assert surahammar_weeks == [("2027-W01", 1), ("2027-W03", 2)]
    assert sala_weeks == [("2027-W01", 1), ("2027-W02", 1), ("2027-W03", 1)]
