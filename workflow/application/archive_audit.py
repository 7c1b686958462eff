"""The year's stretch of the audit chain in an archive package, and its check without the
database.

The chain is one for the whole deployment, so the year's stretch (every event from the first
of the year to the last) holds other units' events too. A run of those is kept as one line
(`withheld`: its first and last number, the hash before it and its last hash, how many), so
the stretch can be followed from end to end without handing one unit's records to another's
archive; the hashes at its ends can be compared with the database or another unit's package.
An event of the archive's units, or of the whole deployment (no unit), is kept whole.

Offline, the links can always be checked (each line names the hash of the one before, the
numbers run without a gap, the stretch ends where the package says it does). An event's own
hash can be recomputed only from a whole event: a version 1 event's (plain SHA-256) always,
a version 2 event's (HMAC) only with the audit key it names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lofte.workflow.application.archive_format import EVENT_VERSION, EVENTS, iso, json_line
from lofte.workflow.core.audit_chain import (
    KEYED,
    PLAIN,
    AuditKeys,
    chain_hash,
    hashed_values,
)
from lofte.workflow.core.records import AuditEvent

MOST_PROBLEMS = 20  # named one by one; the rest counted
# Engines on several hosts append with their own clocks: an event this long after the year
# may still be followed by one of the year; later than that the reading stops.
STRAGGLERS = timedelta(hours=1)


@dataclass
class Segment:
    lines: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    withheld: int = 0

    @property
    def text(self) -> str:
        return "".join(json_line(line) + "\n" for line in self.lines)

    def add(self, event: AuditEvent, whole: bool) -> None:
        self.events += 1
        if whole:
            self.lines.append(_line(event))
            return
        self.withheld += 1
        last = self.lines[-1] if self.lines else None
        if last is not None and last.get("withheld") and last["last_seq"] + 1 == event.seq:
            last.update(last_seq=event.seq, hash=event.hash, events=last["events"] + 1)
            return
        self.lines.append(
            {
                "v": EVENT_VERSION,
                "withheld": True,
                "seq": event.seq,
                "last_seq": event.seq,
                "events": 1,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            }
        )

    def summary(self, start: datetime, end: datetime) -> dict[str, Any]:
        """What audit/verification.json says the events file holds."""
        first, last = (self.lines[0], self.lines[-1]) if self.lines else ({}, {})
        return {
            "from": iso(start),
            "until": iso(end),
            "first_seq": first.get("seq"),
            "last_seq": last.get("last_seq", last.get("seq")),
            "events": self.events,
            "withheld": self.withheld,
            "lines": len(self.lines),
            "prev_hash": first.get("prev_hash"),
            "last_hash": last.get("hash"),
        }


def year_segment(
    events: Iterable[AuditEvent], units: set[str], start: datetime, end: datetime
) -> Segment:
    """The events from the first at or after `start` to the last before `end`, in order;
    read as a stream, so that a long log is never held whole."""
    segment = Segment()
    after: list[AuditEvent] = []  # at or after `end`: kept only if one of the year follows
    for event in events:
        if event.at >= end + STRAGGLERS:
            break
        if not segment.events and not after and event.at < start:
            continue
        if event.at >= end:
            after.append(event)
            continue
        for one in [*after, event]:
            segment.add(one, one.unit_id in units or not one.unit_id)
        after.clear()
    return segment


def _line(event: AuditEvent) -> dict[str, Any]:
    return {
        "v": EVENT_VERSION,
        "seq": event.seq,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "chain_version": event.chain_version,
        "key_id": event.key_id,
        "at": iso(event.at),
        "unit_id": event.unit_id,
        "instance_id": event.instance_id,
        "definition_name": event.definition_name,
        "definition_version": event.definition_version,
        "event": event.event,
        "actor": event.actor,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "detail": event.detail,
    }


@dataclass
class SegmentCheck:
    """What the offline check of the events found, and which checks it could run."""

    events: int = 0
    withheld: int = 0
    recomputed: int = 0  # whole events whose own hash was recomputed and matched
    unkeyed: int = 0  # whole version 2 events not recomputed: no key given
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < MOST_PROBLEMS:
            self.problems.append(text)
        elif len(self.problems) == MOST_PROBLEMS:
            self.problems.append(f"{EVENTS}: fler fel (de första {MOST_PROBLEMS} visas)")


def check_segment(text: str, declared: dict[str, Any], keys: AuditKeys | None) -> SegmentCheck:
    """Follow the events in `text` link by link against `declared` (verification.json's
    `segment`), recomputing each whole event's hash where possible."""
    check = SegmentCheck()
    expected_seq = declared.get("first_seq")
    prev = declared.get("prev_hash")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _parsed(raw, number, check)
        if line is None:
            return check
        seq = line.get("seq")
        if seq != expected_seq:
            what = "saknas" if isinstance(seq, int) and seq > (expected_seq or 0) else "är fel"
            check.problem(f"{EVENTS} rad {number}: händelse nr {expected_seq} {what} (fann {seq})")
        if line.get("prev_hash") != prev:
            check.problem(
                f"{EVENTS} rad {number}: händelse nr {seq} pekar inte på händelsen före "
                "(en händelse är borttagen, infogad eller ändrad)"
            )
        _recompute(line, number, keys, check)
        last_seq, count = _extent(line, number, check)
        check.events += count
        check.withheld += count if line.get("withheld") else 0
        prev = line.get("hash")
        expected_seq = (last_seq if isinstance(last_seq, int) else expected_seq or 0) + 1
    _ends(check, declared, prev, expected_seq)
    return check


