"""The lägesbild page's places on the web (four simulated weeks of the packaged police area):
the SVG plot is in the page itself (no script needed), the map is drawn by a served script
with Leaflet from the app's own static files when a tile server is set (OpenStreetMap unless
told otherwise; the page's CSP then lets images come from it), and not at all when the
setting is empty; a category filter; the category × place table and the 12-week trend; the
police area's page with its municipalities side by side, its total their sum; the map
settings refuse what is wrong with a Swedish message naming the setting."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.cli.main import main as lofte
from lofte.kernel.errors import ConfigError
from lofte.storage.web_access import SqlWebAccess
from lofte.web.map_settings import NO_TILES, MapSettings, map_from_environment
from lofte.web.operations_settings import Operations, OperationsSettings
from lofte.web.session import COOKIE
from lofte.workflow.application.sign_in import digest
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.web.support import web_app

SESSIONS = itertools.count()
PERIOD = "fran=2027-01-04&till=2027-01-31"
MUNICIPALITIES = ("sala", "fagersta", "norberg", "skinnskatteberg", "surahammar")


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    folder = tmp_path_factory.mktemp("map")
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2027, 1, 1), packaged())
    Simulation(h.app(), h.clock, response_rate=0.85, seed=8).run_until(utc(2027, 2, 2, 12))
    yield h
    h.close()


def client_of(h: Harness, app: Flask, person: str) -> FlaskClient:
    client = app.test_client()
    session = f"test-session-{person}-{next(SESSIONS)}"
    SqlWebAccess(h.store.engine).add_session(digest(session), person, h.clock.now())
    client.set_cookie(COOKIE, session)
    return client


def page_of(h: Harness, app: Flask, person: str, path: str) -> tuple[str, dict[str, str]]:
    response = client_of(h, app, person).get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True), dict(response.headers)


def test_with_tiles_the_map_is_drawn_from_the_apps_own_leaflet_and_the_plot_stays(
    harness: Harness,
) -> None:
    app = web_app(harness)  # no setting: OpenStreetMap
    page, headers = page_of(harness, app, "lars-berg", f"/enhet/sala/lagesbild?{PERIOD}")
    assert '<script src="/static/leaflet/leaflet.js" defer>' in page
    assert '<script src="/static/lagesbild_map.js" defer>' in page
    assert '<link rel="stylesheet" href="/static/leaflet/leaflet.css">' in page
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "OpenStreetMap-bidragsgivare" in page
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org;" in headers["Content-Security-Policy"]
    )
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
    assert not re.search(r"\sstyle=", page), "an inline style"
    places = re.search(r'data-places="([^"]*)"', page)
    assert places and places.group(1).count("&#34;lat&#34;") == 15
    assert page.count('class="chart place-plot" role="img"') == 1
    other = client_of(harness, app, "lars-berg").get("/enhet/sala/atgarder")
    assert "tile.openstreetmap.org" not in other.headers["Content-Security-Policy"]


def test_without_tiles_there_is_no_map_and_the_places_are_on_the_plot(
    harness: Harness,
) -> None:
    app = web_app(harness, operations=Operations(OperationsSettings(map=NO_TILES)))
    page, headers = page_of(harness, app, "lars-berg", f"/enhet/sala/lagesbild?{PERIOD}")
    assert "leaflet" not in page and 'id="karta"' not in page
    assert "img-src 'self' data:;" in headers["Content-Security-Policy"]
    svg = page[
        page.index('<svg class="chart place-plot"') : page.index("</svg>", page.index("place-plot"))
    ]
    assert svg.count("<circle") == 15
    assert '<title id="platser-titel">Platserna på sina koordinater</title>' in svg
    assert re.search(r"<title>Stora torget \(Sala centrum\), Sala kommun: \d+ iakttagels", svg)
    assert "Iakttagelser per plats och kategori" in page
    assert "Iakttagelser per kategori och vecka" in page and "v.\u00a04</th>" in page
    assert '<svg class="spark" width="96" height="20" aria-hidden="true"' in page


def test_the_table_and_the_plot_count_observations_and_the_filter_narrows_the_plot(
    harness: Harness,
) -> None:
    app = web_app(harness, operations=Operations(OperationsSettings(map=NO_TILES)))
    page, _ = page_of(harness, app, "lars-berg", f"/enhet/sala/lagesbild?{PERIOD}")
    total = int(re.search(r"(\d+) iakttagelser \(", page).group(1))  # type: ignore[union-attr]
    table = page[page.index("Iakttagelser per plats och kategori</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<td>(\d+)</td></tr>", table)
    assert sum(map(int, rows)) == total > 0
    titles = re.findall(r": (\d+) iakttagelser?</title>", page)
    assert len(titles) == 15
    assert "Angiven mängd" in page
    filtered, _ = page_of(
        harness, app, "lars-berg", f"/enhet/sala/lagesbild?{PERIOD}&kategori=klotter"
    )
    klotter = int(re.search(r"<td>Klotter</td><td>(\d+)</td>", filtered).group(1))  # type: ignore[union-attr]
    shown = re.findall(r": (\d+) iakttagelser?</title>", filtered)
    unplaced = re.search(r"(\d+) iakttagelser gällde en annan plats", filtered)
    assert sum(map(int, shown)) + (int(unplaced.group(1)) if unplaced else 0) == klotter
    assert 'value="klotter" checked' in filtered and 'value="skadegorelse">' in filtered


def test_the_police_areas_page_puts_its_municipalities_side_by_side_and_sums_them(
    harness: Harness,
) -> None:
    app = web_app(harness, operations=Operations(OperationsSettings(map=NO_TILES)))
    path = f"/enhet/lpo-norra-vastmanland/lagesbild?{PERIOD}"
    page, _ = page_of(harness, app, "peter-nord", path)
    total = int(re.search(r"(\d+) iakttagelser \(", page).group(1))  # type: ignore[union-attr]
    side = page[page.index("Kommunerna sida vid sida</caption>") :]
    side = side[: side.index("</table>")]
    counts = re.findall(r"kommun</a></th><td>(\d+)</td>", side)
    assert len(counts) == 5 and total == sum(map(int, counts)) > 0
    assert f'<th scope="row">Totalt</th><td>{total}</td>' in side
    assert re.search(r"<td>\d+ av 4</td><td>\d+ % \(\d+ av \d+ svar\)</td>", side)
    alone = []
    for unit in MUNICIPALITIES:
        own, _ = page_of(harness, app, "admin", f"/enhet/{unit}/lagesbild?{PERIOD}")
        alone.append(int(re.search(r"(\d+) iakttagelser \(", own).group(1)))  # type: ignore[union-attr]
    assert sum(alone) == total
    svg = page[page.index('class="chart place-plot"') :]
    assert svg[: svg.index("</svg>")].count("<circle") == 75
    assert "Skinnskattebergs kommun" in page[page.index("Per område") :]


def test_the_police_areas_action_register_lists_its_municipalities_actions(
    harness: Harness,
) -> None:
    app = web_app(harness)
    page, _ = page_of(harness, app, "peter-nord", "/enhet/lpo-norra-vastmanland/atgarder")
    municipal = [a for a in harness.actions() if a.unit_id in MUNICIPALITIES]
    assert municipal
    for action in municipal:
        assert f'href="/enhet/{action.unit_id}/atgarder/{action.id}"' in page
    assert '<th scope="col">Enhet</th>' in page


def test_the_leaflet_files_and_their_licence_are_served_from_the_app(harness: Harness) -> None:
    client = web_app(harness).test_client()
    for name, kind in (
        ("leaflet/leaflet.js", "javascript"),
        ("leaflet/leaflet.css", "css"),
        ("leaflet/images/marker-icon.png", "png"),
        ("leaflet/LICENSE", ""),
        ("lagesbild_map.js", "javascript"),
    ):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.mimetype, name
    licence = client.get("/static/leaflet/LICENSE").get_data(as_text=True)
    assert "BSD 2-Clause" in licence and "Agafonkin" in licence


def test_the_map_settings_come_from_the_environment_and_wrong_ones_are_refused() -> None:
    assert map_from_environment({}) == MapSettings()
    assert map_from_environment({"LOFTE_MAP_TILES": " "}) == NO_TILES
    own = map_from_environment(
        {
            "LOFTE_MAP_TILES": "https://{s}.tiles.example.se/{z}/{x}/{y}.png",
            "LOFTE_MAP_ATTRIBUTION": "© Lantmäteriet",
            "LOFTE_MAP_ATTRIBUTION_URL": "https://www.lantmateriet.se",
        }
    )
    assert own.tile_origin == "https://*.tiles.example.se"
    assert MapSettings().tile_origin == "https://tile.openstreetmap.org"
    assert NO_TILES.tile_origin == ""
    for environment, named in (
        ({"LOFTE_MAP_TILES": "https://tiles.example.se/karta.png"}, "LOFTE_MAP_TILES"),
        ({"LOFTE_MAP_TILES": "http://tiles.example.se/{z}/{x}/{y}.png"}, "LOFTE_MAP_TILES"),
        ({"LOFTE_MAP_TILES": "https://a.se/{z}/{x}/{y}.png; script-src *"}, "LOFTE_MAP_TILES"),
        ({"LOFTE_MAP_TILES": "https://a.se/{z}/{x}/{y}.png"}, "LOFTE_MAP_ATTRIBUTION"),
    ):
        with pytest.raises(ConfigError, match=named):
            map_from_environment(environment)
    local = {
        "LOFTE_MAP_TILES": "http://127.0.0.1:8080/{z}/{x}/{y}.png",
        "LOFTE_MAP_ATTRIBUTION": "x",
    }
    assert map_from_environment(local).tile_origin == "http://127.0.0.1:8080"


def test_lofte_lagesbild_of_a_police_area_gives_the_combined_numbers(
    harness: Harness,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The command reads the database with the audit key it was written with.
    monkeypatch.setenv("LOFTE_AUDIT_KEY", harness.store.audit_keys.current.secret.decode())
    monkeypatch.setenv("LOFTE_AUDIT_HEAD", str(tmp_path / "lofte-audit.head"))
    url = str(harness.store.engine.url)
    dates = ["--from", "2027-01-04", "--to", "2027-01-31", "--database", url]
    assert lofte(["lagesbild", "lpo-norra-vastmanland", *dates]) == 0
    area = capsys.readouterr().out
    total = int(re.search(r": (\d+) iakttagelser", area).group(1))  # type: ignore[union-attr]
    assert "Kommunerna sida vid sida" in area and total > 0
    alone = 0
    for unit in MUNICIPALITIES:
        assert lofte(["lagesbild", unit, *dates]) == 0
        out = capsys.readouterr().out
        alone += int(re.search(r": (\d+) iakttagelser", out).group(1))  # type: ignore[union-attr]
        assert "Kommunerna sida vid sida" not in out
    assert alone == total
    assert re.search(rf"Totalt\s+{total}\s", area)


def test_a_reader_of_one_municipality_sees_only_it_in_the_police_areas_picture(
    harness: Harness,
) -> None:
    """Lars (Sala's coordinator) may open the police area, but not Norberg's observations."""
    app = web_app(harness, operations=Operations(OperationsSettings(map=NO_TILES)))
    page, _ = page_of(harness, app, "lars-berg", f"/enhet/lpo-norra-vastmanland/lagesbild?{PERIOD}")
    sala, _ = page_of(harness, app, "lars-berg", f"/enhet/sala/lagesbild?{PERIOD}")
    total = int(re.search(r"(\d+) iakttagelser \(", page).group(1))  # type: ignore[union-attr]
    assert total == int(re.search(r"(\d+) iakttagelser \(", sala).group(1)) > 0  # type: ignore[union-attr]
    assert "Kommuner där du inte har någon roll är inte med: Fagersta kommun" in page
    side = page[page.index("Kommunerna sida vid sida</caption>") :]
    assert re.findall(r">([^<>]+ kommun)</a></th>", side[: side.index("</table>")]) == [
        "Sala kommun"
    ]
    csv = client_of(harness, app, "lars-berg").get(
        f"/enhet/lpo-norra-vastmanland/lagesbild?{PERIOD}&format=csv"
    )
    assert "Norbergs kommun" not in csv.get_data(as_text=True)
    actions, _ = page_of(harness, app, "lars-berg", "/enhet/lpo-norra-vastmanland/atgarder")
    others = [a for a in harness.actions() if a.unit_id not in ("sala", "lpo-norra-vastmanland")]
    assert others and not any(f'/atgarder/{a.id}"' in actions for a in others)
