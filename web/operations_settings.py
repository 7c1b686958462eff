"""The web server's operations settings, read from the environment when it starts: who may read
`/metrics` and which other sites may frame the public pages. A bad value stops the start with a
Swedish message that names the setting.

- `LOFTE_METRICS_FROM`: addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`), separated by
  commas or spaces, whose requests may read `/metrics`.
- `LOFTE_METRICS_TOKEN`: a bearer token (at least 32 characters of letters, digits and
  `-._~+/=`) that lets any address read `/metrics` (`Authorization: Bearer ...`).
  With neither set, `/metrics` answers nobody.
- `LOFTE_EMBED_ORIGINS`: origins (`https://www.sala.se`) that may frame the public pages
  (`/publikt/...`); every other page stays unframeable. `http://` only for the local machine.
- `LOFTE_MAP_TILES`, `LOFTE_MAP_ATTRIBUTION`, `LOFTE_MAP_ATTRIBUTION_URL`: the lägesbild map's
  tile server (`web.map_settings`).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lofte.kernel.errors import ConfigError
from lofte.web.map_settings import MapSettings, map_from_environment
from lofte.workflow.application.operations import OperationsReads

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9\-._~+/=]{32,256}")
HOST_SHAPE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
METRICS_FROM = "LOFTE_METRICS_FROM"
METRICS_TOKEN = "LOFTE_METRICS_TOKEN"
EMBED_ORIGINS = "LOFTE_EMBED_ORIGINS"


@dataclass(frozen=True)
class OperationsSettings:
    metrics_from: tuple[Network, ...] = ()
    metrics_token: str | None = None
    embed_origins: tuple[str, ...] = ()
    map: MapSettings = field(default_factory=MapSettings)

    def metrics_allowed(self, address: str | None, authorization: str | None) -> bool:
        """May a request from `address` with this `Authorization` header read `/metrics`?"""
        if self.metrics_token is not None and authorization is not None:
            scheme, _, given = authorization.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), self.metrics_token.encode()
            ):
                return True
        try:
            client = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
            client = client.ipv4_mapped
        return any(client in network for network in self.metrics_from)


@dataclass(frozen=True)
class Operations:
    """What the operations routes need: the settings and the reads (None: not wired, as in a
    test app; `/readyz` and `/metrics` then answer 503)."""

    settings: OperationsSettings = field(default_factory=OperationsSettings)
    reads: OperationsReads | None = None


def from_environment(environment: Mapping[str, str]) -> OperationsSettings:
    """The settings in `environment` (os.environ); ConfigError naming the setting if one is
    wrong."""
    token = environment.get(METRICS_TOKEN, "").strip() or None
    if token is not None and not TOKEN_SHAPE.fullmatch(token):
        raise ConfigError(
            f"{METRICS_TOKEN}: token måste vara 32–256 tecken av bokstäverna a–z, A–Z, siffror "
            "och -._~+/= (till exempel utdata från `openssl rand -hex 32`)"
        )
    return OperationsSettings(
        metrics_from=tuple(_network(item) for item in _items(environment.get(METRICS_FROM))),
        metrics_token=token,
        embed_origins=tuple(
            dict.fromkeys(_origin(item) for item in _items(environment.get(EMBED_ORIGINS)))
        ),
        map=map_from_environment(environment),
    )


def _items(text: str | None) -> list[str]:
    return [item for item in re.split(r"[,\s]+", text or "") if item]


def _network(item: str) -> Network:
    try:
        return ipaddress.ip_network(item, strict=False)
    except ValueError:
        raise ConfigError(
            f"{METRICS_FROM}: {item[:80]!r} är ingen IP-adress eller nätverk; ange till exempel "
            "127.0.0.1, 10.1.2.3 eller 10.0.0.0/8 (värdnamn tas inte emot)"
        ) from None


def _origin(item: str) -> str:
    """`scheme://host[:port]`, lower case, without a default port."""
    wrong = ConfigError(
        f"{EMBED_ORIGINS}: {item[:120]!r} är inget ursprung; ange till exempel "
        "https://www.sala.se (schema och värd, utan sökväg; http:// bara för den egna datorn)"
    )
    parts = urlsplit(item.lower())
    try:
        port = parts.port
    except ValueError:
        raise wrong from None
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    loopback = shown in LOOPBACK_HOSTS
    if (
        parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not loopback)
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or not (loopback or HOST_SHAPE.fullmatch(host))
    ):
        raise wrong
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{shown}" + ("" if port in (None, default) else f":{port}")
