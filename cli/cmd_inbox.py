"""`lofte inbox read`: replies to request mails (and other mail to Löfte's mailbox) read from a
Maildir or from `.eml` files; "inget att rapportera" is recorded as the answer."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lofte.cli.output import table
from lofte.kernel.errors import ConfigError, system_reason

if TYPE_CHECKING:
    from lofte.kernel.stopping import StopSignal
    from lofte.workflow.application.app import Application
    from lofte.workflow.application.replies import ReadMail

DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"
OUTCOME_WORDS = {
    "answered": "svar registrerat",
    "not_understood": "inte förstått",
    "refused": "avvisat",
    "auto_reply": "autosvar",
    "not_a_reply": "inte ett svar",
    "bounce": "studsat",
}
CHECKS = frozenset({"dmarc", "spf", "dkim"})


def add_commands(commands: Any) -> None:
    group = commands.add_parser(
        "inbox",
        help="läs svar på förfrågningar från e-post",
        description=(
            "Läser e-post till Löftes brevlåda (LOFTE_REPLY_TO). Ett svar på en förfrågan med "
            "texten ”inget att rapportera”, ”inget” eller ”nothing to report” överst, eller med "
            "förfrågans formulär ifyllt, registreras som svaret, om avsändaren är den som fick "
            "förfrågan och steget fortfarande är öppet; personen får ett kvitto. Annat gissas "
            "aldrig: personen får veta vad som inte gick att läsa. Studsar gör meddelandet till "
            "en incident, autosvar noteras. Samma mejl två gånger registreras en gång."
        ),
    )
    actions = group.add_subparsers(
        dest="what", required=True, parser_class=type(group), title="vad", metavar="VAD"
    )
    read = actions.add_parser(
        "read",
        help="läs mejl från en Maildir, en mapp med .eml-filer eller en fil",
        description=(
            "Läser varje mejl i PLATS: en Maildir (nya mejl flyttas till cur/ som lästa, "
            "inget tas bort), en mapp med .eml-filer eller en enda .eml-fil."
        ),
    )
    read.add_argument("place", metavar="PLATS", help="Maildir, mapp med .eml-filer eller fil")
    read.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    read.set_defaults(handler=run_read)
    fetch = actions.add_parser(
        "fetch",
        help="läs mejl från IMAP-brevlådan (LOFTE_IMAP_HOST)",
        description=(
            "Läser varje mejl i IMAP-brevlådans mapp (LOFTE_IMAP_FOLDER, standard INBOX) och "
            "flyttar det sedan till LOFTE_IMAP_DONE_FOLDER (standard Löfte-lästa); inget tas "
            "bort. Med --watch väntar kommandot på nya mejl (IDLE, annars var "
            "LOFTE_IMAP_POLL_SECONDS sekund) tills det stoppas med Ctrl-C eller SIGTERM. "
            "`lofte run` läser brevlådan själv när LOFTE_IMAP_HOST är satt."
        ),
    )
    fetch.add_argument("--watch", action="store_true", help="vänta på nya mejl tills stopp")
    fetch.add_argument("--database", metavar="URL", help=DATABASE_HELP)
    fetch.set_defaults(handler=run_fetch)


def refused_checks(raw: str) -> frozenset[str]:
    """LOFTE_INBOX_REFUSE: the `Authentication-Results` checks whose fail refuses a reply."""
    chosen = frozenset(part.strip().lower() for part in raw.replace(",", " ").split())
    unknown = sorted(chosen - CHECKS)
    if unknown:
        raise ConfigError(
            f"LOFTE_INBOX_REFUSE={raw[:60]!r}: okänd kontroll {unknown[0]!r}; ange dmarc, spf "
            "och dkim (kommaseparerat) eller lämna tomt"
        )
    return chosen


def reply_reader(app: Application) -> Callable[[bytes, int], ReadMail]:
    """`read_mail` with the mailbox and the refused checks of the configuration; ConfigError
    (naming the setting) when LOFTE_REPLY_TO is unset or a setting is bad."""
    from lofte.notifications.config import mail_settings
    from lofte.workflow.application.replies import read_mail

    mailbox = mail_settings().reply_to
    if mailbox is None:
        raise ConfigError(
            "LOFTE_REPLY_TO är inte satt: ange Löftes brevlåda (till exempel lofte@sala.se), "
            "samma som förfrågningarnas svarsadresser"
        )
    refuse_on = refused_checks(os.environ.get("LOFTE_INBOX_REFUSE", "dmarc"))
    return lambda raw, size: read_mail(app, raw, mailbox, refuse_on, size)


def run_read(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.workflow.application.mail_folder import mails_in, mark_read

    wired = connect(args.database)
    reader = reply_reader(wired.app)
    rows = []
    for mail in list(mails_in(args.place)):
        try:
            raw = mail.path.read_bytes()
        except OSError as exc:
            rows.append((mail.path.name, "", "oläsligt", system_reason(exc)))
            continue
        read = reader(raw, 0)
        mark_read(mail)
        rows.append((mail.path.name[:40], *_row(read)))
    if not rows:
        print(f"Inga mejl i {args.place}.")
        return 0
    _print(rows, "Fil")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.kernel.stopping import StopSignal, stop_on_signals
    from lofte.notifications.imap_inbox import ImapInbox
    from lofte.notifications.inbox_config import imap_settings

    settings = imap_settings()
    if settings is None:
        raise ConfigError(
            "LOFTE_IMAP_HOST är inte satt: ange brevlådans IMAP-server (och LOFTE_IMAP_USER "
            "med LOFTE_IMAP_PASSWORD eller LOFTE_IMAP_TOKEN_FILE), eller läs en mapp med "
            "`lofte inbox read`"
        )
    wired = connect(args.database)
    reader = reply_reader(wired.app)
    inbox = ImapInbox(settings)
    if not args.watch:
        read = inbox.read_once(reader)
        if not read:
            print(f"Inga mejl i {settings.folder} på {settings.host}.")
            return 0
        _print([(str(number), *_row(r)) for number, r in enumerate(read, 1)], "Nr")
        return 0
    stop = StopSignal()
    print(
        f"Läser {settings.folder} på {settings.host}; stoppa med Ctrl-C eller SIGTERM.", flush=True
    )
    with stop_on_signals(stop):
        inbox.watch(reader, stop, lambda read: _print([("", *_row(r)) for r in read], ""))
    print(f"Slutade läsa brevlådan ({stop.reason}).")
    return 0


def inbox_job(app: Application, stop: StopSignal) -> InboxJob | None:
    """`lofte run`'s job reading the IMAP mailbox, if one is configured (ConfigError if its
    settings are bad: the engine does not start)."""
    from lofte.notifications.inbox_config import imap_settings

    return InboxJob(app, stop) if imap_settings() is not None else None


class InboxJob:
    """`lofte run`'s reading of the IMAP mailbox, every LOFTE_IMAP_POLL_SECONDS: a line for
    what it read, and one when the mailbox stops or starts answering again (not one a try)."""

    def __init__(self, app: Application, stop: StopSignal) -> None:
        from lofte.notifications.imap_inbox import ImapInbox
        from lofte.notifications.inbox_config import imap_settings

        settings = imap_settings()
        assert settings is not None, "only made when LOFTE_IMAP_HOST is set"
        self.seconds = float(settings.poll_seconds)
        self.inbox = ImapInbox(settings)
        self.reader = reply_reader(app)
        self.stop = stop
        self.failing = False

    def __call__(self) -> int:
        from lofte.kernel.errors import MailboxUnreachable

        try:
            read = self.inbox.read_once(self.reader, self.stop)
        except MailboxUnreachable as exc:
            if not self.failing:
                print(f"brevlåda: {exc}; försöker igen var {self.seconds:.0f}:e sekund", flush=True)
            self.failing = True
            return 0
        if self.failing:
            print("brevlåda: går att läsa igen", flush=True)
        self.failing = False
        if read:
            answered = sum(1 for r in read if r.outcome and r.outcome.value == "answered")
            print(f"brevlåda: {len(read)} mejl lästa, {answered} svar registrerade", flush=True)
        return len(read)


def _row(read: ReadMail) -> tuple[str, str, str]:
    word = OUTCOME_WORDS[read.outcome.value] if read.outcome else "redan läst"
    return read.sender, word, read.reason


def _print(rows: list[tuple[str, str, str, str]], first: str) -> None:
    print(table([first, "Från", "Utfall", "Förklaring"], rows), flush=True)
    answered = sum(1 for row in rows if row[2] == OUTCOME_WORDS["answered"])
    print(f"\n{len(rows)} mejl lästa, {answered} svar registrerade.", flush=True)
