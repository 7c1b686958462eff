"""`lofte`: the command line. It parses arguments and prints; the work happens in the
application layer. Each command group lives in its own module and imports lazily."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from lofte.cli import (
    cmd_archive,
    cmd_data,
    cmd_demo,
    cmd_engine,
    cmd_import,
    cmd_inbox,
    cmd_inputs,
    cmd_outbox,
    cmd_person,
    cmd_places,
    cmd_promise,
    cmd_reports,
    cmd_setup,
    cmd_trust,
    cmd_web,
)
from lofte.cli.output import fail
from lofte.cli.swedish_argparse import SwedishParser, install


def build_parser() -> SwedishParser:
    install()
    parser = SwedishParser(
        prog="lofte",
        description=(
            "Löfte kör de återkommande cyklerna i ett medborgarlöfte mellan polisen och "
            "kommunerna i ett polisområde."
        ),
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="logga varje timer som körs")
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        parser_class=SwedishParser,
        title="kommandon",
        metavar="KOMMANDO",
    )
    cmd_setup.add_commands(commands)
    cmd_promise.add_commands(commands)
    cmd_engine.add_commands(commands)
    cmd_inputs.add_commands(commands)
    cmd_reports.add_commands(commands)
    cmd_data.add_commands(commands)
    cmd_archive.add_commands(commands)
    cmd_places.add_commands(commands)
    cmd_person.add_commands(commands)
    cmd_import.add_commands(commands)
    cmd_inbox.add_commands(commands)
    cmd_outbox.add_commands(commands)
    cmd_trust.add_commands(commands)
    cmd_web.add_commands(commands)
    cmd_demo.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from lofte.kernel import logs

        chosen = logs.log_format(os.environ.get(logs.SETTING))
        logs.configure(chosen, logging.INFO if args.verbose else logging.WARNING)
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `lofte audit | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # every error a person sees is a sentence, never a traceback
        from lofte.kernel.errors import UsageError

        return fail(_explain(exc), 2 if isinstance(exc, UsageError) else 1)


def _explain(exc: Exception) -> str:
    from lofte.kernel.errors import LofteError

    if isinstance(exc, LofteError):
        return str(exc)
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    if isinstance(exc, OperationalError):
        return f"databasen svarar inte som väntat: {str(exc.orig).strip().splitlines()[0]}"
    if isinstance(exc, SQLAlchemyError):
        logging.getLogger("lofte").info("database error", exc_info=True)  # --verbose shows it
        return f"databasfel: {exc.__class__.__name__}; se loggen (kör med --verbose)"
    logging.getLogger("lofte").info("unexpected error", exc_info=True)  # --verbose shows it
    return (
        f"ett oväntat fel ({exc.__class__.__name__}: {str(exc)[:200]}); ingenting har sparats "
        "halvvägs. Kör igen med --verbose och rapportera felet."
    )


if __name__ == "__main__":
    raise SystemExit(main())
