"""Benchmark: replies read from a real IMAP server (Dovecot on loopback, implicit TLS) and
recorded. A national example's week is opened (its inventory requests waiting), N replies
"Inget att rapportera" to their reply addresses are put into the mailbox, then one
`ImapInbox.read_once` reads them: each fetched, understood, recorded with its answer, its
receipt queued and its audit event written, and moved to the done folder. Prints replies per
second; the last line is `RESULT {json}`. Needs Dovecot (apt-get install dovecot-imapd).

    .venv/bin/python bench/bench_inbox.py [REPLIES] [--municipalities N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import calibration_ms

MAILBOX = "lofte@lofte.example.se"
BEFORE = "2027-01-08T12:00:00+00:00"  # set up the Friday before
MONDAY = "2027-01-11T08:30:00+00:00"  # 09:30 in Stockholm: the week's inventories are open


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("replies", nargs="?", type=int, default=1000)
    parser.add_argument("--municipalities", type=int, default=200)
    args = parser.parse_args()
    result = measure(args.replies, args.municipalities)
    print(
        f"{result['replies']} svar från IMAP på {result['read_seconds']:.2f} s: "
        f"{result['replies_per_second']:.0f} svar/s ({result['answered']} registrerade, "
        f"{result['requests']} förfrågningar öppna, {args.municipalities} kommuner)"
    )
    print("RESULT " + json.dumps(result))


def measure(replies: int, municipalities: int) -> dict[str, Any]:
    from lofte.cli.main import main as lofte
    from lofte.cli.wiring import connect
    from lofte.notifications.imap_inbox import ImapInbox
    from lofte.notifications.inbox_config import imap_settings
    from lofte.workflow.application.answer_links import installation_secret
    from lofte.workflow.application.replies import Outcome, read_mail
    from lofte.workflow.application.reply_address import reply_address
    from tests.notifications.dovecot import make_dovecot

    work = Path(tempfile.mkdtemp(prefix="lofte-bench-inbox-"))
    clock = work / "clock"
    clock.write_text(BEFORE)
    os.environ["LOFTE_CLOCK_FILE"] = str(clock)
    os.environ["LOFTE_MAIL_DIR"] = str(work / "mail")
    url = f"sqlite:///{work}/lofte.db"
    assert (
        lofte(["example", "national", "--municipalities", str(municipalities), str(work / "setup")])
        == 0
    )
    assert lofte(["init", "--definitions", str(work / "setup"), "--database", url]) == 0
    clock.write_text(MONDAY)
    wired = connect(url)
    wired.engine.run_due()
    with wired.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings)
    directory = wired.app.directory()
    waiting = [
        (request, directory.people[request.person_id].email)
        for person in directory.people
        for request, cycle in wired.app.reads.open_requests(person)
        if cycle.definition_name == "est-inventering"
    ]
    server = make_dovecot()
    server.start()
    try:
        mails = []
        for number in range(replies):
            request, address = waiting[number % len(waiting)]
            mail = EmailMessage()
            mail["From"], mail["Message-ID"] = address, f"<bench.{number}@example.se>"
            mail["To"] = reply_address(MAILBOX, request.id or 0, request.late_until, secret)
            mail.set_content("Inget att rapportera\n\nMvh\n\n> Hej! Du ombeds lämna underlag ...")
            mails.append(bytes(mail))
        for first in range(0, len(mails), 200):
            server.deliver(*mails[first : first + 200])
        settings = imap_settings(server.env())
        assert settings is not None
        inbox = ImapInbox(settings)
        started = time.perf_counter()
        read = inbox.read_once(lambda raw, size: read_mail(wired.app, raw, MAILBOX, size=size))
        seconds = time.perf_counter() - started
        moved = server.count("Löfte-lästa")
    finally:
        server.remove()
    answered = sum(1 for r in read if r.outcome is Outcome.ANSWERED)
    others = sorted({r.reason for r in read if r.outcome is not Outcome.ANSWERED})
    if others:
        print("inte registrerade:", others[:5])
    return {
        "replies": len(read),
        "answered": answered,
        "moved": moved,
        "requests": len(waiting),
        "read_seconds": round(seconds, 3),
        "replies_per_second": round(len(read) / seconds, 1),
        "calibration_ms": calibration_ms(),
    }


if __name__ == "__main__":
    main()
