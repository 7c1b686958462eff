"""Uploading changed definition and organisation files in the administrator's console: checked
together with the setup in force exactly as `lofte definitions validate` checks a folder;
every problem shown with file, line and field (422) and nothing stored; otherwise the new
versions registered (audited with the administrator) and listed. Names, sizes and encodings
are refused clearly; the form needs its CSRF token and the administrator."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lofte.definitions.loader import PACKAGED_DIR
from lofte.storage import rows
from lofte.storage.tables import VersionRow
from tests.harness import Harness
from tests.web.support import ADMIN
from tests.web.test_audit_dashboard import csrf_of, signed_in


def packaged_file(name: str) -> str:
    return (PACKAGED_DIR / name).read_text(encoding="utf-8")


def upload(client: FlaskClient, files: dict[str, bytes | str], token: str | None = None) -> Any:
    data: dict[str, Any] = {
        "filer": [
            (io.BytesIO(body.encode() if isinstance(body, str) else body), name)
            for name, body in files.items()
        ]
    }
    if token is not None:
        data["csrf_token"] = token
    return client.post("/admin/uppsattning", data=data, content_type="multipart/form-data")


def admin(h: Harness, app: Flask) -> tuple[FlaskClient, str]:
    client = signed_in(h, app, *ADMIN)
    return client, csrf_of(client, "/admin")


def stored(h: Harness) -> tuple[object, ...]:
    """Every registered version, the audit log and the pending timers: what must not change."""
    versions = rows.table(VersionRow)
    with h.store.reading() as c:
        registered = [tuple(r) for r in c.execute(select(versions)).all()]
    return (registered, [(e.seq, e.event) for e in h.audit()], len(h.timers("pending")))


def problems_of(page: str) -> list[tuple[str, str, str, str]]:
    """(file, line, field, message) of each problem listed."""
    listed = page.split('<ul class="problems"', 1)[1].split("</ul>", 1)[0]
    return re.findall(
        r"<li><strong>(.*?)</strong>(?:, rad (\d+))?(?:, fält <code>(.*?)</code>)?: (.*?)</li>",
        listed,
        re.S,
    )


def test_a_changed_definition_is_registered_and_what_changed_is_shown(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    assert 'enctype="multipart/form-data"' in client.get("/admin").get_data(as_text=True)
    form = client.get("/admin/uppsattning")
    assert form.status_code == 200 and 'type="file" id="filer" name="filer" multiple' in (
        form.get_data(as_text=True)
    )
    changed = packaged_file("est-inventering.yaml").replace(
        "title: {sv: EST-inventering,", "title: {sv: EST-inventering (ny),"
    )
    assert changed != packaged_file("est-inventering.yaml")
    response = upload(client, {"est-inventering.yaml": changed}, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Inläst: est-inventering.yaml" in page and "est-inventering: ny mall" in page
    for unit in ("Sala kommun", "Surahammars kommun", "Norbergs kommun"):
        assert f"est-inventering för {unit}: version 2" in page
    assert "est-mote" not in page.split("Det här fick en ny version", 1)[1]
    event = h.audit()[-1]
    assert (event.event, event.actor) == ("setup_loaded", "admin")
    assert "EST-inventering (ny)" in client.get("/admin").get_data(as_text=True)
    before = stored(h)
    again = upload(client, {"est-inventering.yaml": changed}, token).get_data(as_text=True)
    assert "Inga ändringar" in again and stored(h) == before


def test_a_changed_organisation_reschedules_only_what_it_changes(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    org = packaged_file("organisation.yaml").replace(
        "location: Kommunhuset Surahammar,",
        "location: Kommunhuset Surahammar, overrides: {est-inventering: {cadence: {every: P2W}}},",
    )
    page = upload(client, {"organisation.yaml": org}, token).get_data(as_text=True)
    assert "organisationen: ny version" in page
    assert "est-inventering för Surahammars kommun: version 2 (nästa öppning räknas om)" in page
    assert "Sala kommun" not in page.split("Det här fick en ny version", 1)[1]


def test_a_yaml_syntax_error_is_shown_with_file_and_line_and_nothing_is_stored(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    before = stored(h)
    broken = packaged_file("est-mote.yaml").replace(
        "title: {sv: EST-möte, en: EST meeting}", "title: {sv: EST-möte, en: EST meeting"
    )
    response = upload(client, {"est-mote.yaml": broken}, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="felsammanfattning"' in page and "Inget lästes in" in page
    (problem,) = problems_of(page)
    assert problem[0] == "est-mote.yaml" and problem[1].isdigit() and int(problem[1]) >= 5
    assert stored(h) == before


def test_semantic_errors_in_several_files_are_all_shown_with_file_line_and_field(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    before = stored(h)
    too_long = packaged_file("est-mote.yaml").replace("P1DT3H", "P99999999Y")
    nowhere = packaged_file("uppfoljning.yaml").replace(
        "{from: sammanfattning, event: decided, to: completed}",
        "{from: sammanfattning, event: decided, to: klart}",
    )
    response = upload(client, {"est-mote.yaml": too_long, "uppfoljning.yaml": nowhere}, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    found = problems_of(page)
    assert {p[0] for p in found} == {"est-mote.yaml", "uppfoljning.yaml"}, found
    deadline = next(p for p in found if p[0] == "est-mote.yaml")
    assert deadline[1] == "32" and deadline[2] == "steps[0].deadline" and "för lång" in deadline[3]
    transition = next(p for p in found if p[0] == "uppfoljning.yaml")
    assert transition[1] == "75" and transition[2] == "transitions[2].to"
    assert "'klart' är varken ett steg eller ett slutläge" in transition[3].replace("&#39;", "'")
    unknown_role = packaged_file("uppfoljning.yaml").replace(
        "chair_role: samordnare", "chair_role: finns-inte"
    )
    response = upload(client, {"uppfoljning.yaml": unknown_role}, token)
    (chair,) = problems_of(response.get_data(as_text=True))
    assert chair[0] == "uppfoljning.yaml" and chair[1].isdigit() and chair[2] == "chair_role"
    assert response.status_code == 422 and stored(h) == before


def test_an_organisation_is_checked_against_the_definitions_in_force(
    web: tuple[Harness, Flask],
) -> None:
    """Surahammar without a coordinator: the stored definitions that need one say so."""
    h, app = web
    client, token = admin(h, app)
    before = stored(h)
    org = packaged_file("organisation.yaml").replace(
        "roles: {surahammar: [samordnare, est-rapportor, styrgrupp]}",
        "roles: {surahammar: [est-rapportor, styrgrupp]}",
    )
    response = upload(client, {"organisation.yaml": org}, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    found = problems_of(page)
    assert found and all(p[0].endswith(".yaml (nuvarande)") for p in found), found
    assert any("i Surahammars kommun har ingen rollen" in p[3] and p[1].isdigit() for p in found)
    assert stored(h) == before


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"est-mote.txt": "name: x"}, "<strong>est-mote.txt</strong>: är ingen YAML-fil"),
        ({"EST möte.yaml": "name: x"}, "filnamnet går inte att använda"),
        ({"est-mote.yaml": b"name: est-m\xf6te\n"}, "inte UTF-8-text"),
        ({"est-mote.yaml": b"#" * 1_000_001}, "filen är för stor (1.0 MB; högst 1.0 MB per fil)"),
        ({"": b""}, "välj minst en fil"),
        (
            {"kopia.yaml": packaged_file("est-mote.yaml")},
            "namnet &#39;est-mote&#39; används redan av est-mote.yaml (nuvarande)",
        ),
        (
            {"annan.yaml": packaged_file("est-mote.yaml").replace("name: est-mote", "name: ny")},
            "definitionen heter &#39;ny&#39; men filen annan.yaml; döp filen till ny.yaml",
        ),
    ],
)
def test_wrong_files_are_refused_clearly_and_nothing_is_stored(
    web: tuple[Harness, Flask], files: dict[str, bytes | str], says: str
) -> None:
    h, app = web
    client, token = admin(h, app)
    before = stored(h)
    response = upload(client, files, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and says in page, page[-3000:]
    assert stored(h) == before


def test_an_upload_too_large_altogether_is_refused_in_swedish(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client, token = admin(h, app)
    before = stored(h)
    files = {f"fil-{n}.yaml": b"#" * 900_000 for n in range(5)}
    response = upload(client, files, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "högst 4.0 MB sammanlagt" in page
    assert "Traceback" not in page and stored(h) == before


def test_uploading_needs_the_form_token_and_the_administrator(web: tuple[Harness, Flask]) -> None:
    h, app = web
    before = stored(h)
    changed = packaged_file("est-mote.yaml").replace("EST-möte,", "EST-möte (ny),")
    client, _ = admin(h, app)
    assert upload(client, {"est-mote.yaml": changed}).status_code == 400
    assert upload(client, {"est-mote.yaml": changed}, "fel-token").status_code == 400
    auditor = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")
    token = csrf_of(auditor, "/uppgifter")
    assert upload(auditor, {"est-mote.yaml": changed}, token).status_code == 403
    assert auditor.get("/admin/uppsattning").status_code == 403
    assert app.test_client().get("/admin/uppsattning").headers["Location"] == "/logga-in"
    assert stored(h) == before


def test_a_setup_loaded_meanwhile_is_not_overwritten(
    web: tuple[Harness, Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another administrator's load between the check and the store: nothing is stored."""
    from lofte.definitions import loader
    from lofte.workflow.application import setup_upload

    h, app = web
    client, token = admin(h, app)
    theirs = tmp_path / "theirs"
    shutil.copytree(PACKAGED_DIR, theirs)
    other = theirs / "uppfoljning.yaml"
    other.write_text(
        other.read_text(encoding="utf-8").replace("title: {sv: ", "title: {sv: Ny "),
        encoding="utf-8",
    )

    def load_then_someone_else_loads(*args: Any, **kwargs: Any) -> Any:
        checked = loader.load_texts(*args, **kwargs)
        h.engine.register(loader.load_bundle([theirs]), actor="someone-else")
        return checked

    monkeypatch.setattr(setup_upload, "load_texts", load_then_someone_else_loads)
    before = stored(h)
    changed = packaged_file("est-mote.yaml").replace("EST-möte,", "EST-möte (ny),")
    response = upload(client, {"est-mote.yaml": changed}, token)
    assert response.status_code == 409
    assert "ändrades av någon annan" in response.get_data(as_text=True)
    assert stored(h) != before  # the other load is in, the upload is not
    assert [e for e in h.audit() if e.event == "setup_loaded"][-1].actor == "someone-else"
    with h.store.unit_of_work(read_only=True) as uow:
        assert uow.catalog.latest_versions("template")[("est-mote", "")][0] == 1
        assert uow.catalog.latest_versions("template")[("uppfoljning", "")][0] == 2


