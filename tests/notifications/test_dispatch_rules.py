"""Delivery rules in virtual time: a message whose moment has passed is expired, not sent
late; people with a daily digest get one email covering every unit where they hold a role; a
simulated month renders every message and no email carries sensitive content."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lofte.notifications import dispatcher as dispatcher_module
from lofte.notifications.config import mail_settings
from lofte.notifications.dispatcher import Dispatcher, DispatchReport
from lofte.notifications.failures import Failure
from lofte.notifications.sending import Sender, SendJob, SendResult
from lofte.notifications.transports import FileDropTransport
from lofte.workflow.core.records import OutboxStatus
from lofte.workflow.drivers.fake_answers import fake_answer
from tests.harness import Harness, utc
from tests.notifications.support import current, only_one_pending

SECRET_NAME = "Kalle Anka, född 1934"


def files(h: Harness, folder: Path, **env: str) -> Dispatcher:
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "23", **env})
    return Dispatcher(h.store, h.clock, FileDropTransport(folder), settings)


def test_a_request_for_a_closed_step_is_expired_not_sent_late(
    week: Harness, tmp_path: Path
) -> None:
    message_id = only_one_pending(week)
    week.run_until(utc(2027, 1, 9))  # the step's late window has closed meanwhile
    report = files(week, tmp_path / "mail").run_once()
    expired = current(week, message_id)
    assert expired.status is OutboxStatus.EXPIRED and "för sent" in (expired.last_error or "")
    assert report.expired >= 1 and expired.sent_at is None


def test_one_digest_covers_both_municipalities_of_a_kommunpolis(
    week: Harness, tmp_path: Path
) -> None:
    mail = tmp_path / "mail"
    d = files(week, mail, LOFTE_DIGEST_HOUR="7")
    report = d.run_once()
    held = [m for m in week.outbox(person="omar-said") if m.status is OutboxStatus.DIGESTED]
    # Norberg's and Skinnskatteberg's inventories, and the police area's LOLG where he reports
    assert {m.unit_id for m in held} == {"norberg", "skinnskatteberg", "lpo-norra-vastmanland"}
    digests = [m for m in week.outbox("digest") if m.person_id == "omar-said"]
    assert len(digests) == 1 and report.digests == 1
    units = {task["unit_name"] for task in digests[0].context["tasks"]}
    assert units == {"Norbergs kommun", "Skinnskattebergs kommun", "LPO Norra Västmanland"}
    assert d.run_once().digests == 0  # one a day
    week.clock.advance(timedelta(days=1))
    assert d.run_once().digests == 1


def test_a_simulated_month_renders_every_message_and_no_email_carries_sensitive_content(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    h = sqlite_harness
    mail = tmp_path / "mail"
    d = files(h, mail, LOFTE_DIGEST_HOUR="7")
    rng = random.Random(3)
    directory = h.bundle.directory
    end = utc(2027, 2, 1)
    while h.clock.now() < end:
        h.run_until(min(end, h.clock.now() + timedelta(hours=12)))
        for cycle in h.cycles():
            unit = directory.unit(cycle.unit_id)
            assert unit is not None
            definition = h.bundle.definition(cycle.definition_name)
            for request in h.requests(cycle):
                if request.status.value != "open" or h.clock.now() > request.deadline_at:
                    continue
                answer = fake_answer(
                    definition.step(request.step_id),
                    request.roles,
                    directory.members(unit),
                    rng,
                    h.clock.now(),
                )
                if "namngivna_personer" in {f.id for f in definition.step(request.step_id).fields}:
                    answer["namngivna_personer"] = SECRET_NAME
                h.engine.submit(request.id or 0, request.person_id, answer)
        report = d.run_once()
        assert report.permanent_failures == []
    emails = list(mail.glob("*.eml"))
    assert len(emails) > 200  # a month of the example police area (250 with this seed)
    lolg_decisions = [m for m in h.outbox("decision") if m.unit_id == "lpo-norra-vastmanland"]
    assert lolg_decisions  # the police decision was announced (without its sensitive part)
    for path in emails:
        assert SECRET_NAME.encode() not in path.read_bytes(), path.name
    statuses = {m.status for m in h.outbox()}
    assert OutboxStatus.FAILED not in statuses


def test_the_retry_wait_doubles_to_an_hour_and_never_overflows() -> None:
    from datetime import timedelta

    from lofte.notifications.failures import backoff

    assert [backoff(60, n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(60, 7) == timedelta(hours=1)
    assert backoff(60, 500) == timedelta(hours=1)  # three days of tries: 2**499 would overflow


def test_handed_over_messages_stay_claimed_until_their_results_are_recorded(
    week: Harness, tmp_path: Path
) -> None:
    # `lofte simulate` renders and sends in a worker process: its dispatcher hands jobs over.
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "23"})
    transport = FileDropTransport(tmp_path / "mail")
    jobs: list[SendJob] = []
    d = Dispatcher(
        week.store, week.clock, transport, settings, hand_off=jobs.append, lease=timedelta(days=9)
    )
    report = d.run_once()
    handed = [m for job in jobs for m in job.messages]
    assert report.handed == len(handed) > 10 and report.sent == 0
    assert {current(week, m.id or 0).status for m in handed} == {OutboxStatus.SENDING}
    assert any(job.shown for job in jobs)  # what a request shows is read when it is claimed
    week.clock.advance(timedelta(hours=2))
    assert d.run_once().handed == 0  # nothing is claimed twice while the worker is behind
    sender = Sender(transport, settings, d.answer_secret())
    for job in jobs:
        d.record(sender.send(job), report, job.moment)
    assert {current(week, m.id or 0).status for m in handed} == {OutboxStatus.SENT}
    assert report.sent == len(handed) == len(list((tmp_path / "mail").glob("*.eml")))
    assert {current(week, m.id or 0).sent_at for m in handed} == {jobs[0].moment}


def test_the_look_before_a_claim_finds_what_a_claim_would_take(harness: Harness) -> None:
    # Runs on both databases: a delivery run looks (without a lock) before it claims.
    h = harness
    moment = h.clock.now()
    stamp = moment.strftime("%Y%m%dT%H%M%S")
    h.engine.send_sign_in("jonas-ek", "https://x.example.se/l", moment + timedelta(days=1), stamp)
    lease = timedelta(minutes=10)

    def claimable(at: datetime) -> bool:
        with h.store.unit_of_work(read_only=True) as uow:
            return uow.outbox.claimable(at, at - lease)

    assert not claimable(moment - timedelta(seconds=1))  # not before it was written
    assert claimable(moment)
    with h.store.unit_of_work() as uow:
        (claimed,) = uow.outbox.claim(moment, moment - lease, "d1", 10)
    assert not claimable(moment + timedelta(minutes=9))  # held by d1
    assert claimable(moment + timedelta(minutes=11))  # d1's lease ran out
    with h.store.unit_of_work() as uow:
        uow.outbox.mark_sent([(claimed, "test")], moment, "d1")
    assert not claimable(moment + timedelta(days=2))
    report = files(h, Path("unused")).run_once()
    assert report.sent == report.handed == report.expired == 0


def test_a_result_that_cannot_be_recorded_leaves_the_others_recorded(
    week: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs: list[SendJob] = []
    settings = mail_settings({"LOFTE_DIGEST_HOUR": "23"})
    transport = FileDropTransport(tmp_path / "mail")
    d = Dispatcher(week.store, week.clock, transport, settings, hand_off=jobs.append)
    d.run_once()
    first, second = jobs[0].messages[0], jobs[0].messages[1]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("kan inte sparas")

    monkeypatch.setattr(dispatcher_module, "record_failure", broken)
    sent = SendResult(week.clock.now(), [(first, "test")], [])
    failed = SendResult(week.clock.now(), [], [Failure(second, "451", False)])
    d.record_all([(sent, sent.moment), (failed, failed.moment)], DispatchReport())
    assert current(week, first.id or 0).status is OutboxStatus.SENT
    assert current(week, second.id or 0).status is OutboxStatus.SENDING  # kept, not lost
    monkeypatch.undo()
    assert d.run_once().failed_attempts == 1  # recorded first, before anything else
    retried = current(week, second.id or 0)
    assert retried.status is OutboxStatus.PENDING and retried.last_error == "451"
