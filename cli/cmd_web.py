"""`lofte web`: serve the web pages with a production WSGI server (waitress)."""

from __future__ import annotations

import argparse
from typing import Any

from lofte.cli import arguments


def add_commands(commands: Any) -> None:
    web = commands.add_parser(
        "web",
        help="visa webbsidorna (svarssidan för länkarna i e-posten)",
        description=(
            "Startar webbservern. LOFTE_BASE_URL ska vara adressen som länkarna i e-posten "
            "pekar på (standard http://localhost:8000). Timers körs av `lofte run`. "
            "Drift: /healthz, /readyz och /metrics (LOFTE_METRICS_FROM, LOFTE_METRICS_TOKEN); "
            "LOFTE_EMBED_ORIGINS anger webbplatser som får rama in de publika sidorna; "
            "LOFTE_LOG_FORMAT=json ger loggen som JSON. Inloggning: LOFTE_SIGN_IN (link, oidc "
            "eller both), LOFTE_OIDC_PROVIDERS med LOFTE_OIDC_<NYCKEL>_ISSUER, _CLIENT_ID, "
            "_CLIENT_SECRET (eller _CLIENT_SECRET_FILE), _NAME och _CLAIM; sessioner: "
            "LOFTE_SESSION_IDLE_MINUTES (standard 30) och LOFTE_SESSION_MAX_HOURS (standard 10)."
        ),
    )
    web.add_argument("--host", default="127.0.0.1", metavar="VÄRD", help="standard 127.0.0.1")
    web.add_argument("--port", type=arguments.bounded_int(1, 65535), default=8000, metavar="PORT")
    web.add_argument(
        "--threads",
        type=arguments.bounded_int(1, 64),
        default=4,
        metavar="N",
        help="antal trådar som svarar (standard 4: sidorna räknar mest i Python, och fler trådar "
        "än kärnor gör varje svar långsammare)",
    )
    web.add_argument(
        "--proxies",
        type=arguments.bounded_int(0, 5),
        default=0,
        metavar="N",
        help="antal betrodda omvända proxyservrar framför Löfte (X-Forwarded-For/-Proto)",
    )
    arguments.add_database(web)
    web.set_defaults(handler=run_web)


def run_web(args: argparse.Namespace) -> int:
    import logging
    import os

    from lofte.cli.wiring import connect
    from lofte.notifications.config import mail_settings
    from lofte.storage.operations_read import SqlOperationsReads
    from lofte.storage.web_access import SqlWebAccess
    from lofte.web.factory import create_app
    from lofte.web.operations_settings import Operations, from_environment
    from lofte.web.sign_in_settings import from_environment as sign_in_from_environment

    settings = from_environment(os.environ)  # a bad setting stops the start, before anything
    sign_in = sign_in_from_environment(os.environ)
    base_url = mail_settings().base_url
    wired = connect(args.database)
    operations = Operations(settings, SqlOperationsReads(wired.store.engine))
    app = create_app(
        wired.app,
        SqlWebAccess(wired.store.engine),
        base_url=base_url,
        proxies=args.proxies,
        operations=operations,
        sign_in=sign_in,
    )
    logging.getLogger("lofte.web.requests").setLevel(logging.INFO)  # one line per request
    from lofte.cli.memory import freeze_start_up

    freeze_start_up()
    serve(app, args.host, args.port, args.threads)
    return 0


def serve(app: Any, host: str, port: int, threads: int) -> None:
    import socket

    from waitress.server import create_server

    from lofte.kernel.errors import ConfigError

    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="Löfte")
    except OSError as error:
        raise ConfigError(f"kan inte lyssna på {host}:{port}: {error.strerror}") from None
    except socket.gaierror:
        raise ConfigError(f"okänd värd {host!r}") from None
    print(f"Löfte visar webbsidorna på http://{host}:{port}/ (avsluta med Ctrl-C)", flush=True)
    _stop_on_signals()
    try:
        server.run()
    except KeyboardInterrupt:
        print("webbservern stoppad")
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
