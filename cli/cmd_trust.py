"""`lofte keys new|rotate`, `lofte backup`, `lofte restore`: keeping the data safe."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lofte.cli import arguments


def add_commands(commands: Any) -> None:
    keys = commands.add_parser("keys", help="nycklar för skyddade uppgifter: skapa, byt")
    ksub = keys.add_subparsers(dest="keys_command", required=True, parser_class=type(keys))
    new = ksub.add_parser("new", help="skriv ut en ny nyckel (för LOFTE_DATA_KEY)")
    new.set_defaults(handler=run_new_key)
    rotate = ksub.add_parser(
        "rotate", help="byt till en ny nyckel och kryptera om alla skyddade uppgifter med den"
    )
    arguments.add_database(rotate)
    rotate.set_defaults(handler=run_rotate)
    audit = ksub.add_parser(
        "rotate-audit",
        help="byt granskningsnyckel: en ny nyckel signerar härefter, de gamla står kvar",
    )
    arguments.add_database(audit)
    audit.set_defaults(handler=run_rotate_audit)

    save = commands.add_parser("backup", help="säkerhetskopiera SQLite-databasen medan Löfte kör")
    save.add_argument("path", type=Path, metavar="FIL")
    arguments.add_database(save)
    save.set_defaults(handler=run_backup)
    back = commands.add_parser(
        "restore", help="återställ en säkerhetskopia och kontrollera granskningsloggen"
    )
    back.add_argument("path", type=Path, metavar="FIL")
    arguments.add_database(back)
    back.add_argument("--force", action="store_true", help="ersätt en befintlig databasfil")
    back.set_defaults(handler=run_restore)


def run_new_key(args: argparse.Namespace) -> int:
    from lofte.storage.sensitive_keys import new_key

    print(new_key().decode("ascii"))
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.storage.key_rotation import rotate_keys

    wired = connect(args.database)
    rotated, where = rotate_keys(wired, wired.url)
    print(f"{rotated} skyddade uppgifter krypterades om med den nya nyckeln ({where}).")
    wired.close()
    return 0


def run_rotate_audit(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.storage.database import database_url
    from lofte.storage.key_rotation import rotate_audit_keys

    wired = connect(args.database, need_setup=False)
    key_id, where = rotate_audit_keys(wired, database_url(args.database))
    wired.close()
    print(
        f"Ny granskningsnyckel {key_id} i {where}; de gamla står kvar efter den och behövs för "
        "att kontrollera äldre händelser. Starta om motorn och webbservern så att de läser den "
        "nya nyckeln, och säkerhetskopiera filen."
    )
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.storage.backup import backup, sqlite_path
    from lofte.storage.database import database_url

    sqlite_path(database_url(args.database))  # PostgreSQL: say how, before connecting
    wired = connect(args.database, need_setup=False)
    size = backup(wired.store.engine, args.path)
    wired.close()
    print(
        f"Säkerhetskopian finns i {args.path} ({size // 1024} kB). Nyckelfilerna för skyddade "
        "uppgifter och för granskningsloggen ingår inte: förvara dem separat."
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from lofte.cli.output import fail
    from lofte.cli.wiring import connect
    from lofte.storage.backup import restore, sqlite_path
    from lofte.storage.database import database_url
    from lofte.workflow.application.audit_verify import verify

    target = sqlite_path(database_url(args.database))
    restore(args.path, target, overwrite=args.force)
    wired = connect(args.database, need_setup=False)
    verdict = verify(wired.app)  # the chain as restored; the head file is older news
    if not verdict.ok:
        wired.close()
        return fail(f"återställd till {target}, men granskningsloggen är bruten: {verdict.problem}")
    lost = _restart_head_file(wired.store, verdict.head_seq, verdict.head_hash)
    wired.close()
    print(
        f"Återställd till {target}; granskningsloggen är intakt ({verdict.events} händelser, "
        f"huvud {verdict.head_seq}:{verdict.head_hash}). Starta motorn med `lofte run`."
    )
    if lost:
        print(lost)
    return 0


def _restart_head_file(store: Any, seq: int, digest: str) -> str:
    """The head file starts again from the restored head; what it said before, if more."""
    if store.head_file is None:
        return ""
    before = store.head_file.read(store.audit_keys)
    store.head_file.replace(seq, digest, store.audit_keys.current)
    if before is None or before.problem or before.missing or before.seq <= seq:
        return ""
    return (
        f"Obs: huvudfilen {before.source} sade {before.seq}:{before.hash}; händelserna "
        f"{seq + 1}–{before.seq} skrevs efter säkerhetskopian och finns inte längre. Spara "
        "den raden till revisionen."
    )
