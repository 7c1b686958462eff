"""`lofte audit verify` on a SQL store: the chain with the store's audit keys, against the
head file (when there is one) and a head an auditor gives, and the protecting triggers."""

from __future__ import annotations

from typing import Any

from lofte.storage.audit_guard import trigger_problems
from lofte.storage.unit_of_work import SqlStore
from lofte.workflow.application.audit_verify import Verdict, verify


def verify_store(app: Any, store: SqlStore, expected: tuple[int, str] | None = None) -> Verdict:
    outside = store.head_file.read(store.audit_keys) if store.head_file is not None else None
    return verify(app, expected, outside=outside, guard=trigger_problems(store.engine))
