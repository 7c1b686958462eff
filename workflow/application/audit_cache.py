"""The audit report for pages that are asked for again and again (the auditor's dashboard and
its CSV downloads): kept per process until anything is written (every change appends to the
hash-chained audit log, so its head names the data) or the minute turns (periods that should
have opened by now depend on the time). Building it reads every cycle of a year; the cached
answer is a dictionary lookup and one indexed read of the log's head."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_report import AuditReport, build_audit
from lofte.workflow.application.visibility import Viewer, visible_units

KEPT = 16  # reports kept: different auditors and filters

_Key = tuple[object, ...]
_lock = threading.Lock()
_reports: OrderedDict[_Key, AuditReport] = OrderedDict()


def cached_audit(app: Application, viewer: Viewer, unit_ids: list[str] | None) -> AuditReport:
    """`build_audit(app, viewer, unit_ids=unit_ids)`, built at most once per change and minute."""
    key = (
        id(app),
        app.reads.audit_head(),
        _minute(app.now),
        tuple(sorted(u.id for u in visible_units(viewer))),
        tuple(unit_ids) if unit_ids is not None else None,
    )
    with _lock:
        found = _reports.get(key)
        if found is not None:
            _reports.move_to_end(key)
            return found
    report = build_audit(app, viewer, unit_ids=unit_ids)
    with _lock:
        _reports[key] = report
        while len(_reports) > KEPT:
            _reports.popitem(last=False)
    return report


def _minute(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
