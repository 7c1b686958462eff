"""`lofte audit verify` and `lofte audit head`: prove that the audit log is as it was written.

Every event's hash covers the previous event's hash and its own content, and events are
numbered without gaps; so a deleted, altered or inserted event breaks the chain at that point,
also when the protecting triggers were removed. Deleting the newest events leaves a shorter but
intact chain: an auditor who kept the head (`lofte audit head`) elsewhere proves that with
`lofte audit verify --head SEQ:HASH`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lofte.kernel.errors import ConfigError
from lofte.workflow.application.app import Application
from lofte.workflow.core.audit_chain import GENESIS, chain_hash, hashed_values


@dataclass(frozen=True)
class Verdict:
    events: int
    head_seq: int
    head_hash: str
    head_at: datetime | None
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem


def parse_head(text: str) -> tuple[int, str]:
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ConfigError(f"--head {text[:80]!r}: skriv NR:HASH som `lofte audit head` skriver ut")
    return int(seq), digest


def verify(app: Application, expected_head: tuple[int, str] | None = None) -> Verdict:
    expected, prev = 1, GENESIS
    count, last_at, seen_head = 0, None, False
    for event in app.reads.audit_chain():
        seq = event.seq or 0
        if seq != expected:
            what = "saknas (raderad)" if seq > expected else "finns två gånger"
            return Verdict(
                count, expected - 1, prev, last_at, expected, f"händelse nr {expected} {what}"
            )
        if event.prev_hash != prev:
            return Verdict(
                count,
                seq - 1,
                prev,
                last_at,
                seq,
                f"händelse nr {seq} pekar inte på händelsen före (infogad eller ändrad)",
            )
        if chain_hash(prev, seq, hashed_values(event)) != event.hash:
            return Verdict(
                count, seq - 1, prev, last_at, seq, f"händelse nr {seq} ({event.event}) har ändrats"
            )
        if expected_head is not None and seq == expected_head[0]:
            seen_head = True
            if event.hash != expected_head[1]:
                return Verdict(
                    count,
                    seq,
                    event.hash,
                    event.at,
                    seq,
                    f"händelse nr {seq} har inte den förväntade hashen",
                )
        prev, last_at, count, expected = event.hash, event.at, count + 1, seq + 1
    if expected_head is not None and not seen_head:
        return Verdict(
            count,
            expected - 1,
            prev,
            last_at,
            expected_head[0],
            f"händelse nr {expected_head[0]} finns inte längre (loggen har kortats)",
        )
    return Verdict(count, expected - 1, prev, last_at)
