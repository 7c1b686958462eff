"""The MIME pieces `compose` needs, made without the standard library's slow paths.

The `email` package folds every header through `email.header.Header`, which measures each
character's quoted-printable length (about 40% of composing a message), and quoted-printable
bodies go through a pure-Python encoder. Here header values are encoded once, by us, as
RFC 2047 base64 words of at most 75 characters on folded lines, and bodies through the C
encoder in `binascii`. `WIRE` then writes header values as they are: they are ASCII and every
line break in them is a fold that we made.
"""

from __future__ import annotations

import base64
import binascii
from email.message import Message
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import formataddr

FOLD = "\r\n "
WORD_BYTES = 45  # 45 bytes are 60 base64 characters: "=?utf-8?b?" + 60 + "?=" is 72


class _Wire(Compat32):
    """compat32 with CRLF, writing our pre-encoded (ASCII, pre-folded) values unchanged."""

    def fold_binary(self, name: str, value: str) -> bytes:
        if isinstance(value, str) and value.isascii() and _only_our_folds(value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE = _Wire(linesep="\r\n")


def _only_our_folds(value: str) -> bool:
    return "\r" not in value.replace(FOLD, "") and "\n" not in value.replace(FOLD, "")


def one_line(value: str) -> str:
    """Whitespace (line breaks included) collapsed: no text can add a header line."""
    return " ".join(value.split())


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


def text_part(text: str, subtype: str) -> Message:
    """A UTF-8 text part in quoted-printable ("=" is always encoded, so "=_" never appears)."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "quoted-printable"
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    part.set_payload(encoded.decode("ascii"))
    return part


def base64_part(data: bytes, maintype: str, subtype: str) -> Message:
    """A base64 part (keeps the data's own bytes, CRLF line ends included, exactly)."""
    part = MIMENonMultipart(maintype, subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "base64"
    encoded = base64.encodebytes(data).decode("ascii")
    part.set_payload(encoded)
    return part
