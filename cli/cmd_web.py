"""`lofte web`: serve the web pages with the production server (gunicorn's threaded workers;
waitress on Windows): see `web_server`."""

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
            "LOFTE_LOG_FORMAT=json ger loggen som JSON. LOFTE_WEB_SERVER=waitress: en enda "
            "process med trådar i stället för gunicorn (på Windows alltid). Inloggning: "
            "LOFTE_SIGN_IN (link, oidc eller both), LOFTE_OIDC_PROVIDERS med "
            "LOFTE_OIDC_<NYCKEL>_ISSUER, _CLIENT_ID, "
            "_CLIENT_SECRET (eller _CLIENT_SECRET_FILE), _NAME och _CLAIM; sessioner: "
            "LOFTE_SESSION_IDLE_MINUTES (standard 30) och LOFTE_SESSION_MAX_HOURS (standard 10)."
        ),
    )
    web.add_argument("--host", default="127.0.0.1", metavar="VÄRD", help="standard 127.0.0.1")
    web.add_argument("--port", type=arguments.bounded_int(1, 65535), default=8000, metavar="PORT")
    web.add_argument(
        "--workers",
        type=arguments.bounded_int(1, 32),
        default=None,
        metavar="N",
        help="antal processer som svarar (standard: en per kärna, högst 4; sidorna räknar "
        "mest i Python, så fler processer än kärnor gör bara varje svar långsammare)",
    )
    web.add_argument(
        "--threads",
        type=arguments.bounded_int(1, 64),
        default=2,
        metavar="N",
        help="trådar i varje process (standard 2: en svarar medan en annan väntar på databasen)",
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
    from lofte.cli.web_server import default_workers, serve

    wired.store.close()  # start-up's connections: each worker opens its own after the fork
    serve(
        app,
        args.host,
        args.port,
        workers=args.workers or default_workers(),
        threads=args.threads,
        after_fork=[lambda: wired.store.engine.dispose(close=False)],
    )
    return 0
