"""`lofte inbox read`: replies to request mails (and other mail to Löfte's mailbox) read from a
Maildir or from `.eml` files; "inget att rapportera" is recorded as the answer."""

from __future__ import annotations

import argparse
import os
from typing import Any

from lofte.cli.output import table
from lofte.kernel.errors import ConfigError

DATABASE_HELP = "databasen (standard: LOFTE_DATABASE_URL eller ./lofte.db)"
OUTCOME_WORDS = {
    "answered": "svar registrerat",
    "not_understood": "inte förstått",
    "refused": "avvisat",
    "auto_reply": "autosvar",
    "not_a_reply": "inte ett svar",
}
CHECKS = frozenset({"dmarc", "spf", "dkim"})


def add_commands(commands: Any) -> None:
    group = commands.add_parser(
        "inbox",
        help="läs svar på förfrågningar från e-post",
        description=(
            "Läser e-post till Löftes brevlåda (LOFTE_REPLY_TO). Ett svar på en förfrågan med "
            "texten ”inget att rapportera”, ”inget” eller ”nothing to report” överst "
            "registreras som svaret, om avsändaren är den som fick förfrågan och steget "
            "fortfarande är öppet. Annat gissas aldrig. Samma mejl två gånger registreras en gång."
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


def run_read(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.notifications.config import mail_settings
    from lofte.workflow.application.mail_folder import mails_in, mark_read
    from lofte.workflow.application.replies import read_mail

    mailbox = mail_settings().reply_to
    if mailbox is None:
        raise ConfigError(
            "LOFTE_REPLY_TO är inte satt: ange Löftes brevlåda (till exempel lofte@sala.se), "
            "samma som förfrågningarnas svarsadresser"
        )
    refuse_on = refused_checks(os.environ.get("LOFTE_INBOX_REFUSE", "dmarc"))
    mails = list(mails_in(args.place))
    wired = connect(args.database)
    rows = []
    for mail in mails:
        try:
            raw = mail.path.read_bytes()
        except OSError as exc:
            rows.append((mail.path.name, "", "oläsligt", exc.strerror or ""))
            continue
        outcome = read_mail(wired.app, raw, mailbox, refuse_on)
        mark_read(mail)
        word = OUTCOME_WORDS[outcome.outcome.value] if outcome.outcome else "redan läst"
        rows.append((mail.path.name[:40], outcome.sender, word, outcome.reason))
    if not rows:
        print(f"Inga mejl i {args.place}.")
        return 0
    print(table(["Fil", "Från", "Utfall", "Förklaring"], rows))
    answered = sum(1 for row in rows if row[2] == OUTCOME_WORDS["answered"])
    print(f"\n{len(rows)} mejl lästa, {answered} svar registrerade.")
    return 0
