"""The setup in force as it was loaded (workflow.core.setup.current_setup), which an upload
in the web console is checked and completed with: a definition taken out of the setup stays
out, one switched off for every unit by the organisation stays in."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import delete

from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.storage import rows
from lofte.storage.tables import VersionRow
from lofte.workflow.core.catalog import DISABLED, TEMPLATE
from lofte.workflow.core.setup import current_setup
from tests.harness import Harness

MUNICIPALITIES = ("sala", "surahammar", "norberg", "fagersta", "skinnskatteberg")


def templates(h: Harness) -> tuple[str, dict[str, str]]:
    with h.store.unit_of_work(read_only=True) as uow:
        return current_setup(uow)


def test_the_setup_in_force_is_the_files_as_loaded(harness: Harness) -> None:
    org, found = templates(harness)
    assert org == (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")
    assert sorted(found) == sorted(
        p.stem for p in PACKAGED_DIR.glob("*.yaml") if p.stem != "organisation"
    )
    assert found["est-mote"] == (PACKAGED_DIR / "est-mote.yaml").read_text(encoding="utf-8")


def test_a_definition_taken_out_stays_out(harness: Harness, tmp_path: Path) -> None:
    h = harness
    folder = tmp_path / "setup"
    shutil.copytree(PACKAGED_DIR, folder)
    (folder / "operativ-inriktning.yaml").unlink()
    changes = h.engine.register(load_bundle([folder]))
    assert "operativ-inriktning: mallen ingår inte längre i uppsättningen" in changes
    assert "operativ-inriktning för lpo-norra-vastmanland: avstängd" in changes
    assert "operativ-inriktning" not in templates(h)[1]
    with h.store.unit_of_work(read_only=True) as uow:
        assert uow.catalog.latest_versions(TEMPLATE)[("operativ-inriktning", "")][1] == DISABLED
    # A setup loaded before the mark existed: every unit's version switched off is enough.
    versions = rows.table(VersionRow)
    with h.store.engine.begin() as c:
        c.execute(
            delete(versions).where(
                versions.c.kind == TEMPLATE,
                versions.c.name == "operativ-inriktning",
                versions.c.content_hash == DISABLED,
            )
        )
    assert "operativ-inriktning" not in templates(h)[1]


def test_a_definition_switched_off_everywhere_by_the_organisation_stays_in(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    folder = tmp_path / "setup"
    shutil.copytree(PACKAGED_DIR, folder)
    org = folder / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    off = "uppfoljning: {enabled: false}"
    assert text.count("overrides: {") == len(MUNICIPALITIES) - 1  # all but Surahammar have some
    text = text.replace("overrides: {", f"overrides: {{{off}, ")
    text = text.replace("{id: surahammar, name:", f"{{id: surahammar, overrides: {{{off}}}, name:")
    org.write_text(text, encoding="utf-8")
    changes = h.engine.register(load_bundle([folder]))
    assert "uppfoljning för surahammar: avstängd" in changes
    assert "uppfoljning" in templates(h)[1]