def test_the_files_in_force_download_and_an_upload_from_an_older_page_stores_nothing(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client, token = admin(h, app)
    response = client.get("/admin/uppsattning/nuvarande.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {Path(n).name: archive.read(n).decode() for n in archive.namelist()}
    assert "organisation.yaml" in files and "est-inventering.yaml" in files
    page = client.get("/admin/uppsattning").get_data(as_text=True)
    found = re.search(r'name="grund" value="([^"]*)"', page)
    assert found
    seen = found.group(1)
    changed = files["est-inventering.yaml"].replace("title:", "title:", 1) + "\n# ändrad\n"
    first = client.post(
        "/admin/uppsattning",
        data={
            "csrf_token": token,
            "grund": seen,
            "filer": [(io.BytesIO(changed.encode()), "est-inventering.yaml")],
        },
        content_type="multipart/form-data",
    )
    assert first.status_code == 200, first.get_data(as_text=True)[-800:]
    before = stored(h)
    stale = client.post(  # a second administrator's page was opened before the first upload
        "/admin/uppsattning",
        data={
            "csrf_token": token,
            "grund": seen,
            "filer": [(io.BytesIO(files["est-inventering.yaml"].encode()), "est-inventering.yaml")],
        },
        content_type="multipart/form-data",
    )
    assert stale.status_code == 409 and "har ändrats sedan du öppnade sidan" in stale.get_data(
        as_text=True
    )
    assert stored(h) == before


def test_a_cycle_length_changed_by_upload_goes_on_at_its_new_length(
    web: tuple[Harness, Flask],
) -> None:
    """The issue's report, through the console: Surahammar's inventory every two weeks."""
    h, app = web
    client, token = admin(h, app)
    entry = "website: https://www.surahammar.example.se"
    organisation = packaged_file("organisation.yaml")
    assert organisation.count(entry + "}") == 1
    changed = organisation.replace(
        entry + "}", entry + ", overrides: {est-inventering: {cadence: {every: P2W}}}}"
    )
    response = upload(client, {"organisation.yaml": changed}, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "est-inventering för Surahammars kommun: version 2" in page
    start = h.clock.now()
    h.run_until(start + timedelta(weeks=6))
    weeks = [c.period_key for c in h.cycles("est-inventering", "surahammar")]
    opened_after = [c for c in h.cycles("est-inventering", "surahammar") if c.opened_at > start]
    assert len(opened_after) == 3 and all(c.definition_version == 2 for c in opened_after)
    assert len(weeks) == len(set(weeks))
    auditor = signed_in(h, app, "ulla.vik@revision.example.se", "ulla-revisor")  # weeks later
    response = auditor.get("/revision/luckor.csv")
    gaps = response.get_data(as_text=True).lstrip("\ufeff")
    assert response.status_code == 200 and gaps.startswith("Enhet;Cykel;Period")
    assert "Surahammars kommun" not in gaps
