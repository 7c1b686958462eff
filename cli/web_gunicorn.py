"""gunicorn embedded in `lofte web` (POSIX only: gunicorn needs fork and fcntl). Threaded
workers (gthread); the application is built before the fork (preloaded), each worker drops the
database connections it inherited; gunicorn's own lines go through Löfte's logging; started
and stopped are said in Swedish as with waitress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from lofte.cli.web_server import STOPPED, log_through_lofte


class LofteLogger(Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """No handlers of gunicorn's own: its lines propagate to the root logger Löfte set up
    (LOFTE_LOG_FORMAT=json makes them JSON too). No access log: Löfte logs each request."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        log_through_lofte()


class LofteGunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    def __init__(
        self,
        app: Any,
        options: dict[str, Any],
        after_fork: Sequence[Callable[[], None]],
        *,
        started: str,
    ) -> None:
        self.application = app
        self.options = options
        self.after_fork = list(after_fork)
        self.started = started
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "worker_class": "gthread",
            "preload_app": True,
            "proc_name": "lofte-web",
            "logger_class": LofteLogger,
            "accesslog": None,
            # The forwarded headers are ProxyFix's (`--proxies N`), never gunicorn's: it
            # would otherwise trust X-Forwarded-Proto from 127.0.0.1 on its own.
            "forwarded_allow_ips": "",
            "secure_scheme_headers": {},
            "control_socket_disable": True,  # gunicorn 25+: no control socket in $HOME
            "graceful_timeout": 10,  # within the unit file's TimeoutStopSec=15
            "when_ready": self._when_ready,
            "post_fork": self._post_fork,
            "on_exit": self._on_exit,
            **self.options,
        }
        for key, value in settings.items():
            if key in self.cfg.settings:  # a setting an older gunicorn lacks is left out
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application

    def _when_ready(self, _arbiter: Any) -> None:
        print(self.started, flush=True)

    def _post_fork(self, _arbiter: Any, _worker: Any) -> None:
        for forget in self.after_fork:
            forget()

    def _on_exit(self, _arbiter: Any) -> None:
        print(STOPPED, flush=True)
