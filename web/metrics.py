"""`/metrics` in Prometheus' text format: a collector that reads every figure from the database
at the moment of the scrape (`workflow.application.operations`), so each web process shows the
same numbers and nothing drifts between processes or restarts. Every HELP says what exactly the
number counts."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from lofte.workflow.application.operations import (
    ANSWERS_WINDOW,
    OVERDUE_AFTER,
    OperationsFigures,
    OperationsReads,
)
from lofte.workflow.core.records import OutboxStatus, TimerStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def _gauge(name: str, help_text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, value=value)


class LofteCollector(Collector):
    """Reads `OperationsFigures` once per scrape and turns them into gauges."""

    def __init__(self, reads: OperationsReads, now: Callable[[], datetime]) -> None:
        self.reads = reads
        self.now = now

    def describe(self) -> list[Metric]:
        return []  # nothing is read when the collector is registered

    def collect(self) -> Iterator[Metric]:
        figures = self.reads.figures(self.now())
        yield from _timers(figures)
        yield from _messages(figures)
        yield from _cycles_and_answers(figures)
        yield from _engine_and_audit(figures)


def _timers(f: OperationsFigures) -> Iterator[Metric]:
    yield _gauge(
        "lofte_timers_pending",
        "Timers (openings, reminders, deadlines, escalations, expiries) waiting to fire, "
        "whether due or not.",
        f.timers.get(TimerStatus.PENDING, 0),
    )
    minutes = int(OVERDUE_AFTER.total_seconds() // 60)
    yield _gauge(
        "lofte_timers_overdue",
        f"Pending timers whose due time passed more than {minutes} minute(s) before the scrape "
        "(includes timers waiting for a retry after a failure).",
        f.timers_overdue,
    )
    yield _gauge(
        "lofte_timer_incidents",
        "Timers whose handler failed five times and that wait for an administrator "
        "(`lofte timers retry`).",
        f.timers.get(TimerStatus.FAILED, 0),
    )


def _messages(f: OperationsFigures) -> Iterator[Metric]:
    waiting = sum(f.messages.get(status, 0) for status in WAITING)
    yield _gauge(
        "lofte_messages_waiting",
        "Outbox emails not yet sent: queued, waiting for a retry or being sent "
        "(not those held for a daily digest).",
        waiting,
    )
    age = 0.0 if f.oldest_waiting_at is None else (f.now - f.oldest_waiting_at).total_seconds()
    yield _gauge(
        "lofte_messages_oldest_waiting_age_seconds",
        "Seconds since the oldest waiting email (as in lofte_messages_waiting) was queued; "
        "0 when none waits.",
        max(age, 0.0),
    )
    yield _gauge(
        "lofte_messages_held_for_digest",
        "Outbox emails held for a person's daily digest.",
        f.messages.get(OutboxStatus.HELD, 0),
    )
    yield _gauge(
        "lofte_message_incidents",
        "Outbox emails whose retries ran out and that wait for an administrator "
        "(`lofte outbox retry`).",
        f.messages.get(OutboxStatus.FAILED, 0),
    )


def _cycles_and_answers(f: OperationsFigures) -> Iterator[Metric]:
    open_cycles = GaugeMetricFamily(
        "lofte_cycles_open",
        "Cycles opened and not yet closed, by definition (all units together).",
        labels=["definition"],
    )
    for definition, count in sorted(f.open_cycles.items()):
        open_cycles.add_metric([definition], count)
    yield open_cycles
    hours = int(ANSWERS_WINDOW.total_seconds() // 3600)
    yield _gauge(
        "lofte_answers_last_24h",
        f"Requests answered (first answer or a change) in the {hours} hours before the scrape, "
        "by the time of their latest answer.",
        f.answers_last_day,
    )


def _engine_and_audit(f: OperationsFigures) -> Iterator[Metric]:
    age = math.inf if f.beat is None else max((f.now - f.beat.at).total_seconds(), 0.0)
    yield _gauge(
        "lofte_engine_heartbeat_age_seconds",
        "Seconds since the latest heartbeat of any running engine (`lofte run` writes one "
        "every 30 s); +Inf if none was ever written. Over 120 s makes /readyz not ready.",
        age,
    )
    yield _gauge(
        "lofte_audit_head_sequence",
        "Sequence number of the newest event in the audit log (0 when it is empty); it only "
        "grows, so a fall means events were removed.",
        f.audit_head,
    )


def metrics_text(reads: OperationsReads, now: Callable[[], datetime]) -> bytes:
    """The figures as Prometheus' text format, read now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LofteCollector(reads, now))
    return generate_latest(registry)
