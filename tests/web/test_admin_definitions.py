"""The administrator's definition page: a definition in force for a unit, its steps, its state
diagram as inline SVG (role=img, title, desc; no script) and the same transitions as a
table; 404 for what is not in force, 403 for everyone else."""

from __future__ import annotations

import re

from flask import Flask

from tests.harness import Harness
from tests.web.support import ADMIN
from tests.web.test_audit_dashboard import signed_in


def test_a_definition_shows_its_state_diagram_beside_a_table(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, *ADMIN)
    console = client.get("/admin").get_data(as_text=True)
    assert "/admin/definitioner/est-inventering?enhet=surahammar" in console
    response = client.get("/admin/definitioner/est-inventering?enhet=surahammar")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<h1>EST-inventering</h1>" in page and "1 för Surahammars kommun" in page
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img" aria-labelledby="diagram-titel diagram-beskrivning"' in svg
    assert '<title id="diagram-titel">Tillståndsdiagram: EST-inventering</title>' in svg
    assert "4 lägen och 4 övergångar" in svg
    assert svg.count("<rect") == 4 and svg.count("marker-end=") == 3
    assert "Sammanställ veckans bild" in svg and "<script" not in svg and "style=" not in page
    table = page.split("<caption>Övergångar", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    assert rows == [
        ("Rapportera veckans iakttagelser", "alla svar har kommit in", "Sammanställ veckans bild"),
        (
            "Rapportera veckans iakttagelser",
            "sista svarstiden har passerat",
            "Sammanställ veckans bild",
        ),
        ("Sammanställ veckans bild", "beslutet är registrerat", "Avslutad (slutläge)"),
        (
            "Sammanställ veckans bild",
            "sista svarstiden har passerat",
            "Avslutad, svar saknas (slutläge)",
        ),
    ]
    assert '<option value="sala"' in page  # another unit's version is one choice away
    police = client.get("/admin/definitioner/operativ-inriktning").get_data(as_text=True)
    assert "LPO Norra Västmanland" in police and "LOLG-beslut om operativ inriktning" in police


def test_what_is_not_in_force_is_404_and_others_get_403(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, *ADMIN)
    assert client.get("/admin/definitioner/finns-inte").status_code == 404
    assert (
        client.get("/admin/definitioner/est-inventering?enhet=lpo-norra-vastmanland").status_code
        == 404
    )
    assert client.get("/admin/definitioner/est-inventering?enhet=finns-inte").status_code == 404
    auditor = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")
    assert auditor.get("/admin/definitioner/est-inventering").status_code == 403
    assert app.test_client().get("/admin/definitioner/est-inventering").status_code == 302
