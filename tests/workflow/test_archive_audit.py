"""The year's stretch of the audit chain in an archive package (`archive_audit`), over a chain
made by the appender's own functions across a new year: it starts where the year starts (its
first line naming the last hash of the year before), ends where the year ends (an event of
the year after the new year's first one is kept, so the stretch has no hole), keeps other
units' runs as one line each, and checks offline with and without the key."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lofte.kernel.timerules import STOCKHOLM
from lofte.storage.sensitive_keys import new_key
from lofte.workflow.application.archive_audit import check_segment, year_segment
from lofte.workflow.core.audit_chain import (
    GENESIS,
    AuditKey,
    AuditKeys,
    chain_hash,
    chained_rows,
    hashed_values,
)
from lofte.workflow.core.records import AuditEvent

START = datetime(2027, 1, 1, tzinfo=STOCKHOLM)
END = datetime(2028, 1, 1, tzinfo=STOCKHOLM)


def _chain(key: AuditKey, moments: list[tuple[datetime, str]]) -> list[AuditEvent]:
    events = [
        AuditEvent(at, "input_received", "nils-aberg", unit, detail={"n": i, "ord": "åtgärd"})
        for i, (at, unit) in enumerate(moments)
    ]
    rows, _ = chained_rows(events, (0, GENESIS), key)
    return [
        replace(
            e,
            seq=r["seq"],
            prev_hash=r["prev_hash"],
            hash=r["hash"],
            chain_version=2,
            key_id=r["key_id"],
        )
        for e, r in zip(events, rows, strict=True)
    ]


def test_the_years_stretch_starts_and_ends_with_the_year_and_checks_with_and_without_key() -> None:
    key = AuditKey(new_key())
    hour = timedelta(hours=1)
    moments = [
        (START - 2 * hour, "sala"),  # 1: the year before
        (START + hour, "sala"),  # 2
        (START + 2 * hour, "norberg"),  # 3 \
        (START + 3 * hour, "fagersta"),  # 4  one run of others
        (START + 4 * hour, ""),  # 5: the deployment's, whole
        (END + timedelta(minutes=5), "sala"),  # 6: after the year, but 7 is of the year
        (END - timedelta(minutes=1), "norberg"),  # 7: a straggler of another engine
        (END + 2 * hour, "sala"),  # 8: the year after
    ]
    chain = _chain(key, moments)
    segment = year_segment(chain, {"sala"}, START, END)
    summary = segment.summary(START, END)
    assert [line["seq"] for line in segment.lines] == [2, 3, 5, 6, 7]
    assert segment.lines[1] | {"prev_hash": "", "hash": ""} == {
        "v": 1,
        "withheld": True,
        "seq": 3,
        "last_seq": 4,
        "events": 2,
        "prev_hash": "",
        "hash": "",
    }
    assert (
        segment.lines[1]["hash"] == chain[3].hash and segment.lines[0]["detail"]["ord"] == "åtgärd"
    )
    assert summary["prev_hash"] == chain[0].hash and summary["last_hash"] == chain[6].hash
    assert (summary["first_seq"], summary["last_seq"], summary["events"], summary["withheld"]) == (
        2,
        7,
        6,
        3,
    )

    keyed = check_segment(segment.text, summary, AuditKeys((key,), "test"))
    assert keyed.problems == [] and keyed.recomputed == 3 and keyed.events == 6
    unkeyed = check_segment(segment.text, summary, None)
    assert unkeyed.problems == [] and unkeyed.recomputed == 0 and unkeyed.unkeyed == 3

    forged = segment.text.replace('"actor":"nils-aberg"', '"actor":"någon"', 1)
    assert check_segment(forged, summary, None).problems == []  # without the key: unseen
    found = check_segment(forged, summary, AuditKeys((key,), "test")).problems
    assert found == ["audit/events.jsonl rad 1: händelse nr 2 har ändrats (hashen stämmer inte)"]


def test_a_plain_chain_is_recomputed_without_a_key() -> None:
    moments = [
        (datetime(2027, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=i), "sala") for i in range(3)
    ]
    events = [
        AuditEvent(at, "cycle_opened", "engine", unit, detail={"i": i})
        for i, (at, unit) in enumerate(moments)
    ]
    prev, plain = GENESIS, []
    for seq, event in enumerate(events, start=1):
        digest = chain_hash(prev, seq, hashed_values(event), None)
        plain.append(replace(event, seq=seq, prev_hash=prev, hash=digest, chain_version=1))
        prev = digest
    segment = year_segment(plain, {"sala"}, START, END)
    check = check_segment(segment.text, segment.summary(START, END), None)
    assert check.problems == [] and check.recomputed == 3 and check.unkeyed == 0
