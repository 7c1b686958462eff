"""What a mail to Löfte's mailbox says, and what becomes of it.

A reply to a request mail goes to the request's reply address (`reply_address`). It is taken
as an answer only when the address is valid for a step still open, the sender is the person
asked, the receiving server did not find it forged (a configured `dmarc=fail` or `spf=fail` in
`Authentication-Results`), and what the person wrote above the quoted original (quotes,
signatures and sign-offs taken off by `mail-parser-reply`, Swedish and English) is exactly
"inget att rapportera", "inget" or "nothing to report" for a step that offers it. Anything else
is never guessed. Auto-replies (RFC 3834 and the out-of-office headers) are never answers.

Every mail read is kept by the hash of its Message-ID and audited with it; the same mail read
twice is acted on once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from mailparser_reply import EmailReplyParser

from lofte.kernel import words
from lofte.kernel.errors import InvalidToken, LofteError, SubmissionError
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.answer_links import installation_secret, open_request
from lofte.workflow.application.app import Application
from lofte.workflow.application.auto_replies import away_until, is_automatic
from lofte.workflow.application.bounces import bounces_in, is_delivery_report
from lofte.workflow.application.reply_address import request_of
from lofte.workflow.application.reply_answer import interpret
from lofte.workflow.core.inbound import EXCERPT, Bounce, Reply
from lofte.workflow.core.records import AUTO_REPLY, CycleInstance, InboundMail, InputRequest

MAX_BYTES = 10 * 1024 * 1024
ADDRESSED = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
DETAIL_VERSION = 1


class Outcome(StrEnum):
    ANSWERED = "answered"  # recorded as the person's answer
    NOT_UNDERSTOOD = "not_understood"  # a valid reply whose text is not an answer Löfte reads
    REFUSED = "refused"  # forged or expired address, closed step, wrong sender, failed checks
    AUTO_REPLY = AUTO_REPLY  # out of office and other automatic replies: never an answer
    BOUNCE = "bounce"  # a delivery status notification: the message it names failed
    NOT_A_REPLY = "not_a_reply"  # to the mailbox, but to no request's reply address


@dataclass(frozen=True)
class ReadMail:
    """What became of one mail; `outcome` None when it was read before (nothing done)."""

    outcome: Outcome | None
    reason: str  # Swedish, for the command's table and the audit log
    request_id: int | None = None
    sender: str = ""
    subject: str = ""
    understood: tuple[str, ...] = field(default=())


def read_mail(
    app: Application,
    raw: bytes,
    mailbox: str,
    refuse_on: frozenset[str] = frozenset({"dmarc"}),
    size: int = 0,
) -> ReadMail:
    """Read one mail (RFC 5322 bytes) sent to `mailbox` and act on it once; `size`: its size
    where only its headers were fetched (a mail too large to read is refused unread)."""
    if max(len(raw), size) > MAX_BYTES:
        message = _parse(raw[:65536])
        return _keep(app, message, raw, Outcome.REFUSED, "för stort (mer än 10 MB)")
    message = _parse(raw)
    if is_delivery_report(message):
        return _bounce(app, message, raw)
    if is_automatic(message):
        return _auto_reply(app, message, raw)
    with app.engine.store.unit_of_work(read_only=True) as uow:
        if uow.inbound.get(_key(message, raw)) is not None:
            return ReadMail(None, "redan läst", sender=_sender(message))
        secret = installation_secret(uow.settings, app.configured_secret)
        try:
            request_id = request_of(_addressed(message), mailbox, secret, app.now)
            opened = None if request_id is None else open_request(uow, request_id, "svarsadressen")
            refusal = ""
        except InvalidToken as exc:
            opened, refusal = None, str(exc)
    if refusal:
        return _keep(app, message, raw, Outcome.REFUSED, refusal)
    if opened is None:
        return _keep(app, message, raw, Outcome.NOT_A_REPLY, "inte ett svar på en förfrågan")
    request, cycle = opened
    request_id = request.id
    person = app.directory().find(request.person_id)
    if person is None or not person.sends_from(_sender(message)):
        reason = "avsändaren är inte den som förfrågan gick till"
        return _keep(app, message, raw, Outcome.REFUSED, reason, request_id)
    failed = sorted(refuse_on & _failed_checks(message))
    if failed:
        verdicts = ", ".join(f"{check}=fail" for check in failed)
        reason = f"den mottagande servern underkände avsändaren ({verdicts})"
        return _keep(app, message, raw, Outcome.REFUSED, reason, request_id)
    return _answer(app, message, raw, request, cycle)


def _bounce(app: Application, message: EmailMessage, raw: bytes) -> ReadMail:
    found = bounces_in(message)
    if not found:
        reason = "leveransrapport utan misslyckad leverans av ett meddelande från Löfte"
        return _keep(app, message, raw, Outcome.BOUNCE, reason)
    bounce = found[0]  # a message of Löfte's has one recipient
    reason = f"studsade: {bounce.recipient} ({bounce.status} {bounce.diagnostic})"[:300]
    return _keep(app, message, raw, Outcome.BOUNCE, reason, bounce=bounce)


def _auto_reply(app: Application, message: EmailMessage, raw: bytes) -> ReadMail:
    """Never an answer, never answered; whose it was and the date it gives are kept."""
    sender = _sender(message).lower()
    person = next((p for p in app.directory().people.values() if p.email.lower() == sender), None)
    until = away_until(
        written_reply(message) or _text_of(message), app.now.astimezone(STOCKHOLM).date()
    )
    reason = "automatiskt svar (frånvaro)"
    if person is not None and until is not None:
        reason = f"automatiskt svar: frånvarande till {words.plain_date(until)}"
    return _keep(
        app,
        message,
        raw,
        Outcome.AUTO_REPLY,
        reason,
        person_id=person.id if person else None,
        away=until if person else None,
    )


def _answer(
    app: Application,
    message: EmailMessage,
    raw: bytes,
    request: InputRequest,
    cycle: CycleInstance,
) -> ReadMail:
    """A trusted reply: recorded if Löfte reads an answer in it, else the person is told what
    was read and what not; the request waits."""
    person = app.directory().find(request.person_id)
    language = person.language if person else "sv"
    step = app.definition_of(cycle).step(request.step_id)
    read = interpret(step, written_reply(message), language)
    if read.answer is None:
        told = Reply(request.person_id, None, read.not_understood, read.understood)
        return _keep(app, message, raw, Outcome.NOT_UNDERSTOOD, read.reason, request.id, reply=told)
    try:
        return _keep(
            app,
            message,
            raw,
            Outcome.ANSWERED,
            f"svaret registrerat: {read.reason}",
            request.id,
            read.understood,
            reply=Reply(request.person_id, read.answer, understood=read.understood),
        )
    except SubmissionError as exc:  # the form, read, is not a valid answer: nothing stored
        problems = "; ".join(str(p) for p in exc.problems)[:EXCERPT]
        told = Reply(request.person_id, None, problems, read.understood)
        reason = f"formuläret har fel: {problems}"
        return _keep(app, message, raw, Outcome.NOT_UNDERSTOOD, reason, request.id, reply=told)
    except LofteError as exc:  # the step closed meanwhile
        return _keep(app, message, raw, Outcome.REFUSED, str(exc), request.id)


def written_reply(message: EmailMessage) -> str:
    """What the sender wrote above the quoted original, without their signature."""
    text = _text_of(message)
    replies = EmailReplyParser(languages=["sv", "en"]).read(text).replies
    return replies[0].body if replies else ""


def _keep(
    app: Application,
    message: EmailMessage,
    raw: bytes,
    outcome: Outcome,
    reason: str,
    request_id: int | None = None,
    understood: tuple[str, ...] = (),
    reply: Reply | None = None,
    bounce: Bounce | None = None,
    person_id: str | None = None,
    away: date | None = None,
) -> ReadMail:
    detail: dict[str, Any] = {"v": DETAIL_VERSION, "reason": reason}
    if understood:
        detail["understood"] = list(understood)
    checks = _auth_results(message)
    if checks:
        detail["authentication"] = checks
    if reply is not None:
        person_id = reply.person_id
    mail = InboundMail(
        _key(message, raw), app.now, outcome.value, request_id, detail, person_id, away
    )
    kept = app.engine.receive_mail(mail, _message_id(message), reply, bounce)
    sender, subject = _sender(message), str(message.get("Subject", ""))[:200]
    if not kept:
        return ReadMail(None, "redan läst", request_id, sender, subject)
    return ReadMail(outcome, reason, request_id, sender, subject, understood)


def _parse(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _message_id(message: EmailMessage) -> str:
    return str(message.get("Message-ID", "") or "").strip()


def _key(message: EmailMessage, raw: bytes) -> str:
    ident = _message_id(message)
    return hashlib.sha256(ident.encode() if ident else raw).hexdigest()


def _sender(message: EmailMessage) -> str:
    return parseaddr(str(message.get("From", "")))[1]


def _addressed(message: EmailMessage) -> Iterable[str]:
    values = [str(v) for name in ADDRESSED for v in message.get_all(name, [])]
    return [address for _, address in getaddresses(values) if address]


def _auth_results(message: EmailMessage) -> dict[str, str]:
    """spf, dkim and dmarc verdicts of the receiving server's `Authentication-Results`."""
    found: dict[str, str] = {}
    for header in message.get_all("Authentication-Results", [])[:1]:  # the nearest server's
        for method, verdict in re.findall(r"\b(spf|dkim|dmarc)=(\w+)", str(header).lower()):
            found.setdefault(method, verdict)
    return found


def _failed_checks(message: EmailMessage) -> set[str]:
    return {method for method, verdict in _auth_results(message).items() if verdict == "fail"}


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    assert isinstance(body, EmailMessage)
    try:
        content = body.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        return ""
    text = str(content)
    return _html_text(text) if body.get_content_subtype() == "html" else text


def _html_text(markup: str) -> str:
    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in {"style", "script", "head"}:
                self.skip += 1
            if tag in {"br", "p", "div", "tr", "li", "blockquote"}:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in {"style", "script", "head"} and self.skip:
                self.skip -= 1
            if tag in {"p", "div"}:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    collector = Collector()
    collector.feed(markup)
    return "".join(collector.parts)
