"""The production server of `lofte web`: gunicorn's threaded workers on POSIX (processes, so
the pages' Python runs on every core), waitress where gunicorn cannot run (Windows).

The application is built once in the first process, before the workers are forked: a bad
setting or database stops the start with its Swedish message, and what start-up made is
shared copy-on-write. Each worker then drops the database connections it inherited
(`after_fork`) and opens its own."""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lofte.kernel.errors import ConfigError, system_reason

STARTED = "Löfte visar webbsidorna på http://{host}:{port}/ (avsluta med Ctrl-C)"
STOPPED = "webbservern stoppad"


def default_workers() -> int:
    """One worker per core this process may use, at most four: the pages compute in Python, so
    more processes than cores only queue, and each holds its own copy of what changes."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def gunicorn_available() -> bool:
    """gunicorn needs POSIX; LOFTE_WEB_SERVER=waitress chooses waitress anyway (one process of
    `workers` × `threads` threads: for comparing, `bench/bench_web.py --server waitress`)."""
    chosen = os.environ.get("LOFTE_WEB_SERVER") or "gunicorn"
    if chosen not in ("gunicorn", "waitress"):
        raise ConfigError(f"LOFTE_WEB_SERVER ska vara gunicorn eller waitress, inte {chosen!r}")
    return os.name == "posix" and chosen == "gunicorn"


def serve(
    app: Any,
    host: str,
    port: int,
    *,
    workers: int,
    threads: int,
    after_fork: Sequence[Callable[[], None]] = (),
) -> None:
    check_listen(host, port)
    if gunicorn_available():
        _serve_gunicorn(app, host, port, workers, threads, after_fork)
    else:
        serve_in_process(app, host, port, workers * threads)


def check_listen(host: str, port: int) -> None:
    """The address can be listened on: said in Swedish before a server tries (gunicorn would
    retry for five seconds and then stop with its own English message)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        raise ConfigError(f"okänd värd {host!r}") from None
    with socket.socket(family, kind, proto) as probe:
        if os.name == "posix":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind(address)
        except OSError as error:
            raise ConfigError(f"kan inte lyssna på {host}:{port}: {system_reason(error)}") from None


def _serve_gunicorn(
    app: Any,
    host: str,
    port: int,
    workers: int,
    threads: int,
    after_fork: Sequence[Callable[[], None]],
) -> None:
    from lofte.cli.web_gunicorn import LofteGunicorn

    options = {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "threads": threads,
    }
    LofteGunicorn(app, options, after_fork, started=STARTED.format(host=host, port=port)).run()


def serve_in_process(app: Any, host: str, port: int, threads: int) -> None:
    """waitress: threads of this one process (Windows, and `lofte demo`, whose mail delivery
    runs on a thread beside the pages)."""
    from waitress.server import create_server

    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="Löfte")
    except OSError as error:
        raise ConfigError(f"kan inte lyssna på {host}:{port}: {system_reason(error)}") from None
    print(STARTED.format(host=host, port=port), flush=True)
    _stop_on_signals()
    try:
        server.run()
    except KeyboardInterrupt:
        print(STOPPED, flush=True)
    finally:
        server.close()


def _stop_on_signals() -> None:
    """Ctrl-C and a service manager's SIGTERM stop the server the same way. Set explicitly:
    a process started with SIGINT ignored (as by some supervisors and test runners) would
    otherwise never stop on it."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)


def log_through_lofte() -> None:
    """gunicorn's own lines go to the root logger, so LOFTE_LOG_FORMAT applies to them too."""
    for name in ("gunicorn.error", "gunicorn.access"):
        log = logging.getLogger(name)
        for handler in list(log.handlers):
            log.removeHandler(handler)
        log.propagate = True
    sys.stdout.flush()
