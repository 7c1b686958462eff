"""`lofte submit` and `lofte status`: answering requests and seeing what is pending."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lofte.cli import arguments

MAX_ANSWER_BYTES = 1_000_000


def add_commands(commands: Any) -> None:
    submit = commands.add_parser("submit", help="registrera ett svar på en förfrågan")
    submit.add_argument("request", type=arguments.positive_int, metavar="FÖRFRÅGAN", nargs="?")
    submit.add_argument(
        "--as",
        dest="person",
        type=arguments.identifier,
        metavar="PERSON",
        help="den som svarar (personens id)",
    )
    submit.add_argument(
        "--token", metavar="LÄNK", help="länken (eller dess sista del) ur e-postmeddelandet"
    )
    submit.add_argument("--file", type=Path, metavar="FIL", help="svaret som YAML eller JSON")
    submit.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="FÄLT=VÄRDE",
        help="ett fält (JSON-värden som listor går bra); kan upprepas",
    )
    arguments.add_database(submit)
    submit.set_defaults(handler=run_submit)

    status = commands.add_parser("status", help="öppna cykler, väntande svar, incidenter")
    status.add_argument(
        "--person",
        type=arguments.identifier,
        metavar="PERSON",
        help="bara denna persons väntande svar",
    )
    status.add_argument(
        "--unit", type=arguments.identifier, metavar="ENHET", help="bara denna enhet"
    )
    status.add_argument(
        "--as",
        dest="viewer",
        type=arguments.identifier,
        metavar="PERSON",
        help="visa det PERSON får se",
    )
    arguments.add_database(status)
    status.set_defaults(handler=run_status)


def read_answer(file: Path | None, values: list[str]) -> dict[str, Any]:
    """The answer from a file and/or FIELD=VALUE pairs; a clear error when unreadable."""
    from lofte.kernel.errors import ConfigError, system_reason
    from lofte.kernel.untrusted import Limits, UntrustedInputError, load_yaml

    answer: dict[str, Any] = {}
    limits = Limits(max_bytes=MAX_ANSWER_BYTES, max_depth=10, max_nodes=50_000)
    if file is not None:
        try:
            if file.stat().st_size > MAX_ANSWER_BYTES:
                raise ConfigError(
                    f"--file {file}: filen är större än {MAX_ANSWER_BYTES // 1000} kB"
                )
            text = file.read_bytes().decode("utf-8")
        except OSError as exc:
            raise ConfigError(f"--file {file}: går inte att läsa ({system_reason(exc)})") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"--file {file}: inte UTF-8-text (byte {exc.start})") from exc
        try:
            loaded = load_yaml(text, limits)
        except UntrustedInputError as exc:
            where = f", rad {exc.line}" if exc.line else ""
            raise ConfigError(f"--file {file}{where}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"--file {file}: svaret ska vara fält med värden (fält: värde)")
        answer.update(loaded)
    for item in values:
        field, sep, raw = item.partition("=")
        if not sep or not field.strip():
            raise ConfigError(f"--set {item[:60]!r}: skriv FÄLT=VÄRDE")
        if len(raw) > MAX_ANSWER_BYTES:
            raise ConfigError(f"--set {field.strip()[:40]}: värdet är för stort")
        try:
            answer[field.strip()] = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            answer[field.strip()] = raw
    if not answer:
        raise ConfigError("ange svaret med --file FIL eller --set FÄLT=VÄRDE")
    return answer


def run_submit(args: argparse.Namespace) -> int:
    from lofte.cli.wiring import connect
    from lofte.kernel.errors import UsageError
    from lofte.workflow.application.answer_links import submit_with_token
    from lofte.workflow.application.texts import sentence

    if args.token and (args.request or args.person):
        raise UsageError("ange antingen --token, eller FÖRFRÅGAN med --as PERSON, inte båda")
    if not args.token and not (args.request and args.person):
        raise UsageError("säg vilken förfrågan: FÖRFRÅGAN med --as PERSON, eller --token LÄNK")
    answer = read_answer(args.file, args.values)
    wired = connect(args.database)
    if args.token:
        request = submit_with_token(wired.app, args.token, answer)
    else:
        request = wired.engine.submit(args.request, args.person, answer)
    late = " (efter tidsfristen)" if request.late else ""
    changed = " (ändrat svar)" if request.answer_version > 1 else ""
    print(f"Svaret på förfrågan {request.id} är registrerat{late}{changed}.")
    cycle = wired.app.cycle(request.instance_id)
    print(sentence(cycle, wired.app.definition_of(cycle)))
    wired.close()
    return 0


def run_status(args: argparse.Namespace) -> int:
    from lofte.cli.status_output import print_status
    from lofte.cli.wiring import connect
    from lofte.workflow.application.status import build_status

    wired = connect(args.database)
    viewer = wired.app.viewer(args.viewer)
    units = [wired.app.require_unit(args.unit).id] if args.unit else None
    if args.person is not None and wired.app.directory().find(args.person) is None:
        from lofte.kernel.errors import NotFound

        raise NotFound("person", args.person)
    report = build_status(wired.app, viewer, unit_ids=units, person=args.person)
    print_status(wired.url, report)
    wired.close()
    return 0
