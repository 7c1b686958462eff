"""`lofte archive UNIT --year Y DIR` and `lofte archive verify DIR`: a unit's year as a
package for the archive, and its check without the database."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from lofte.cli import arguments

USAGE = (
    "lofte archive ENHET --year ÅR MAPP [--database URL]\n"
    "       lofte archive verify MAPP [--key-file FIL] [--manifest-sha256 HEX]"
)


def add_commands(commands: Any) -> None:
    archive = commands.add_parser(
        "archive",
        usage=USAGE,
        help="arkivpaket för en enhets år (CSV, JSON, rapport, granskningslogg, "
        "kontrollsummor); `archive verify MAPP` kontrollerar ett paket",
        description=(
            "Skriver ett fristående arkivpaket för enhetens år i en ny mapp: cykler, svar, "
            "beslut och åtgärder som CSV och JSON, lägesbild och åtgärdsplan som HTML, årets "
            "händelser i granskningsloggen med kontrollen av loggen, en README och ett manifest "
            "med varje fils SHA-256. Ett polisområdes paket omfattar dess kommuner. "
            "`lofte archive verify MAPP` kontrollerar paketet utan databasen."
        ),
    )
    archive.add_argument(
        "unit",
        type=arguments.identifier,
        metavar="ENHET",
        help="kommunen eller polisområdet (id som i `lofte units`), eller verify",
    )
    archive.add_argument("folder", type=Path, metavar="MAPP", help="ny eller tom mapp")
    archive.add_argument("--year", type=arguments.year, metavar="ÅR", help="året som arkiveras")
    archive.add_argument(
        "--key-file",
        type=Path,
        metavar="FIL",
        help="(verify) granskningsnycklarna, en per rad; standard: LOFTE_AUDIT_KEY eller "
        "LOFTE_AUDIT_KEY_FILE. Utan nyckel kontrolleras länkarna men inte signaturerna",
    )
    archive.add_argument(
        "--manifest-sha256",
        metavar="HEX",
        help="(verify) manifestets kontrollsumma som antecknades när paketet skapades",
    )
    arguments.add_database(archive)
    archive.set_defaults(handler=run_archive)


def run_archive(args: argparse.Namespace) -> int:
    from lofte.kernel.errors import UsageError

    if args.unit == "verify":
        if args.year is not None or args.database is not None:
            raise UsageError("`lofte archive verify MAPP` läser bara mappen (inget --year)")
        return run_verify(args)
    if args.year is None:
        raise UsageError("ange året: `lofte archive ENHET --year ÅR MAPP`")
    if args.key_file is not None or args.manifest_sha256 is not None:
        raise UsageError("--key-file och --manifest-sha256 hör till `lofte archive verify`")
    return run_make(args)


def run_make(args: argparse.Namespace) -> int:
    from importlib.metadata import version

    from lofte.cli.archive_output import print_archived
    from lofte.cli.wiring import connect
    from lofte.storage.audit_check import verify_store
    from lofte.workflow.application.archive import make_archive, plan_archive

    wired = connect(args.database, audit_key=False)  # without it: archived, the log unchecked
    try:
        plan = plan_archive(wired.app, args.unit, args.year, args.folder)
        verdict = verify_store(wired.app, wired.store)
        archived = make_archive(wired.app, plan, verdict, version("lofte"))
    finally:
        wired.close()
    return print_archived(plan, archived, verdict)


def run_verify(args: argparse.Namespace) -> int:
    from lofte.cli.archive_output import print_check
    from lofte.workflow.application.archive_verify import verify_archive

    check = verify_archive(args.folder, _keys(args.key_file), args.manifest_sha256)
    return print_check(args.folder, check)


def _keys(key_file: Path | None) -> Any:
    """The audit keys given for an offline check, or None."""
    from lofte.kernel.errors import ConfigError
    from lofte.storage.sensitive_keys import parse_keys
    from lofte.workflow.core.audit_chain import AuditKey, AuditKeys

    if key_file is not None:
        source = str(key_file)
        try:
            text = key_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"nyckelfilen {key_file} går inte att läsa ({exc})") from None
    elif os.environ.get("LOFTE_AUDIT_KEY"):
        source, text = "LOFTE_AUDIT_KEY", os.environ["LOFTE_AUDIT_KEY"]
    elif os.environ.get("LOFTE_AUDIT_KEY_FILE"):
        return _keys(Path(os.environ["LOFTE_AUDIT_KEY_FILE"]))
    else:
        return None
    secrets = parse_keys(text, source)
    return AuditKeys(tuple(AuditKey(s) for s in secrets), source) if secrets else None
