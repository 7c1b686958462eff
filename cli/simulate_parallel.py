"""Running `lofte simulate` as N processes, one per part of the police areas
(`cli/simulate_parts.py` says why the parts add up to one run), and showing them as one."""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import signal
import sys
from pathlib import Path
from typing import Any

from lofte.definitions.loader import Bundle
from lofte.kernel.errors import LofteError, UsageError

DEFAULT_MOST = 2  # processes by default: this machine's two cores


def processes_for(args: argparse.Namespace, given: Bundle | None) -> int:
    """How many processes: as asked, or one per core (at most two) when the parts' results
    are certain to equal one process's: a setup given, no database to keep, no digests."""
    from lofte.cli.simulate_parts import groups

    asked: int | None = args.processes
    if asked == 1:
        return 1
    if given is None or args.database is not None or given.directory.digest_people:
        if asked is None:
            return 1
        raise UsageError(
            "--processes över 1 kräver --definitions, och går inte med --database "
            "eller med dagssammanfattningar"
        )
    if asked is None:
        asked = min(DEFAULT_MOST, os.cpu_count() or 1)
    return max(1, min(asked, len(groups(given))))


def run_parts(args: argparse.Namespace, given: Bundle, processes: int) -> int:
    from lofte.cli.cmd_engine import simulate_failed
    from lofte.cli.simulate_parts import merge, part_sources, split

    context = multiprocessing.get_context("spawn")  # nothing of this process's state
    results: Any = context.Queue()
    children = [
        context.Process(
            target=_part,
            args=(args, part_sources(given, areas), number, results),
            name=f"lofte-simulate-{number}",
        )
        for number, areas in enumerate(split(given, processes))
    ]
    for child in children:
        child.start()
    previous = signal.signal(signal.SIGTERM, _interrupted)  # stopped alone: stop the parts too
    try:
        parts = _collect(children, results)
    except BaseException:
        _stop(children)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    parts.sort(key=lambda part: part["number"])
    merged = merge([part["report"] for part in parts])
    problems: dict[str, int] = {}
    for part in parts:
        for reason, n in part["problems"].items():
            problems[reason] = problems.get(reason, 0) + n
    _show(args, given, merged, parts)
    return simulate_failed(problems)


def _interrupted(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _stop(children: list[Any]) -> None:
    """Ask the parts that still run to stop as Ctrl-C does, whether this process was
    interrupted (Ctrl-C reaches only it: each part runs in a process group of its own, with
    its delivery worker), stopped with SIGTERM or one part failed."""
    for child in children:
        if child.is_alive() and child.pid is not None:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.killpg(child.pid, signal.SIGINT)  # the part and its delivery worker


def _collect(children: list[Any], results: Any) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    while len(parts) < len(children):
        try:
            kind, payload = results.get(timeout=5)
        except queue.Empty:
            if any(not c.is_alive() and c.exitcode for c in children):
                codes = [c.exitcode for c in children]
                raise LofteError(
                    f"en simuleringsprocess avslutades oväntat (koder {codes})"
                ) from None
            continue
        if kind == "error":
            raise LofteError(f"en simuleringsprocess stannade: {payload}")
        parts.append(payload)
    return parts


def _show(
    args: argparse.Namespace, given: Bundle, merged: dict[str, Any], parts: list[dict[str, Any]]
) -> None:
    from lofte.cli.simulate_output import SHOWN_INCOMPLETE, print_summary

    figures = [
        {key: part[key] for key in ("police_areas", "peak_rss_mib", "worker_peak_rss_mib")}
        for part in parts
    ]
    if args.json:  # the report as one process gives it; each process's memory apart
        print(json.dumps(merged, indent=2, ensure_ascii=False))
        print(f"processer: {json.dumps(figures)}", file=sys.stderr)
        return
    incomplete = sorted(line for part in parts for line in part["incomplete"])
    print_summary(
        merged,
        lambda unit_id: str(getattr(given.directory.unit(unit_id), "name", unit_id)),
        [text for _, text in incomplete[-SHOWN_INCOMPLETE:]],
        sum(part["outbox"] for part in parts),
        args,
        None if args.no_mail else Path(parts[0]["mail_dir"]),
        None,
    )
    peaks = ", ".join(f"{f['peak_rss_mib']} + {f['worker_peak_rss_mib']}" for f in figures)
    print(
        f"({len(parts)} processer med polisområdena delade mellan dem; största minnesanvändning "
        f"per process och dess e-postprocess: {peaks} MiB.)"
    )


def _part(
    args: argparse.Namespace, sources: Any, number: int, results: Any
) -> None:  # pragma: no cover - runs in the spawned process; tests see its effects
    os.setpgrp()  # the parent stops this part and its delivery worker together (`_stop`)
    try:
        results.put(("done", _simulate_part(args, sources, number)))
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    except Exception as exc:  # the parent shows it as a Swedish error, never a traceback
        detail = str(exc) if isinstance(exc, LofteError) else f"{exc.__class__.__name__}: {exc}"
        results.put(("error", detail))


def _simulate_part(
    args: argparse.Namespace, sources: Any, number: int
) -> dict[str, Any]:  # pragma: no cover - runs in the spawned process
    from lofte.cli.cmd_engine import simulate_in
    from lofte.cli.simulate_output import incomplete_lines
    from lofte.cli.simulate_parts import load_part

    bundle = load_part(sources)
    out: dict[str, Any] = {"number": number}
    out["police_areas"] = len(bundle.organisation.spec.police_areas)

    def show(wired: Any, result: Any, delivery: Any) -> None:
        out["report"] = result.as_dict()
        out["incomplete"] = incomplete_lines(wired)
        out["outbox"] = sum(wired.app.reads.outbox_counts().values())
        out["mail_dir"] = str(delivery.mail_dir)

    out["problems"] = simulate_in(args, bundle, show)
    import resource  # POSIX; the parts run where `spawn` and the worker do

    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["worker_peak_rss_mib"] = round(worker, 1)
    return out
