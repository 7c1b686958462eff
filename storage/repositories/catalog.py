"""Stored definitions, settings and step contexts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from lofte.storage import rows
from lofte.storage.drivers import Driver, per_driver
from lofte.storage.fast_sql import prepare_module
from lofte.storage.record_rows import RecordRows
from lofte.storage.repositories.base import Repository, insert_ignore
from lofte.storage.tables import DocumentRow, SettingRow, StepContextRow, VersionRow
from lofte.workflow.core.ports import StoredDocument, StoredVersion

D = rows.table(DocumentRow)
V = rows.table(VersionRow)
S = rows.table(SettingRow)
C = rows.table(StepContextRow)

_LATEST_VERSION = (
    select(V.c.name, V.c.unit_id, func.max(V.c.version).label("version"))
    .where(V.c.kind == bindparam("kind"))
    .group_by(V.c.name, V.c.unit_id)
    .subquery()
)
_LATEST = (
    select(V.c.name, V.c.unit_id, V.c.version, V.c.content_hash)
    .join(
        _LATEST_VERSION,
        (V.c.name == _LATEST_VERSION.c.name)
        & (V.c.unit_id == _LATEST_VERSION.c.unit_id)
        & (V.c.version == _LATEST_VERSION.c.version),
    )
    .where(V.c.kind == bindparam("kind"))
)
_VERSION_HASH = select(V.c.content_hash).where(
    V.c.kind == bindparam("kind"),
    V.c.name == bindparam("name"),
    V.c.unit_id == bindparam("unit"),
    V.c.version == bindparam("version"),
)
_DOCUMENT = select(D.c.text).where(D.c.content_hash == bindparam("hash"))
_ADD_DOCUMENTS = per_driver(lambda driver: insert_ignore(D, driver, ["content_hash"]))
_ADD_VERSIONS = insert(V)
_DOCUMENT_ROWS = RecordRows(StoredDocument, D)
_VERSION_ROWS = RecordRows(StoredVersion, V, renamed={"unit": "unit_id"})
_SETTING = select(S.c.value).where(S.c.key == bindparam("key"))
_ADD_SETTING = per_driver(lambda driver: insert_ignore(S, driver, ["key"]))
_PUT_SETTING = update(S).where(S.c.key == bindparam("b_key")).values(value=bindparam("value"))


def _put_context(driver: type[Driver]) -> Any:
    """Insert a step's context, or replace the one stored: one statement (its JSON written
    once; an UPDATE first and then an INSERT wrote the lägesbild twice for every new step)."""
    made = driver.insert(C)
    return made.on_conflict_do_update(
        index_elements=[C.c.instance_id, C.c.step_id], set_={"context": made.excluded.context}
    )


_PUT_CONTEXT = per_driver(_put_context)
_GET_CONTEXT = select(C.c.context).where(
    C.c.instance_id == bindparam("instance"), C.c.step_id == bindparam("step")
)


class SqlCatalogStore(Repository):
    def latest_versions(self, kind: str) -> dict[tuple[str, str], tuple[int, str]]:
        found = self.execute(_LATEST, {"kind": kind})
        return {(name, unit): (version, h) for name, unit, version, h in found}

    def version_hash(self, kind: str, name: str, unit: str, version: int) -> str | None:
        params = {"kind": kind, "name": name, "unit": unit, "version": version}
        value = self.execute(_VERSION_HASH, params).scalar()
        return None if value is None else str(value)

    def document(self, content_hash: str) -> str | None:
        value = self.execute(_DOCUMENT, {"hash": content_hash}).scalar()
        return None if value is None else str(value)

    def add_documents(self, documents: Sequence[StoredDocument]) -> None:
        if documents:
            values = [_DOCUMENT_ROWS.values(d) for d in documents]
            self.execute(_ADD_DOCUMENTS[self.driver.name], values)

    def add_versions(self, versions: Sequence[StoredVersion]) -> None:
        if versions:
            self.execute(_ADD_VERSIONS, [_VERSION_ROWS.values(v) for v in versions])


class SqlSettings(Repository):
    def get(self, key: str, *, lock: bool = False) -> str | None:
        statement = _SETTING.with_for_update() if lock else _SETTING
        value = self.execute(statement, {"key": key}).scalar()
        return None if value is None else str(value)

    def get_or_add(self, key: str, default: str) -> str:
        found = self.get(key)
        if found is not None:
            return found
        self.execute(_ADD_SETTING[self.driver.name], {"key": key, "value": default})
        return self.get(key) or default

    def put(self, key: str, value: str) -> None:
        if self.execute(_PUT_SETTING, {"b_key": key, "value": value}).rowcount == 0:
            self.execute(_ADD_SETTING[self.driver.name], {"key": key, "value": value})


class SqlStepContexts(Repository):
    def put(self, instance_id: int, step_id: str, context: dict[str, Any]) -> None:
        """Store (or replace) what the step shows."""
        values = {"instance_id": instance_id, "step_id": step_id, "context": context}
        self.execute(_PUT_CONTEXT[self.driver.name], values)

    def get(self, instance_id: int, step_id: str) -> dict[str, Any] | None:
        value = self.execute(_GET_CONTEXT, {"instance": instance_id, "step": step_id}).scalar()
        return None if value is None else dict(value)


prepare_module(globals())  # the statements above run on the driver (storage.fast_sql)
