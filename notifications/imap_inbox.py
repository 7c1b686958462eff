"""Reading Löfte's IMAP mailbox (IMAPClient): each mail in the folder replies arrive in is read
(`workflow.application.replies.read_mail`, which keeps it once by its Message-ID) and then
moved to the done folder. Nothing is deleted, and a mail is moved only after it was read: a
crash in between leaves it where it was, and reading it again records nothing twice.

A mail larger than `MAX_BYTES` is not downloaded: its headers are read and it is refused (and
moved). `watch` waits with IDLE where the server offers it and polls otherwise, and returns
when the `StopSignal` is set. A server that cannot be reached raises MailboxUnreachable, and
its mail waits there for the next try.
"""

from __future__ import annotations

import logging
import queue
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from queue import SimpleQueue
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from lofte.kernel.errors import MailboxUnreachable
from lofte.kernel.stopping import StopSignal, take
from lofte.notifications.inbox_config import ImapSettings
from lofte.workflow.application.replies import MAX_BYTES, ReadMail

log = logging.getLogger("lofte.inbox")
Reader = Callable[[bytes, int], ReadMail]  # (the mail, or its headers when too large; its size)
BATCH = 50  # mails fetched in one command
IDLE_CHECK = 1.0  # seconds an IDLE wait lasts before the stop signal is looked at again
IDLE_RENEW = 25 * 60  # RFC 2177: renew IDLE before the server's 30-minute timeout


class ImapInbox:
    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings

    def read_once(self, reader: Reader, stop: StopSignal | None = None) -> list[ReadMail]:
        """Read and move every mail waiting now; MailboxUnreachable when the server is not."""
        with self._session() as client:
            return self._read_waiting(client, reader, stop)

    def watch(
        self,
        reader: Reader,
        stop: StopSignal,
        on_read: Callable[[list[ReadMail]], None],
        on_waiting: Callable[[], None] = lambda: None,
    ) -> None:
        """Read what waits, then wait for more (IDLE, or polling) until `stop` is set;
        `on_read` gets each pass's mails, `on_waiting` is called as each wait begins."""
        with self._session() as client:
            idle = b"IDLE" in client.capabilities()
            while not stop.is_set():
                read = self._read_waiting(client, reader, stop)
                if read:
                    on_read(read)
                on_waiting()
                if idle:
                    self._idle(client, stop)
                else:
                    _pause(stop, self.settings.poll_seconds)

    def _read_waiting(
        self, client: IMAPClient, reader: Reader, stop: StopSignal | None
    ) -> list[ReadMail]:
        try:
            client.select_folder(self.settings.folder)
            uids = sorted(client.search(["ALL"]))
            read: list[ReadMail] = []
            for first in range(0, len(uids), BATCH):
                if stop is not None and stop.is_set():
                    break
                read.extend(self._read_batch(client, uids[first : first + BATCH], reader))
            return read
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            raise self._unreachable(exc) from None

    def _read_batch(self, client: IMAPClient, uids: list[int], reader: Reader) -> list[ReadMail]:
        sizes = {
            uid: int(data[b"RFC822.SIZE"])
            for uid, data in client.fetch(uids, ["RFC822.SIZE"]).items()
        }
        small = [uid for uid in uids if sizes.get(uid, 0) <= MAX_BYTES]
        large = [uid for uid in uids if uid not in small and uid in sizes]
        bodies: dict[int, bytes] = {}
        if small:
            for uid, data in client.fetch(small, ["BODY.PEEK[]"]).items():
                bodies[uid] = bytes(data[b"BODY[]"])
        if large:
            for uid, data in client.fetch(large, ["BODY.PEEK[HEADER]"]).items():
                bodies[uid] = bytes(data[b"BODY[HEADER]"])
        read, done = [], []
        try:
            for uid in uids:
                if uid not in bodies:
                    continue  # gone meanwhile (another reader moved it)
                read.append(reader(bodies[uid], sizes[uid]))
                done.append(uid)
        finally:  # what was read is moved, also when a later mail could not be read
            self._move(client, done)
        return read

    def _move(self, client: IMAPClient, uids: list[int]) -> None:
        if not uids:
            return
        done = self.settings.done_folder
        if b"MOVE" in client.capabilities():
            client.move(uids, done)
        else:  # copy, then remove from the inbox (the copy is kept)
            client.copy(uids, done)
            client.delete_messages(uids)
            client.uid_expunge(uids) if b"UIDPLUS" in client.capabilities() else client.expunge()

    def _idle(self, client: IMAPClient, stop: StopSignal) -> None:
        client.idle()
        try:
            waited = 0.0
            while not stop.is_set() and waited < IDLE_RENEW:
                if client.idle_check(timeout=IDLE_CHECK):
                    break  # something arrived
                waited += IDLE_CHECK
        finally:
            client.idle_done()

    @contextmanager
    def _session(self) -> Iterator[IMAPClient]:
        settings = self.settings
        try:
            client = IMAPClient(
                settings.host,
                port=settings.port,
                ssl=settings.tls == "ssl",
                ssl_context=settings.context(),
                timeout=settings.timeout,
            )
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            raise self._unreachable(exc) from None
        try:
            try:
                if settings.tls == "starttls":
                    client.starttls(settings.context())
                self._login(client)
                if not client.folder_exists(settings.done_folder):
                    client.create_folder(settings.done_folder)
            except (IMAPClientError, OSError, ssl.SSLError) as exc:
                raise self._unreachable(exc) from None
            yield client
        finally:
            _close(client)

    def _login(self, client: IMAPClient) -> None:
        token = self.settings.login_token()
        if token is not None:
            client.oauth2_login(self.settings.user, token)
        elif (self.settings.password or "").isascii():
            client.login(self.settings.user, self.settings.password or "")
        else:  # LOGIN takes ASCII only; AUTHENTICATE PLAIN carries UTF-8
            client.plain_login(self.settings.user, self.settings.password or "")

    def _unreachable(self, exc: BaseException) -> MailboxUnreachable:
        where = f"{self.settings.host}:{self.settings.port}"
        what = _reason(exc)
        log.warning("IMAP mailbox %s: %s", where, what)
        return MailboxUnreachable(f"brevlådan {where} går inte att läsa just nu: {what}")


def _pause(stop: StopSignal, seconds: float) -> None:
    woken: SimpleQueue[Any] = SimpleQueue()
    with stop.waking(woken), suppress(queue.Empty):
        take(woken, seconds)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "servern svarade inte i tid"
    if isinstance(exc, ConnectionRefusedError):
        return "servern tar inte emot anslutningar (avstängd?)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"serverns certifikat godtas inte ({exc.verify_message})"
    text = str(exc).strip() or exc.__class__.__name__
    if "authentication" in text.lower() or "login" in text.lower():
        return f"inloggningen nekades ({text[:120]})"
    return text[:200]


def _close(client: Any) -> None:
    try:
        client.logout()
    except Exception:  # a session that broke off ends here anyway
        try:
            client.shutdown()
        except Exception:
            log.debug("IMAP connection already closed", exc_info=True)
