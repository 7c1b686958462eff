"""Log lines: plain text (the default) or, with `LOFTE_LOG_FORMAT=json`, one JSON object per line
for a log collector. A line written while a web request is handled carries that request's id
(`REQUEST_ID`, set by the web app), in both formats.

Nothing here decides what is logged; callers never log a token, a link, a cookie or an answer.
The libraries that would (SQLAlchemy logs statements with their values at INFO) are held at
WARNING whatever the level.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from lofte.kernel.errors import ConfigError

REQUEST_ID: ContextVar[str | None] = ContextVar("lofte_request_id", default=None)
FORMATS = ("text", "json")
SETTING = "LOFTE_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LIBRARIES = ("sqlalchemy", "alembic")
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
}


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, request id, the fields
    given with `extra=` and, for an exception, its traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record comes (a test may have replaced it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def log_format(value: str | None) -> str:
    """The format named by LOFTE_LOG_FORMAT (`text` when unset)."""
    chosen = (value or "text").strip().lower()
    if chosen not in FORMATS:
        raise ConfigError(f"{SETTING}={chosen[:20]!r}: välj text (standard) eller json")
    return chosen


def configure(chosen: str, level: int, stream: IO[str] | None = None) -> logging.Handler | None:
    """Send log records at `level` and above to `stream` (stderr) in the `chosen` format; the
    handler replaces one an earlier call added. Returns it. Without `stream`, logging that
    someone else set up (a test runner, a program that calls `lofte.cli.main.main`) is left
    as it is, as `logging.basicConfig` leaves it, and None is returned."""
    root = logging.getLogger()
    if stream is None and any(h.get_name() != "lofte" for h in root.handlers):
        return None
    handler: logging.Handler = logging.StreamHandler(stream) if stream else _Stderr()
    handler.set_name("lofte")
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonLines() if chosen == "json" else logging.Formatter(TEXT_FORMAT))
    for old in [h for h in root.handlers if h.get_name() == "lofte"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    return handler
