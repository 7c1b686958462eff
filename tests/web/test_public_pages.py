"""The public pages show only fields marked for publication: a marker is submitted into every
field of a published decision (marked and unmarked, columns included) and every public page and
the Atom feed are searched for them. Nothing needs signing in; an unknown unit is a 404 page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from flask import Flask

from lofte.definitions.fields import BooleanField, ChoiceField, DateField, PersonField, RowsField
from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.workflow.application.app import Application
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc


def marked_answer(h: Harness, publish: bool) -> tuple[dict[str, Any], set[str], set[str]]:
    """An answer to Sala's decision with a marker in every text field: (answer, markers that
    may be published, markers that never may)."""
    step = h.engine.catalog.cached("inriktningsbeslut", "sala", 1)
    assert step is not None
    decision = step.step("beslut")
    allowed, forbidden = set(), set()
    answer: dict[str, Any] = {}

    def value(spec: Any, marker: str, shown: bool) -> Any:
        if isinstance(spec, PersonField):
            return "karin-ek" if spec.party in (None, "kommun") else "nils-aberg"
        if isinstance(spec, DateField):
            return "2027-03-31"
        if isinstance(spec, ChoiceField):  # what an åtagande targets: an option, not a text
            first = spec.options[0].value
            return [first] if spec.multiple else first
        (allowed if shown else forbidden).add(marker)
        return marker

    for spec in decision.fields:
        if isinstance(spec, BooleanField):
            answer[spec.id] = publish
        elif isinstance(spec, RowsField):
            answer[spec.id] = [
                {
                    c.id: value(c, f"MARK-{spec.id}-{c.id}-{publish}", spec.publish and c.publish)
                    for c in spec.columns
                }
            ]
        else:
            answer[spec.id] = value(spec, f"MARK-{spec.id}-{publish}", spec.publish)
    return answer, allowed, forbidden


def decide(tmp_path: Path, publish: bool) -> tuple[Harness, Flask, set[str], set[str]]:
    h = make_harness(f"sqlite:///{tmp_path}/public.db", utc(2026, 11, 30), packaged())
    h.run_until(utc(2026, 12, 1, 9))
    cycle = h.cycle("inriktningsbeslut", "sala", "2027-Q1")
    for request in h.requests(cycle, "analys"):
        h.engine.submit(
            request.id or 0,
            request.person_id,
            {"storst_behov": "MARK-analys", "storst_paverkan": "MARK-analys"},
        )
    h.run_until(utc(2026, 12, 22, 10))
    answer, allowed, forbidden = marked_answer(h, publish)
    forbidden.add("MARK-analys")
    h.answer(cycle, "beslut", "karin-ek", answer)
    app = create_app(
        Application(h.engine, SqlReadModel(h.store.engine)), SqlWebAccess(h.store.engine)
    )
    return h, app, allowed, forbidden


def public_texts(app: Flask) -> dict[str, str]:
    client = app.test_client()
    paths = ["/publikt/", "/publikt/sala", "/publikt/sala/flode.atom", "/publikt/surahammar"]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    return pages


def test_only_fields_marked_for_publication_reach_the_pages_and_the_feed(tmp_path: Path) -> None:
    h, app, allowed, forbidden = decide(tmp_path, publish=True)
    try:
        pages = public_texts(app)
        everything = "\n".join(pages.values())
        assert allowed and all(marker in pages["/publikt/sala"] for marker in allowed)
        assert all(marker in pages["/publikt/sala/flode.atom"] for marker in allowed)
        assert not [m for m in forbidden if m in everything]
        assert "Sala kommun" in pages["/publikt/"] and "/publikt/surahammar" in pages["/publikt/"]
        assert "kvartal 1 2027" in pages["/publikt/sala"].lower()
        assert "MARK" not in pages["/publikt/surahammar"]
        feed = ElementTree.fromstring(pages["/publikt/sala/flode.atom"])
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == 1
    finally:
        h.close()


def test_a_decision_not_marked_for_publication_is_not_shown(tmp_path: Path) -> None:
    h, app, _, _ = decide(tmp_path, publish=False)
    try:
        everything = "\n".join(public_texts(app).values())
        assert "MARK" not in everything
        assert "Inget är publicerat ännu" in everything
    finally:
        h.close()


def test_unknown_units_and_police_areas_have_no_public_page(tmp_path: Path) -> None:
    h, app, _, _ = decide(tmp_path, publish=True)
    try:
        client = app.test_client()
        for path in (
            "/publikt/finns-inte",
            "/publikt/lpo-norra-vastmanland",
            "/publikt/" + "x" * 500,
        ):
            response = client.get(path)
            assert response.status_code == 404 and "Sidan finns inte" in response.get_data(
                as_text=True
            )
    finally:
        h.close()


def test_a_published_decision_has_a_name_of_its_own_and_the_feed_a_line_per_row(
    tmp_path: Path,
) -> None:
    h, app, _, _ = decide(tmp_path, publish=True)
    try:
        pages = public_texts(app)
        assert ">Inriktningsbeslut för kvartalet</h3>" in pages["/publikt/sala"]
        assert "Registrera" not in "\n".join(pages.values())  # never the step's instruction
        feed = ElementTree.fromstring(pages["/publikt/sala/flode.atom"])
        atom = "{http://www.w3.org/2005/Atom}"
        entry = feed.findall(f"{atom}entry")[0]
        assert entry.findtext(f"{atom}title", "").startswith("Inriktningsbeslut för kvartalet (")
        lines = entry.findtext(f"{atom}content", "").splitlines()
        rows = [line for line in lines if line.startswith("- ")]
        assert len(rows) == 2, lines  # the municipality's and the police's commitment
        assert not [line for line in lines if ".- " in line or line.count(" – ") > 1]
    finally:
        h.close()