def _extent(line: dict[str, Any], number: int, check: SegmentCheck) -> tuple[object, int]:
    """(the line's last event number, how many events it stands for)."""
    if not line.get("withheld"):
        return line.get("seq"), 1
    first, last, count = line.get("seq"), line.get("last_seq"), line.get("events")
    if not (isinstance(first, int) and isinstance(last, int) and count == last - first + 1):
        check.problem(f"{EVENTS} rad {number}: följden av andra enheters händelser är felaktig")
        return last, count if isinstance(count, int) else 0
    return last, count


def _parsed(raw: str, number: int, check: SegmentCheck) -> dict[str, Any] | None:
    try:
        line = json.loads(raw)
    except ValueError:
        check.problem(f"{EVENTS} rad {number}: ingen giltig JSON (filen är skadad eller avkortad)")
        return None
    if not isinstance(line, dict) or line.get("v") != EVENT_VERSION:
        version = line.get("v") if isinstance(line, dict) else None
        check.problem(f"{EVENTS} rad {number}: okänd form på händelsen (version {version})")
        return None
    return line


def _recompute(
    line: dict[str, Any], number: int, keys: AuditKeys | None, check: SegmentCheck
) -> None:
    if line.get("withheld"):
        return
    version, seq = line.get("chain_version"), line.get("seq")
    key = None
    if version == KEYED:
        key = keys.find(str(line.get("key_id"))) if keys is not None else None
        if key is None:
            check.unkeyed += 1
            if keys is not None and keys.keys:
                check.problem(
                    f"{EVENTS} rad {number}: händelse nr {seq} är signerad med nyckel "
                    f"{line.get('key_id')}, som inte finns bland de angivna nycklarna"
                )
            return
    elif version != PLAIN:
        check.problem(f"{EVENTS} rad {number}: okänd kedjeversion {version}")
        return
    try:
        digest = chain_hash(str(line["prev_hash"]), int(line["seq"]), _values(line), key)
    except (KeyError, TypeError, ValueError):
        check.problem(f"{EVENTS} rad {number}: händelse nr {seq} saknar fält")
        return
    if digest != line.get("hash"):
        check.problem(f"{EVENTS} rad {number}: händelse nr {seq} har ändrats (hashen stämmer inte)")
    else:
        check.recomputed += 1


def _values(line: dict[str, Any]) -> dict[str, Any]:
    event = AuditEvent(
        at=datetime.fromisoformat(line["at"]),
        event=line["event"],
        actor=line["actor"],
        unit_id=line["unit_id"],
        definition_name=line["definition_name"],
        definition_version=line["definition_version"],
        instance_id=line["instance_id"],
        from_state=line["from_state"],
        to_state=line["to_state"],
        detail=line["detail"],
    )
    return hashed_values(event)


def _ends(check: SegmentCheck, declared: dict[str, Any], prev: object, next_seq: object) -> None:
    """The stretch ends where verification.json says, with as many events."""
    last, count = declared.get("last_seq"), declared.get("events")
    if check.events != count or prev != declared.get("last_hash"):
        reached = (next_seq - 1) if isinstance(next_seq, int) else None
        check.problem(
            f"{EVENTS} har {check.events} händelser och slutar vid nr {reached}, men "
            f"audit/verification.json säger {count} händelser till nr {last} "
            "(filen är avkortad eller ändrad)"
        )
