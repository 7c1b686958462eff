"""A mail server that stays down, in virtual time: retries double up to an hour apart for the
default horizon of three days before a message becomes an incident, and administrators get one
delivery alert per outage once delivery has failed for an hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from lofte.notifications import dispatcher as dispatcher_module
from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher
from lofte.notifications.transports import DeliveryFailed
from lofte.storage.repositories.outbox import SqlOutbox
from lofte.workflow.core.records import MessageKind, OutboxMessage, OutboxStatus
from tests.harness import Harness, utc
from tests.notifications.support import current

T0 = utc(2027, 1, 11, 10)


class SwitchableServer:
    """A transport that answers 451 while `down`, and otherwise records what it was given."""

    def __init__(self) -> None:
        self.down = True
        self.delivered: list[Any] = []

    def deliver(self, email: Any) -> str:
        if self.down:
            raise DeliveryFailed("127.0.0.1 svarade 451 4.3.0 Försök senare")
        self.delivered.append(email)
        return "test"


def dispatcher(h: Harness, server: SwitchableServer, *, exclusive: bool = False) -> Dispatcher:
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "23"})
    return Dispatcher(h.store, h.clock, server, settings, exclusive=exclusive)


def sign_in(h: Harness, person: str, valid_for: timedelta = timedelta(days=10)) -> OutboxMessage:
    """A sign-in link for `person`, valid for `valid_for` (one message in the outbox)."""
    now = h.clock.now()
    stamp = now.strftime("%Y%m%dT%H%M%S")
    h.engine.send_sign_in(person, "https://lofte.example.se/logga-in/x", now + valid_for, stamp)
    return next(m for m in h.outbox("sign_in", person) if m.key.endswith(f"{stamp}:{person}"))


def alerts(h: Harness) -> list[OutboxMessage]:
    return h.outbox(MessageKind.DELIVERY_ALERT.value)


def test_a_message_is_retried_for_three_days_then_becomes_an_incident(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    h.clock.set(T0)
    server = SwitchableServer()
    d = dispatcher(h, server)  # the defaults: first retry after 60 s, horizon 72 h
    message = sign_in(h, "jonas-ek")
    assert d.run_once().failed_attempts == 1
    waits = []
    while (now := current(h, message.id).next_attempt_at) is not None:
        waits.append(now - h.clock.now())
        h.clock.set(now)
        d.run_once()
    failed = current(h, message.id)
    assert failed.status is OutboxStatus.FAILED and "451" in (failed.last_error or "")
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == timedelta(hours=1)
    given_up_after = h.clock.now() - T0
    assert timedelta(hours=72) <= given_up_after < timedelta(hours=73)
    assert failed.attempts == len(waits) + 1
    incident = [e for e in h.audit() if e.event == "outbox_incident"]
    assert len(incident) == 1 and incident[0].unit_id == "deployment"
    assert incident[0].detail["key"] == message.key and incident[0].at == h.clock.now()


@pytest.mark.parametrize("exclusive", [False, True], ids=["shared", "exclusive"])
def test_administrators_get_one_alert_after_an_hour_of_failing_delivery(
    sqlite_harness: Harness, exclusive: bool
) -> None:
    h = sqlite_harness
    h.clock.set(T0)
    server = SwitchableServer()
    d = dispatcher(h, server, exclusive=exclusive)
    sign_in(h, "jonas-ek")
    d.run_once()
    step_through(h, d, T0 + timedelta(minutes=59))
    assert alerts(h) == []
    step_through(h, d, T0 + timedelta(hours=1))
    (alert,) = alerts(h)
    assert alert.person_id == "admin" and alert.context["failing_since"] == T0.isoformat()
    assert alert.context["waiting"] == 1 and "451" in alert.context["last_error"]
    step_through(h, d, T0 + timedelta(hours=30))
    assert len(alerts(h)) == 1  # one alert per outage, however long it lasts
    server.down = False
    step_through(h, d, T0 + timedelta(hours=31))
    kinds = sorted(e.kind for e in server.delivered)
    assert kinds == ["delivery_alert", "sign_in"]


@pytest.mark.parametrize("exclusive", [False, True], ids=["shared", "exclusive"])
def test_an_expired_message_does_not_start_a_second_alert_in_the_same_outage(
    sqlite_harness: Harness, exclusive: bool
) -> None:
    h = sqlite_harness
    h.clock.set(T0)
    server = SwitchableServer()
    d = dispatcher(h, server, exclusive=exclusive)
    short = sign_in(h, "jonas-ek", valid_for=timedelta(hours=2))
    d.run_once()
    step_through(h, d, T0 + timedelta(minutes=30))
    sign_in(h, "fatima-ali")  # first fails half an hour into the outage
    step_through(h, d, T0 + timedelta(hours=1, minutes=30))
    assert len(alerts(h)) == 1
    step_through(h, d, T0 + timedelta(hours=3))
    assert current(h, short.id).status is OutboxStatus.EXPIRED
    assert len(alerts(h)) == 1  # the oldest failing message expired; the outage goes on
    server.down = False
    step_through(h, d, T0 + timedelta(hours=4))  # delivery is back: the outage is over
    server.down = True
    restart = h.clock.now()
    sign_in(h, "jonas-ek")
    step_through(h, d, restart + timedelta(hours=1, minutes=5))
    second = [a for a in alerts(h) if a.context["failing_since"] != T0.isoformat()]
    assert len(alerts(h)) == 2 and len(second) == 1


def test_an_exclusive_dispatcher_looks_for_an_outage_only_after_a_failure(
    sqlite_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = sqlite_harness
    h.clock.set(T0)
    looks: list[datetime] = []
    check = dispatcher_module.check_outage

    def counted(*args: Any) -> Any:
        looks.append(h.clock.now())
        return check(*args)

    monkeypatch.setattr(dispatcher_module, "check_outage", counted)
    server = SwitchableServer()
    server.down = False
    d = dispatcher(h, server, exclusive=True)
    sign_in(h, "jonas-ek")
    step_through(h, d, T0 + timedelta(hours=2))  # 24 runs, mail flows
    assert looks == [T0 + timedelta(minutes=5)]  # the first run's look only
    server.down = True
    sign_in(h, "fatima-ali")
    step_through(h, d, T0 + timedelta(hours=4))
    assert len(alerts(h)) == 1  # the failures brought looks, and the alert came
    shared = dispatcher(h, SwitchableServer())
    looks.clear()
    step_through(h, shared, h.clock.now() + timedelta(hours=1))
    assert len(looks) >= 12  # a shared dispatcher keeps looking: others may be failing


def step_through(
    h: Harness, d: Dispatcher, end: datetime, step: timedelta = timedelta(minutes=5)
) -> None:
    """Run the dispatcher every `step` until `end` (as a deployment's delivery job does)."""
    while h.clock.now() < end:
        h.clock.set(min(end, h.clock.now() + step))
        d.run_once()


def test_told_nothing_is_new_an_exclusive_dispatcher_still_sends_its_retries_when_due(
    sqlite_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # lofte simulate tells its dispatcher when no message was queued since the last run.
    h = sqlite_harness
    h.clock.set(T0)
    server = SwitchableServer()
    d = dispatcher(h, server, exclusive=True)
    first = sign_in(h, "jonas-ek")
    d.run_once()  # fails: retried a minute later
    h.clock.set(T0 + timedelta(seconds=30))
    second = sign_in(h, "fatima-ali")
    d.run_once()  # fails too: retried a minute after that
    server.down = False
    claims: list[datetime] = []
    claim = SqlOutbox.claim

    def counted(self: SqlOutbox, now: datetime, *args: Any) -> list[OutboxMessage]:
        claims.append(now)
        return claim(self, now, *args)

    monkeypatch.setattr(SqlOutbox, "claim", counted)
    monkeypatch.setattr(SqlOutbox, "claimable", None)  # an exclusive dispatcher never looks
    for seconds in range(40, 181, 10):
        h.clock.set(T0 + timedelta(seconds=seconds))
        d.run_once(anything_new=False)
    assert current(h, first.id).status is OutboxStatus.SENT
    assert current(h, second.id).status is OutboxStatus.SENT
    assert current(h, second.id).sent_at == T0 + timedelta(seconds=90)
    assert claims == [T0 + timedelta(seconds=60), T0 + timedelta(seconds=90)]  # no other


def test_an_exclusive_dispatcher_sends_a_retry_left_waiting_by_an_earlier_run(
    sqlite_harness: Harness,
) -> None:
    # lofte simulate --database on a database where an earlier run left a retry waiting.
    h = sqlite_harness
    h.clock.set(T0)
    server = SwitchableServer()
    left = sign_in(h, "jonas-ek")
    dispatcher(h, server).run_once()  # an earlier run's failure: retried at T0 + 60 s
    server.down = False
    later = dispatcher(h, server, exclusive=True)
    for seconds in range(10, 121, 10):
        h.clock.set(T0 + timedelta(seconds=seconds))
        later.run_once(anything_new=False)  # nothing new, ever
    assert current(h, left.id).status is OutboxStatus.SENT
    assert current(h, left.id).sent_at == T0 + timedelta(seconds=60)


def test_an_incident_sent_again_is_looked_for_at_the_next_run(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    h.clock.set(T0)

    class Refusing(SwitchableServer):
        def deliver(self, email: Any) -> str:
            if self.down:
                raise DeliveryFailed("550 5.1.1 okänd mottagare", permanent=True)
            return super().deliver(email)

    server = Refusing()
    d = dispatcher(h, server, exclusive=True)
    message = sign_in(h, "jonas-ek")
    assert d.run_once().incidents == 1
    server.down = False
    h.clock.set(T0 + timedelta(minutes=5))
    d.retry(message.id or 0, "admin")  # the administrator's "Skicka igen"
    d.run_once(anything_new=False)
    assert current(h, message.id).status is OutboxStatus.SENT
