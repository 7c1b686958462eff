"""Making and sending claimed messages, without the database: rendering, composing and
handing each email to the transport. The dispatcher does this in its own process; `lofte
simulate` does it in a worker process while its engine process keeps the database (the worker
gets a `SendJob` and gives back what was sent and what failed, which the dispatcher records).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.notifications.compose import compose
from lofte.notifications.config import MailSettings
from lofte.notifications.failures import Failure
from lofte.notifications.render import Renderer
from lofte.notifications.transports import DeliveryFailed, Transport
from lofte.workflow.application.answer_links import make_token
from lofte.workflow.core.records import OutboxMessage

log = logging.getLogger("lofte.outbox")

ShownKey = tuple[int, str]  # (instance id, step id) of a step context an email shows


@dataclass(frozen=True)
class SendJob:
    """Claimed messages with all they show: the step contexts, read when they were claimed."""

    moment: datetime
    messages: tuple[OutboxMessage, ...]
    shown: dict[ShownKey, dict[str, Any] | None]


@dataclass(frozen=True)
class SendResult:
    """What became of a job: (message, where it went) for each sent one, and the failures."""

    moment: datetime
    sent: list[tuple[OutboxMessage, str]]
    failures: list[Failure]


class Sender:
    """Renders, composes and delivers; the answer links are signed with `secret`."""

    def __init__(self, transport: Transport, settings: MailSettings, secret: str) -> None:
        self.transport = transport
        self.settings = settings
        self.secret = secret

    def send(self, job: SendJob) -> SendResult:
        renderer = Renderer(
            self._link,
            lambda instance, step: job.shown.get((instance, step)),
            self.settings.base_url,
        )
        result = SendResult(job.moment, [], [])
        for message in job.messages:
            outcome = self._send(renderer, message, job.moment)
            if isinstance(outcome, Failure):
                result.failures.append(outcome)
            else:
                result.sent.append((message, outcome))
        return result

    def _send(self, renderer: Renderer, message: OutboxMessage, now: datetime) -> str | Failure:
        """Where the message went, or why it did not."""
        try:
            email = compose(message, renderer.render(message), self.settings.sender, now)
        except Exception as exc:  # a stored context or template that cannot make an email
            log.warning("cannot render %s: %s", message.key, exc)
            return Failure(message, f"kan inte skapas: {exc.__class__.__name__}: {exc}", True)
        try:
            where = self.transport.deliver(email)
        except DeliveryFailed as exc:
            return Failure(message, exc.reason, exc.permanent)
        except Exception as exc:  # a transport's own bug must not lose the batch's record
            log.exception("transport failed on %s", message.key)
            return Failure(message, f"{exc.__class__.__name__}: {exc}", False)
        log.info("sent %s to %s (%s)", message.key, message.recipient, where)
        return where

    def _link(self, request_id: int, answer_until: str) -> str:
        token = make_token(request_id, datetime.fromisoformat(answer_until), self.secret)
        return f"{self.settings.base_url}/svar/{token}"
