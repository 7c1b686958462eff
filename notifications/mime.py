"""The MIME pieces `compose` needs, made and written without the standard library's slow
paths.

The `email` package folds every header through `email.header.Header`, which measures each
character's quoted-printable length, quoted-printable bodies go through a pure-Python encoder,
and its generator copies every part through buffers and parses each Content-Type again for
its boundary (together about half of making an email). Here header values are encoded once,
by us, as RFC 2047 base64 words of at most 75 characters on folded lines, bodies through the
C encoders in `binascii` and `base64`, and `wire_bytes` writes a `Part` tree exactly as the
`email` package's BytesGenerator writes the same message under `WIRE` (compat32 with CRLF):
the same header lines in the same order, the same boundaries and blank lines. Header values
go through `WIRE.fold_binary`, which writes ours as they are (they are ASCII and every line
break in them is a fold that we made) and folds any other value as compat32 does.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from email.policy import Compat32
from email.utils import formataddr
from functools import lru_cache

FOLD = "\r\n "
WORD_BYTES = 45  # 45 bytes are 60 base64 characters: "=?utf-8?b?" + 60 + "?=" is 72


class _Wire(Compat32):
    """compat32 with CRLF, writing our pre-encoded (ASCII, pre-folded) values unchanged."""

    def fold_binary(self, name: str, value: str) -> bytes:
        if isinstance(value, str) and value.isascii() and _only_our_folds(value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE = _Wire(linesep="\r\n")
_LINE_ENDS = re.compile(r"\r\n|\r|\n")  # as the generator splits a payload into lines


@dataclass(frozen=True)
class Part:
    """A MIME part: its header lines, and either its encoded payload (ASCII) or, for a
    multipart, its parts and boundary."""

    headers: tuple[tuple[str, str], ...]
    payload: str | tuple[Part, ...]
    boundary: str = ""


def multipart(subtype: str, boundary: str, parts: tuple[Part, ...]) -> Part:
    """A multipart/`subtype` container (the boundary must not occur in its parts)."""
    content_type = f'multipart/{subtype}; boundary="{boundary}"'
    return Part((("Content-Type", content_type), ("MIME-Version", "1.0")), parts, boundary)


def wire_bytes(part: Part, headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The message as sent: `part` with `headers` after its own (a top-level part's From,
    To, Subject ...), every line ending in CRLF."""
    out: list[bytes] = []
    _write(part, headers, out)
    return b"".join(out)


def _write(part: Part, extra: tuple[tuple[str, str], ...], out: list[bytes]) -> None:
    for name, value in part.headers + extra:
        out.append(WIRE.fold_binary(name, value))
    out.append(b"\r\n")
    if isinstance(part.payload, str):
        payload = part.payload
        # Encoded payloads end their lines in LF alone: then a replace does what the split does.
        lines = (
            payload.replace("\n", "\r\n")
            if "\r" not in payload
            else _LINE_ENDS.sub("\r\n", payload)
        )
        out.append(lines.encode("ascii"))
        return
    dash = f"--{part.boundary}".encode("ascii")
    for index, inner in enumerate(part.payload):
        out.append(dash + b"\r\n" if index == 0 else b"\r\n" + dash + b"\r\n")
        _write(inner, (), out)
    if not part.payload:
        out.append(dash + b"\r\n")
    out.append(b"\r\n" + dash + b"--\r\n")


def _only_our_folds(value: str) -> bool:
    return "\r" not in value.replace(FOLD, "") and "\n" not in value.replace(FOLD, "")


def one_line(value: str) -> str:
    """Whitespace (line breaks included) collapsed: no text can add a header line."""
    return " ".join(value.split())


@lru_cache(maxsize=4096)  # a subject goes to every recipient of a step, a name in every mail
def encoded_words(text: str) -> str:
    """`text` (one line) as a header value: itself if ASCII and short, else base64 words."""
    if text.isascii() and len(text) <= 900 and "=?" not in text:
        return text
    words = []
    chunk = bytearray()
    for character in text:
        raw = character.encode("utf-8")
        if len(chunk) + len(raw) > WORD_BYTES:
            words.append(_word(bytes(chunk)))
            chunk.clear()
        chunk += raw
    if chunk:
        words.append(_word(bytes(chunk)))
    return FOLD.join(words)


def _word(raw: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(raw).decode('ascii')}?="


def mailbox(name: str, address: str) -> str:
    """`Name <address>` with the name encoded when it needs to be."""
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    return f"{encoded_words(name)} <{address}>"


def text_part(text: str, subtype: str) -> Part:
    """A UTF-8 text part in quoted-printable ("=" is always encoded, so "=_" never appears)."""
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    headers = (
        ("Content-Type", f'text/{subtype}; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "quoted-printable"),
    )
    return Part(headers, encoded.decode("ascii"))


def attachment(data: bytes, content_type: str, filename: str) -> Part:
    """A base64 attachment (keeps the data's own bytes, CRLF line ends included, exactly).
    `content_type` is the whole value, parameters included; `filename` is ASCII."""
    headers = (
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Type", content_type),
        ("Content-Disposition", f'attachment; filename="{filename}"'),
    )
    return Part(headers, base64.encodebytes(data).decode("ascii"))
