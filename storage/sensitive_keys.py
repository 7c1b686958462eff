"""Keys that encrypt sensitive values at rest (Fernet: AES-128-CBC with HMAC-SHA256, from the
`cryptography` package), with rotation: the newest key encrypts, every listed key decrypts.

Where the keys come from, in order: LOFTE_DATA_KEY (keys separated by commas, newest first),
LOFTE_DATA_KEY_FILE (one key per line, newest first), else `lofte-data.key` beside the SQLite
database (or in the working folder for PostgreSQL), made by `lofte init` with mode 0600. Keep
the key file apart from the database's backups: without it the values cannot be read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from lofte.kernel.errors import ConfigError

KEY_FILE_NAME = "lofte-data.key"


@dataclass(frozen=True)
class SensitiveCipher:
    keys: tuple[bytes, ...]
    source: str

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError(f"{self.source}: ingen nyckel för skyddade uppgifter")

    @property
    def key_id(self) -> str:
        return key_id(self.keys[0])

    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(k) for k in self.keys])

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ConfigError(
                f"en skyddad uppgift går inte att dekryptera med nycklarna i {self.source}; "
                "är nyckeln bytt utan att den gamla finns kvar i listan?"
            ) from None

    def rotate(self, token: str) -> str:
        try:
            return self._fernet().rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise ConfigError(
                f"en skyddad uppgift går inte att läsa med nycklarna i {self.source}"
            ) from None


class MissingKeyCipher(SensitiveCipher):
    """Stands in when no key is available: everything but sensitive values still works, and
    touching one says what is missing."""

    def __init__(self, error: ConfigError) -> None:
        object.__setattr__(self, "keys", (b"",))
        object.__setattr__(self, "source", "")
        object.__setattr__(self, "error", error)

    @property
    def key_id(self) -> str:
        raise self.error  # type: ignore[attr-defined]

    def encrypt(self, text: str) -> str:
        raise self.error  # type: ignore[attr-defined]

    def decrypt(self, token: str) -> str:
        raise self.error  # type: ignore[attr-defined]


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:12]


def parse_keys(raw: str, source: str) -> tuple[bytes, ...]:
    keys = []
    lines = [line for line in raw.splitlines() if not line.strip().startswith("#")]
    for part in ",".join(lines).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            Fernet(part.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(
                f"{source}: {part[:8]}… är ingen giltig nyckel (skapa en med `lofte keys new`)"
            ) from None
        keys.append(part.encode("ascii"))
    return tuple(keys)


def default_key_file(database_url: str, name: str = KEY_FILE_NAME) -> Path:
    """`name` beside a SQLite database's file, else in the working folder."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(database_url)
    except Exception:
        return Path(name)
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        return Path(str(parsed.database)).expanduser().resolve().parent / name
    return Path(name)


def key_file(database_url: str, env: Mapping[str, str] | None = None) -> Path | None:
    """The file keys are kept in, or None when LOFTE_DATA_KEY gives them."""
    env = os.environ if env is None else env
    if env.get("LOFTE_DATA_KEY"):
        return None
    configured = env.get("LOFTE_DATA_KEY_FILE")
    return Path(configured) if configured else default_key_file(database_url)


def load_cipher(
    database_url: str, *, create: bool, env: Mapping[str, str] | None = None
) -> SensitiveCipher:
    """The keys for `database_url`; without any, a stand-in that refuses to touch a value
    (unless `create`, which makes the default key file)."""
    env = os.environ if env is None else env
    try:
        return _load(database_url, create=create, env=env)
    except ConfigError as exc:
        if create:
            raise
        return MissingKeyCipher(exc)


def _load(database_url: str, *, create: bool, env: Mapping[str, str]) -> SensitiveCipher:
    if env.get("LOFTE_DATA_KEY"):
        return SensitiveCipher(
            parse_keys(env["LOFTE_DATA_KEY"], "LOFTE_DATA_KEY"), "LOFTE_DATA_KEY"
        )
    path = key_file(database_url, env)
    assert path is not None
    if not path.exists():
        if not path.parent.is_dir():
            raise ConfigError(f"mappen {path.parent} för nyckelfilen finns inte")
        if not create:
            raise ConfigError(
                f"nyckelfilen {path} för skyddade uppgifter saknas; kör `lofte init` eller ange "
                "LOFTE_DATA_KEY_FILE"
            )
        write_keys(path, (Fernet.generate_key(),))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"nyckelfilen {path} går inte att läsa ({exc})") from None
    return SensitiveCipher(parse_keys(text, str(path)), str(path))


DATA_KEYS_HEADER = "# Löfte: nycklar för skyddade uppgifter, nyaste först. Dela aldrig filen.\n"


def write_keys(path: Path, keys: tuple[bytes, ...], header: str = DATA_KEYS_HEADER) -> None:
    """Write keys (newest first) readable only by the owner, atomically."""
    partial = path.with_suffix(path.suffix + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(header)
        out.write("\n".join(k.decode("ascii") for k in keys) + "\n")
    os.replace(partial, path)


def new_key() -> bytes:
    return Fernet.generate_key()


def throwaway_cipher() -> SensitiveCipher:
    """A fresh key held in memory only: for tests and throw-away simulations."""
    return SensitiveCipher((new_key(),), "minnet (tillfällig nyckel)")
