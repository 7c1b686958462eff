"""Making and sending claimed messages, without the database: rendering, composing and
handing each email to the transport. The dispatcher does this in its own process; `lofte
simulate` does it in a worker process while its engine process keeps the database (the worker
gets a `SendJob` and gives back what was sent and what failed, which the dispatcher records).

Given a `StopSignal`, a sender stops when it is set: the messages not yet begun are released,
and the conversation under way (which runs on a thread of its own) is abandoned at once, however
long the mail server keeps silent. Whether an abandoned message reached the server is not known
(the server may have taken the DATA and not yet answered): it is released too and sent again
after the restart with the same Message-ID. Delivery is at least once, never at most once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from queue import SimpleQueue
from typing import Any

from lofte.kernel.stopping import STOPPING, StopSignal, take
from lofte.notifications.compose import OutgoingEmail, compose
from lofte.notifications.config import MailSettings
from lofte.notifications.failures import Failure
from lofte.notifications.render import Renderer
from lofte.notifications.transports import DeliveryFailed, Transport
from lofte.workflow.application.answer_links import make_token
from lofte.workflow.application.reply_address import reply_address
from lofte.workflow.core.records import OutboxMessage

log = logging.getLogger("lofte.outbox")
ABANDONED = (
    "avbrutet när Löfte stoppades; kan ha nått e-postservern och skickas igen (samma Message-ID)"
)

ShownKey = tuple[int, str]  # (instance id, step id) of a step context an email shows


@dataclass(frozen=True)
class SendJob:
    """Claimed messages with all they show: the step contexts, read when they were claimed."""

    moment: datetime
    messages: tuple[OutboxMessage, ...]
    shown: dict[ShownKey, dict[str, Any] | None]


@dataclass(frozen=True)
class SendResult:
    """What became of a job: (message, where it went) for each sent one, and the failures;
    `released`: not sent because the process stopped, each with a note (`ABANDONED` for the
    one whose conversation was cut off, else None): they go back to waiting, no try counted."""

    moment: datetime
    sent: list[tuple[OutboxMessage, str]]
    failures: list[Failure]
    released: list[tuple[OutboxMessage, str | None]] = field(default_factory=list)


class Abandoned(Exception):
    """The process is stopping: the conversation under way was left (see the module)."""


class Sender:
    """Renders, composes and delivers; the answer links are signed with `secret`."""

    def __init__(
        self,
        transport: Transport,
        settings: MailSettings,
        secret: str,
        stop: StopSignal | None = None,
    ) -> None:
        self.transport = transport
        self.settings = settings
        self.secret = secret
        self.stop = stop

    def send(self, job: SendJob) -> SendResult:
        renderer = Renderer(
            self._link,
            lambda instance, step: job.shown.get((instance, step)),
            self.settings.base_url,
            self._reply_address if self.settings.reply_to else None,
        )
        result = SendResult(job.moment, [], [])
        for number, message in enumerate(job.messages):
            if self.stop is not None and self.stop.is_set():
                result.released.extend((m, None) for m in job.messages[number:])
                break
            outcome = self._send(renderer, message, job.moment)
            if outcome is None:
                result.released.append((message, ABANDONED))
            elif isinstance(outcome, Failure):
                result.failures.append(outcome)
            else:
                result.sent.append((message, outcome))
        return result

    def _send(
        self, renderer: Renderer, message: OutboxMessage, now: datetime
    ) -> str | Failure | None:
        """Where the message went, or why it did not; None when it was abandoned."""
        try:
            email = compose(message, renderer.render(message), self.settings.sender, now)
        except Exception as exc:  # a stored context or template that cannot make an email
            log.warning("cannot render %s: %s", message.key, exc)
            return Failure(message, f"kan inte skapas: {exc.__class__.__name__}: {exc}", True)
        try:
            where = self._deliver(email)
        except Abandoned:
            log.warning("stopping: abandoned sending %s to %s", message.key, message.recipient)
            return None
        except DeliveryFailed as exc:
            return Failure(message, exc.reason, exc.permanent)
        except Exception as exc:  # a transport's own bug must not lose the batch's record
            log.exception("transport failed on %s", message.key)
            return Failure(message, f"{exc.__class__.__name__}: {exc}", False)
        log.info("sent %s to %s (%s)", message.key, message.recipient, where)
        return where

    def _deliver(self, email: OutgoingEmail) -> str:
        if self.stop is None:
            return self.transport.deliver(email)
        return deliver_unless_stopped(self.transport, email, self.stop)

    def _reply_address(self, request_id: int, answer_until: str) -> str:
        mailbox = self.settings.reply_to or ""
        until = datetime.fromisoformat(answer_until)
        return reply_address(mailbox, request_id, until, self.secret)

    def _link(self, request_id: int, answer_until: str) -> str:
        token = make_token(request_id, datetime.fromisoformat(answer_until), self.secret)
        return f"{self.settings.base_url}/svar/{token}"


def deliver_unless_stopped(transport: Transport, email: OutgoingEmail, stop: StopSignal) -> str:
    """`transport.deliver(email)` on a thread of its own, waited for until it ends or `stop`
    is set; then Abandoned is raised at once and the thread is left to its fate (a daemon: it
    ends with the process, or when the server answers or its timeout runs out)."""
    answer: SimpleQueue[Any] = SimpleQueue()

    def converse() -> None:
        try:
            answer.put((True, transport.deliver(email)))
        except BaseException as exc:  # handed to the waiting thread, which raises it
            answer.put((False, exc))

    with stop.waking(answer):
        if stop.is_set():
            raise Abandoned
        threading.Thread(target=converse, name="lofte-smtp", daemon=True).start()
        got = take(answer)
    if got is STOPPING:
        raise Abandoned
    ok, value = got
    if not ok:
        raise value
    return str(value)
