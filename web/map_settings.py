"""Which tile server the lägesbild's map draws on, read from the environment when the web
server starts (`web.operations_settings.from_environment`). A bad value stops the start with a
Swedish message that names the setting.

- `LOFTE_MAP_TILES`: the tiles' URL template with `{z}`, `{x}` and `{y}` (and optionally `{s}`
  for the server's subdomains, `{r}` for high-resolution tiles), https (http only for the local
  machine). Unset: OpenStreetMap's tiles. Set but empty: no tiles and no map; the page shows
  the places on its SVG plot only.
- `LOFTE_MAP_ATTRIBUTION`: the credit the tile server asks for, as text (required with tiles
  of your own); `LOFTE_MAP_ATTRIBUTION_URL` the page the credit links to.

The tiles' origin is added to the lägesbild page's `img-src` (the page's CSP) and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lofte.kernel.errors import ConfigError

TILES = "LOFTE_MAP_TILES"
ATTRIBUTION = "LOFTE_MAP_ATTRIBUTION"
ATTRIBUTION_URL = "LOFTE_MAP_ATTRIBUTION_URL"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap-bidragsgivare"
OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"


@dataclass(frozen=True)
class MapSettings:
    tiles: str = OSM_TILES  # empty: no tiles, no map
    attribution: str = OSM_ATTRIBUTION
    attribution_url: str = OSM_COPYRIGHT

    @property
    def tile_origin(self) -> str:
        """The origin the page's images may come from (`{s}.` becomes `*.`), or ''."""
        if not self.tiles:
            return ""
        parts = urlsplit(self.tiles.replace("{s}", "s"))
        host = parts.netloc.replace("s.", "*.", 1) if "{s}." in self.tiles else parts.netloc
        return f"{parts.scheme}://{host}"


NO_TILES = MapSettings("", "", "")


def map_from_environment(environment: Mapping[str, str]) -> MapSettings:
    """The map settings in `environment`; ConfigError naming the setting if one is wrong."""
    given = environment.get(TILES)
    if given is None:
        return MapSettings()
    tiles = given.strip()
    if not tiles:
        return NO_TILES
    _check_tiles(tiles)
    attribution = environment.get(ATTRIBUTION, "").strip()
    if not attribution:
        raise ConfigError(
            f"{ATTRIBUTION}: ange den källhänvisning som kartservern kräver "
            f'(till exempel "{OSM_ATTRIBUTION}") när {TILES} är satt'
        )
    link = environment.get(ATTRIBUTION_URL, "").strip()
    if link and urlsplit(link).scheme not in ("https", "http"):
        raise ConfigError(f"{ATTRIBUTION_URL}: {link[:120]!r} är ingen webbadress (https://...)")
    return MapSettings(tiles, attribution, link)


def _check_tiles(tiles: str) -> None:
    parts = urlsplit(tiles.replace("{s}", "s"))
    host = parts.hostname or ""
    loopback = host in ("localhost", "127.0.0.1", "::1")
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in tiles]
    if (
        parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not loopback)
        or not host
        or parts.username is not None
        or missing
        or any(c in tiles for c in "'\" ;")
    ):
        raise ConfigError(
            f"{TILES}: {tiles[:160]!r} är ingen adressmall för kartplattor; ange till exempel "
            f"{OSM_TILES} (https, med {{z}}, {{x}} och {{y}}; http bara för den egna datorn), "
            "eller ett tomt värde för att visa platserna utan karta"
        )
