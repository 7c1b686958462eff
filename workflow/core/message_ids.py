"""The Message-ID of an outbox message: derived from its key (the same on every attempt), so a
bounce that quotes it can be matched to the message it is about, and forged by nobody who does
not know the installation's keys."""

from __future__ import annotations

import hashlib


def message_id_stem(key: str) -> str:
    """`<lofte.<hash>@`: the Message-ID without its domain (the sender's)."""
    return f"<lofte.{hashlib.sha256(key.encode()).hexdigest()[:32]}@"


def message_id(key: str, domain: str) -> str:
    return f"{message_id_stem(key)}{domain}>"
