"""`lofte audit verify` and `lofte audit head`: prove that the audit log is as it was written.

Every event's hash covers the previous event's hash and its own content, and events are
numbered without gaps; so a deleted, altered or inserted event breaks the chain at that point,
also when the protecting triggers were removed. From chain version 2 the hash is an HMAC with
the audit key, which is kept outside the database: without it nobody can append or rewrite an
event that verifies (`workflow.core.audit_chain`). Deleting the newest events leaves a shorter
but intact chain: the head written outside the database after every change (the head file,
`storage.audit_head_file`), or one an auditor kept (`lofte audit head`, given with `--head`),
shows that. An empty log in a database that holds cycles or timers fails, and so do missing or
altered triggers (`guard`, found by the caller).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from lofte.kernel import words
from lofte.kernel.errors import ConfigError
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.core.audit_chain import (
    GENESIS,
    KEYED,
    PLAIN,
    AuditKey,
    AuditKeys,
    OutsideHead,
    chain_hash,
    hashed_values,
)
from lofte.workflow.core.records import AuditEvent


@dataclass(frozen=True)
class Verdict:
    events: int
    head_seq: int
    head_hash: str
    head_at: datetime | None
    broken_at: int | None = None
    problem: str = ""
    guard: tuple[str, ...] = ()  # what is wrong with the protecting triggers
    outside: OutsideHead | None = None  # the head file compared with, if there was one
    keyed: int = 0  # events with a keyed hash (version 2)

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem and not self.guard


@dataclass(frozen=True)
class _Anchor:
    """A head known from outside the database: the chain must reach it with this hash."""

    seq: int
    hash: str
    label: str


@dataclass
class _Walk:
    count: int = 0
    prev: str = GENESIS
    last_at: datetime | None = None
    keyed: int = 0
    seen: set[int] = field(default_factory=set)  # anchors reached

    def verdict(self, broken_at: int | None = None, problem: str = "") -> Verdict:
        return Verdict(
            self.count, self.count, self.prev, self.last_at, broken_at, problem, keyed=self.keyed
        )


def parse_head(text: str) -> tuple[int, str]:
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ConfigError(f"--head {text[:80]!r}: skriv NR:HASH som `lofte audit head` skriver ut")
    return int(seq), digest


def verify(
    app: Application,
    expected_head: tuple[int, str] | None = None,
    *,
    outside: OutsideHead | None = None,
    guard: Sequence[str] = (),
    keys: AuditKeys | None = None,
) -> Verdict:
    """Check the chain with `keys` (the store's by default) against the heads known from
    outside it: `expected_head` (given by an auditor) and `outside` (the head file)."""
    keys = keys or app.engine.store.audit_keys
    anchors = []
    if expected_head is not None:
        anchors.append(_Anchor(*expected_head, "det angivna huvudet (--head)"))
    if outside is not None and not outside.problem and not outside.missing:
        anchors.append(
            _Anchor(outside.seq, outside.hash, f"huvudet utanför databasen ({outside.source})")
        )
    verdict = _walk(app.reads.audit_chain(), keys, anchors)
    if verdict.ok:
        verdict = _reached(verdict, anchors) or _not_empty(app, verdict) or verdict
    if verdict.ok and outside is not None and outside.problem:
        verdict = _with(verdict, problem=outside.problem)
    if verdict.ok and outside is not None and outside.missing and verdict.keyed:
        verdict = _with(verdict, problem=_head_file_gone(outside, verdict.keyed))
    return _with(verdict, guard=tuple(guard), outside=outside)


def _with(verdict: Verdict, **changes: object) -> Verdict:
    return replace(verdict, **changes)  # type: ignore[arg-type]


def _walk(events: Iterable[AuditEvent], keys: AuditKeys, anchors: list[_Anchor]) -> Verdict:
    walk = _Walk()
    for event in events:
        seq = event.seq or 0
        expected = walk.count + 1
        if seq != expected:
            what = "saknas (raderad)" if seq > expected else "finns två gånger"
            return walk.verdict(expected, f"händelse nr {expected} {what}")
        if event.prev_hash != walk.prev:
            return walk.verdict(
                seq, f"händelse nr {seq} pekar inte på händelsen före (infogad eller ändrad)"
            )
        key, problem = _key_of(event, keys, walk.keyed)
        if problem:
            return walk.verdict(seq, problem)
        if chain_hash(walk.prev, seq, hashed_values(event), key) != event.hash:
            return walk.verdict(seq, f"händelse nr {seq} ({event.event}) har ändrats")
        for anchor in anchors:
            if anchor.seq == seq:
                walk.seen.add(seq)
                if event.hash != anchor.hash:
                    return walk.verdict(
                        seq,
                        f"händelse nr {seq} har inte den hash som {anchor.label} har sparat "
                        "(kedjan är omskriven från den händelsen eller tidigare)",
                    )
        walk.prev, walk.last_at, walk.count = event.hash, event.at, seq
        walk.keyed += event.chain_version == KEYED
    return walk.verdict()


def _key_of(event: AuditEvent, keys: AuditKeys, keyed_before: int) -> tuple[AuditKey | None, str]:
    """The key that checks `event` (None: version 1), or why it cannot be checked."""
    seq = event.seq
    if event.chain_version == PLAIN:
        if keyed_before:
            return None, (
                f"händelse nr {seq} saknar nyckel fast händelser före den har en: den är "
                "infogad eller ändrad av någon utan granskningsnyckeln"
            )
        return None, ""
    if event.chain_version != KEYED:
        return None, f"händelse nr {seq} har en okänd kedjeversion ({event.chain_version})"
    key = keys.find(event.key_id)
    if key is not None:
        return key, ""
    if not keys.keys:
        return None, keys.missing or "granskningsnyckeln saknas"
    return None, (
        f"fel granskningsnyckel: händelse nr {seq} är signerad med nyckel {event.key_id}, som "
        f"inte finns bland nycklarna i {keys.source} ({', '.join(keys.ids)}). Ange den nyckel "
        "loggen skrevs med; efter ett nyckelbyte ska de gamla nycklarna stå kvar efter den nya"
    )


def _reached(verdict: Verdict, anchors: list[_Anchor]) -> Verdict | None:
    """Whether the chain reaches every head known from outside."""
    for anchor in anchors:
        if anchor.seq > verdict.head_seq:
            lost = (
                f"händelse {anchor.seq}"
                if anchor.seq == verdict.head_seq + 1
                else f"händelserna {verdict.head_seq + 1}–{anchor.seq}"
            )
            return _with(
                verdict,
                broken_at=verdict.head_seq + 1,
                problem=(
                    f"granskningsloggen slutar vid händelse {verdict.head_seq} men {anchor.label} "
                    f"säger {anchor.seq}: {lost} har raderats (loggen har kortats)"
                ),
            )
    return None


def _not_empty(app: Application, verdict: Verdict) -> Verdict | None:
    """An empty log where cycles or timers exist: every one of them wrote events."""
    if verdict.events:
        return None
    cycles = len(app.reads.cycles(CycleFilter()))
    timers = sum(app.reads.timer_counts().values())
    if not cycles and not timers:
        return None
    held = " och ".join(
        words.count(n, one, many)
        for n, one, many in ((cycles, "cykel", "cykler"), (timers, "timer", "timrar"))
        if n
    )
    return _with(
        verdict,
        broken_at=1,
        problem=(f"granskningsloggen är tom men databasen har {held}: händelserna har raderats"),
    )


def _head_file_gone(outside: OutsideHead, keyed: int) -> str:
    """A configured head file is missing though keyed events (which wrote it) exist."""
    signed = words.count(keyed, "nyckelsignerad händelse", "nyckelsignerade händelser")
    return (
        f"huvudfilen {outside.source} saknas fast loggen har {signed}: den är borttagen, "
        "eller LOFTE_AUDIT_HEAD pekar på en annan fil än den motorn skriver till. Utan den "
        "syns det inte om de senaste händelserna raderats"
    )
