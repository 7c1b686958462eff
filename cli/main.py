"""`lofte`: the command line. Each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from cli import cmd_definitions, cmd_engine, cmd_inputs, cmd_outbox, cmd_reports
from cli.output import fail
from workflow.errors import LofteError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise SystemExit(fail(f"{self.prog}: {message}", 2))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lofte",
        description="Löfte runs the recurring cycles of a medborgarlöfte (citizen promise).",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log every timer fired")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmd_engine.add_commands(commands)
    cmd_inputs.add_commands(commands)
    cmd_reports.add_commands(commands)
    cmd_outbox.add_commands(commands)
    cmd_definitions.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except LofteError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `lofte audit | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
