"""Parts of pages that many people ask for at once and that cost a year's data to build (the
auditor's dashboard: a national year renders about 1,600 rows and their chart). Kept per
process, like `workflow.application.audit_cache`'s report, until anything is written (every
change appends to the audit log, so its head names the data) or the minute turns; the key
names everything else the part shows (who may see what, the filter, the language)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import Markup

from lofte.workflow.application.app import Application

KEPT = 16  # parts kept: different auditors, filters and languages

_lock = threading.Lock()
_parts: OrderedDict[Hashable, Markup] = OrderedDict()
_building: dict[Hashable, threading.Lock] = {}  # parts being rendered, by key


def rendered(app: Application, key: Hashable, render: Callable[[], str]) -> Markup:
    """`render()`, or what it gave for `key` while the data and the minute are the same. One
    thread renders a missing part; the others asking for it meanwhile wait for that one."""
    full = (id(app), app.reads.audit_head(), app.now.isoformat(timespec="minutes"), key)
    with _lock:
        found = _parts.get(full)
        if found is not None:
            _parts.move_to_end(full)
            return found
        builder = _building.setdefault(full, threading.Lock())
    try:
        with builder:
            with _lock:
                found = _parts.get(full)
            if found is None:
                found = Markup(render())  # rendered by Jinja with autoescape: already safe
                with _lock:
                    _parts[full] = found
                    while len(_parts) > KEPT:
                        _parts.popitem(last=False)
        return found
    finally:
        with _lock:
            _building.pop(full, None)
