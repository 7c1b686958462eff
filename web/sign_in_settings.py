"""How people sign in, read from the environment when the web server starts. A bad value stops
the start with a Swedish message that names the setting.

- `LOFTE_SIGN_IN`: `link` (a link by email), `oidc` (the organisation's identity provider
  only) or `both`. Default: `both` when providers are configured, otherwise `link`. Answer
  links in emails work whatever it says.
- `LOFTE_OIDC_PROVIDERS`: the keys of the OpenID Connect providers (`sala`, `polisen`),
  separated by commas or spaces; a key is 1–30 lower-case letters a–z and digits. Per key
  (upper-case in the setting's name, `LOFTE_OIDC_SALA_ISSUER`):
  - `_ISSUER` (required): the issuer, `https://...` (its `/.well-known/openid-configuration`
    is read at the first sign-in); `http://` only on the local machine.
  - `_CLIENT_ID` (required), and `_CLIENT_SECRET` or `_CLIENT_SECRET_FILE` (one of them).
  - `_NAME`: the button's text, "Logga in med NAME" (default: the key).
  - `_CLAIM`: the ID token's claim matched to a person's address in the organisation (default
    `email`, which must come with `email_verified: true`; another claim, such as
    `preferred_username` or `upn`, is trusted as the provider gives it).
  The provider's redirect URI is `LOFTE_BASE_URL/logga-in/oidc/KEY/svar`.
  For example (as in docs/deploy/lofte.env.example): `LOFTE_OIDC_PROVIDERS=sala,polisen`,
  `LOFTE_OIDC_SALA_ISSUER`, `LOFTE_OIDC_SALA_CLIENT_ID`, `LOFTE_OIDC_SALA_CLIENT_SECRET_FILE`,
  `LOFTE_OIDC_SALA_NAME`, `LOFTE_OIDC_POLISEN_ISSUER`, `LOFTE_OIDC_POLISEN_CLIENT_ID`,
  `LOFTE_OIDC_POLISEN_CLIENT_SECRET_FILE`, `LOFTE_OIDC_POLISEN_NAME`, `LOFTE_OIDC_POLISEN_CLAIM`.
- `LOFTE_SESSION_IDLE_MINUTES` (default 30) and `LOFTE_SESSION_MAX_HOURS` (default 10): a
  session ends after so long without a request, and so long after sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from lofte.kernel.errors import ConfigError, system_reason
from lofte.workflow.application.sign_in import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT

SIGN_IN = "LOFTE_SIGN_IN"
PROVIDERS = "LOFTE_OIDC_PROVIDERS"
IDLE_MINUTES = "LOFTE_SESSION_IDLE_MINUTES"
MAX_HOURS = "LOFTE_SESSION_MAX_HOURS"
PREFIX = "LOFTE_OIDC_"
PART_NAMES = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "CLIENT_SECRET_FILE", "NAME", "CLAIM")
MODES = ("link", "oidc", "both")
KEY_SHAPE = re.compile(r"[a-z0-9]{1,30}")
CLAIM_SHAPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class OidcProvider:
    """One identity provider Löfte trusts to say who a person is."""

    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    claim: str = "email"


@dataclass(frozen=True)
class SignInSettings:
    link: bool = True
    providers: tuple[OidcProvider, ...] = ()
    idle: timedelta = IDLE_TIMEOUT
    absolute: timedelta = ABSOLUTE_TIMEOUT

    def provider(self, key: str) -> OidcProvider | None:
        return next((p for p in self.providers if p.key == key), None)


def from_environment(environment: Mapping[str, str]) -> SignInSettings:
    """The settings in `environment` (os.environ); ConfigError naming the setting if one is
    wrong, missing, or names a provider that is not in LOFTE_OIDC_PROVIDERS."""
    keys = _keys(environment.get(PROVIDERS, ""))
    _no_strays(environment, keys)
    mode = environment.get(SIGN_IN, "").strip().lower() or ("both" if keys else "link")
    if mode not in MODES:
        raise ConfigError(
            f"{SIGN_IN}: {mode[:40]!r} är inget sätt att logga in; ange link, oidc eller both"
        )
    if mode != "link" and not keys:
        raise ConfigError(
            f"{SIGN_IN}={mode} kräver minst en leverantör i {PROVIDERS} (till exempel sala,polisen)"
        )
    if mode == "link" and keys:
        raise ConfigError(
            f"{SIGN_IN}=link men {PROVIDERS} anger leverantörer; ange {SIGN_IN}=both eller oidc, "
            f"eller ta bort {PROVIDERS}"
        )
    idle = timedelta(minutes=_number(environment, IDLE_MINUTES, 30, 1, 24 * 60))
    absolute = timedelta(hours=_number(environment, MAX_HOURS, 10, 1, 24))
    if idle > absolute:
        raise ConfigError(f"{IDLE_MINUTES} får inte vara längre än {MAX_HOURS}")
    return SignInSettings(
        link=mode != "oidc",
        providers=tuple(_provider(environment, key) for key in keys),
        idle=idle,
        absolute=absolute,
    )


def _keys(text: str) -> tuple[str, ...]:
    keys = [item for item in re.split(r"[,\s]+", text.strip()) if item]
    for key in keys:
        if not KEY_SHAPE.fullmatch(key):
            raise ConfigError(
                f"{PROVIDERS}: {key[:40]!r} är ingen nyckel; en nyckel är 1–30 små bokstäver a–z "
                "och siffror (till exempel sala eller polisen)"
            )
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{PROVIDERS}: samma leverantör står flera gånger")
    return tuple(keys)


def _no_strays(environment: Mapping[str, str], keys: tuple[str, ...]) -> None:
    """Every LOFTE_OIDC_X_PART belongs to a listed provider and is a known part (a typo in a
    setting's name must not pass unnoticed)."""
    for name in sorted(environment):
        if not name.startswith(PREFIX) or name == PROVIDERS:
            continue
        key, part = _split(name)
        if part not in PART_NAMES:
            raise ConfigError(
                f"{name}: okänd inställning; för en leverantör finns {PREFIX}NYCKEL_ och "
                + ", ".join(PART_NAMES)
            )
        if key not in keys:
            raise ConfigError(
                f"{name}: leverantören {key!r} finns inte i {PROVIDERS}; lägg till den där "
                "eller ta bort inställningen"
            )


def _split(name: str) -> tuple[str, str]:
    rest = name.removeprefix(PREFIX)
    key, _, part = rest.partition("_")
    return key.lower(), part


def _provider(environment: Mapping[str, str], key: str) -> OidcProvider:
    def setting(part: str) -> str:
        return environment.get(f"{PREFIX}{key.upper()}_{part}", "").strip()

    issuer = _issuer(f"{PREFIX}{key.upper()}_ISSUER", setting("ISSUER"))
    client_id = setting("CLIENT_ID")
    if not client_id:
        raise ConfigError(
            f"{PREFIX}{key.upper()}_CLIENT_ID saknas: ange klient-id:t som leverantören gav Löfte"
        )
    claim = setting("CLAIM") or "email"
    if not CLAIM_SHAPE.fullmatch(claim):
        raise ConfigError(
            f"{PREFIX}{key.upper()}_CLAIM: {claim[:40]!r} är inget claim-namn (till exempel "
            "email, preferred_username eller upn)"
        )
    return OidcProvider(
        key=key,
        name=setting("NAME") or key,
        issuer=issuer,
        client_id=client_id,
        client_secret=_secret(key, setting("CLIENT_SECRET"), setting("CLIENT_SECRET_FILE")),
        claim=claim,
    )


def _issuer(name: str, value: str) -> str:
    if not value:
        raise ConfigError(
            f"{name} saknas: ange leverantörens issuer, till exempel https://login.example.se"
        )
    parts = urlsplit(value)
    local = parts.hostname in LOOPBACK_HOSTS
    if (
        parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not local)
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ConfigError(
            f"{name}: {value[:120]!r} är ingen issuer; ange en https-adress utan frågedel, "
            "till exempel https://login.microsoftonline.com/KATALOG-ID/v2.0 (http:// bara för "
            "den egna datorn)"
        )
    return value.rstrip("/")


def _secret(key: str, value: str, file: str) -> str:
    name = f"{PREFIX}{key.upper()}_CLIENT_SECRET"
    if value and file:
        raise ConfigError(f"{name} och {name}_FILE är båda satta; ange bara en av dem")
    if file:
        try:
            value = Path(file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = system_reason(error) if isinstance(error, OSError) else "filen är inte text"
            raise ConfigError(f"{name}_FILE: kan inte läsa {file}: {reason}") from None
        if not value:
            raise ConfigError(f"{name}_FILE: {file} är tom")
    if not value:
        raise ConfigError(
            f"{name} saknas: ange klienthemligheten som leverantören gav Löfte (eller "
            f"{name}_FILE med en fil som innehåller den)"
        )
    return value


def _number(environment: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = environment.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ConfigError(f"{name}: {text[:20]!r} ska vara ett heltal från {low} till {high}")
    return int(text)
