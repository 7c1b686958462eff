"""The schema, as SQLModel tables. Rows are storage's business: repositories read and write
them through SQLAlchemy Core and hand the engine `workflow.core.records`."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from lofte.storage.types import PlainFloat, UtcDateTime


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UtcDateTime(), nullable=nullable, index=index),
    )


def _json(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(JSON, nullable=True))
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _text() -> Any:
    return Field(sa_column=Column(Text, nullable=False))


class SettingRow(SQLModel, table=True):
    """Installation settings: the installation id, the link-signing secret, the catalog
    generation."""

    __tablename__ = "settings"
    key: str = Field(primary_key=True, max_length=64)
    value: str = _text()


class DocumentRow(SQLModel, table=True):
    """A stored definition, template or organisation text, by content hash."""

    __tablename__ = "definition_documents"
    content_hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=20)
    format: int
    text: str = _text()


class VersionRow(SQLModel, table=True):
    __tablename__ = "definition_versions"
    __table_args__ = (UniqueConstraint("kind", "name", "unit_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=64)
    unit_id: str = Field(max_length=64)
    version: int
    content_hash: str = Field(max_length=64)
    registered_at: datetime = _when()


class InstanceRow(SQLModel, table=True):
    __tablename__ = "cycle_instances"
    __table_args__ = (
        Index("ix_cycle_instances_lookup", "definition_name", "unit_id", "period_start"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    definition_name: str = Field(max_length=64)
    unit_id: str = Field(max_length=64, index=True)
    definition_version: int
    period_key: str = Field(max_length=32)
    period_label: str = Field(max_length=64)
    period_start: datetime = _when()
    opens_at: datetime = _when()
    ends_at: datetime = _when()
    opened_at: datetime = _when()
    state: str = Field(max_length=64)
    step_deadline_at: datetime | None = _when(nullable=True)
    step_late_until: datetime | None = _when(nullable=True)
    open_requests: int = 0
    missing_requests: int = 0
    late_answers: int = 0
    version: int = 1
    closed_at: datetime | None = _when(nullable=True)
    outcome: str | None = Field(default=None, max_length=32)
    missing: list[dict[str, Any]] | None = _json(nullable=True)


class RequestRow(SQLModel, table=True):
    __tablename__ = "input_requests"
    __table_args__ = (
        Index("ix_input_requests_step", "instance_id", "step_id"),
        Index("ix_input_requests_person", "person_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)
    instance_id: int = Field(foreign_key="cycle_instances.id")
    unit_id: str = Field(max_length=64)
    step_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requested_at: datetime = _when()
    deadline_at: datetime = _when()
    late_until: datetime = _when()
    subject: dict[str, Any] = _json()
    status: str = Field(max_length=16)
    answered_at: datetime | None = _when(nullable=True)
    late: bool = False
    answer: dict[str, Any] | None = _json(nullable=True)
    answer_version: int = 0


class SensitiveRow(SQLModel, table=True):
    """Values of sensitive fields, kept apart from the answer (and encrypted at rest)."""

    __tablename__ = "sensitive_values"
    __table_args__ = (UniqueConstraint("request_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="input_requests.id", index=True)
    version: int
    key_id: str = Field(default="", max_length=64)
    payload: str = _text()
    stored_at: datetime = _when()
    erased_at: datetime | None = _when(nullable=True)


def _partial(name: str, *columns: str, where: str) -> Index:
    """An index of only the rows `where` holds (a status most rows leave): a row that leaves
    it is taken out once and never put back, so a change of status rewrites fewer indexes.
    A query uses it only where it states `where` literally (`storage.rows.status_is`)."""
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


PENDING_ONLY = "status = 'pending'"


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"
    __table_args__ = (
        # every status: lists and counts by status; the id is the claim's order (0112)
        Index("ix_timers_due", "status", "due_at", "id"),
        _partial(  # (status first: the planner then prefers it to ix_timers_due)
            "ix_timers_retry",
            "status",
            "next_attempt_at",
            where=f"{PENDING_ONLY} AND next_attempt_at IS NOT NULL",
        ),
        _partial("ix_timers_instance", "instance_id", "due_at", where=PENDING_ONLY),
        _partial(
            "ix_timers_opening",
            "definition_name",
            "unit_id",
            where=f"{PENDING_ONLY} AND kind = 'open'",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)
    kind: str = Field(max_length=20)
    due_at: datetime = _when()
    definition_name: str = Field(max_length=64)
    unit_id: str = Field(max_length=64)
    instance_id: int | None = Field(default=None, foreign_key="cycle_instances.id")
    payload: dict[str, Any] = _json()
    status: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = _when(nullable=True)
    last_error: str | None = None
    fired_at: datetime | None = _when(nullable=True)
    fired_by: str | None = Field(default=None, max_length=120)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),  # every status: lists, counts
        _partial("ix_outbox_claimed", "status", "claimed_at", where="status = 'sending'"),
        _partial("ix_outbox_person", "person_id", where="status = 'held'"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=500, unique=True)
    kind: str = Field(max_length=32)
    unit_id: str = Field(default="", max_length=64)
    instance_id: int | None = Field(default=None, index=True)
    request_id: int | None = Field(default=None)
    person_id: str = Field(max_length=64)
    recipient: str = Field(max_length=254)
    language: str = Field(max_length=8)
    context: dict[str, Any] = _json()
    created_at: datetime = _when()
    valid_until: datetime | None = _when(nullable=True)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    first_attempt_at: datetime | None = _when(nullable=True)
    next_attempt_at: datetime | None = _when(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_at: datetime | None = _when(nullable=True)
    sent_at: datetime | None = _when(nullable=True)
    last_error: str | None = None
    delivery: str | None = Field(default=None, max_length=500)
    reported_at: datetime | None = _when(nullable=True)


class AuditRow(SQLModel, table=True):
    """Append-only and hash-chained: each row's hash covers the previous row's hash and its
    own content; database triggers refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_instance", "instance_id", "seq"),)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _when()
    unit_id: str = Field(default="", max_length=64, index=True)
    instance_id: int | None = Field(default=None)
    definition_name: str = Field(default="", max_length=64)
    definition_version: int = 0
    event: str = Field(max_length=64)
    actor: str = Field(max_length=120)
    from_state: str | None = Field(default=None, max_length=64)
    to_state: str | None = Field(default=None, max_length=64)
    detail: str = _text()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # 1: SHA-256 without a key; 2: HMAC-SHA256 with the audit key `key_id` (audit_chain)
    chain_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    key_id: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})


class MeetingRow(SQLModel, table=True):
    """A meeting step's time and place; SEQUENCE grows with every change (RFC 5545)."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("instance_id", "step_id"),)
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=300, unique=True)
    instance_id: int = Field(foreign_key="cycle_instances.id")
    unit_id: str = Field(max_length=64, index=True)
    step_id: str = Field(max_length=64)
    starts_at: datetime = _when()
    ends_at: datetime = _when()
    location: str = Field(default="", max_length=200)
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sequence: int = 0
    cancelled: bool = False


class ActionRow(SQLModel, table=True):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_unit", "unit_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=500, unique=True)
    unit_id: str = Field(max_length=64)
    kind: str = Field(max_length=20)
    source_instance_id: int = Field(foreign_key="cycle_instances.id")
    source_label: str = Field(max_length=200)
    what: str = _text()
    place: str = Field(default="", max_length=200)
    problem: str = Field(default="", max_length=200)
    indicator: str = Field(default="", max_length=300)
    baseline: str = Field(default="", max_length=300)
    target_categories: str = Field(default="", max_length=400)
    owner_id: str = Field(max_length=64, index=True)
    owner_party: str = Field(max_length=64)
    due_date: date | None = None
    status: str = Field(max_length=16)
    effect: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = _when()
    updated_at: datetime | None = _when(nullable=True)
    closed_at: datetime | None = _when(nullable=True)
    version: int = 1


class ActionEventRow(SQLModel, table=True):
    __tablename__ = "action_events"
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="actions.id", index=True)
    at: datetime = _when()
    status: str = Field(max_length=16)
    actor: str = Field(max_length=120)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    effect: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    instance_id: int | None = None


class StepContextRow(SQLModel, table=True):
    """What a step showed when it opened (the lägesbild, decisions in force, open actions)."""

    __tablename__ = "step_contexts"
    __table_args__ = (UniqueConstraint("instance_id", "step_id"),)
    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="cycle_instances.id")
    step_id: str = Field(max_length=64)
    context: dict[str, Any] = _json()


class ImportedObservationRow(SQLModel, table=True):
    """An EST observation brought in from another tool's export (`lofte import observations`):
    the observation in its versioned shape, keyed per row of its file so a re-import adds
    nothing."""

    __tablename__ = "imported_observations"
    __table_args__ = (
        UniqueConstraint("unit_id", "key"),
        Index("ix_imported_observations_when", "unit_id", "observed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    unit_id: str = Field(max_length=64)
    observed_at: datetime = _when()
    observation: dict[str, Any] = _json()
    source: str = Field(max_length=200)
    imported_at: datetime = _when()
    imported_by: str = Field(max_length=120)


class InboundMailRow(SQLModel, table=True):
    """A mail read from Löfte's mailbox, by the hash of its Message-ID: the same mail read
    twice is acted on once (`lofte inbox read`)."""

    __tablename__ = "inbound_mails"
    __table_args__ = (Index("ix_inbound_mails_person", "person_id", "received_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    received_at: datetime = _when()
    outcome: str = Field(max_length=40)
    request_id: int | None = Field(default=None)
    detail: dict[str, Any] = _json()
    person_id: str | None = Field(default=None, max_length=120)
    away_until: date | None = Field(default=None)


class IndicatorRow(SQLModel, table=True):
    """A yearly figure from outside (Brå's reported crimes, a trygghetsmätning), one row per
    version of (unit, year, indicator, source)."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("unit_id", "year", "name", "source", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(max_length=64)
    year: int
    name: str = Field(max_length=200)
    source: str = Field(max_length=200)
    value: float = Field(sa_column=Column(PlainFloat(), nullable=False))
    measure: str = Field(default="", max_length=60)
    version: int
    format: int
    file: str = Field(default="", max_length=200)
    imported_at: datetime = _when()
    imported_by: str = Field(max_length=120)


class SignInRow(SQLModel, table=True):
    """A sign-in link asked for, or a sign-in through an identity provider (`method`): only
    hashes are kept (of the link's single-use nonce, the address, the client). An address that
    matches nobody is recorded too (without a person), so rate limits count it."""

    __tablename__ = "sign_ins"
    nonce_hash: str = Field(primary_key=True, max_length=64)
    person_id: str | None = Field(default=None, max_length=64, index=True)
    address_hash: str = Field(max_length=64, index=True)
    client_hash: str = Field(max_length=64, index=True)
    created_at: datetime = _when(index=True)
    valid_until: datetime = _when()
    used_at: datetime | None = _when(nullable=True)
    # `link`, or `oidc:KEY` for a sign-in through identity provider KEY (used at once)
    method: str = Field(default="link", max_length=40, sa_column_kwargs={"server_default": "link"})


class WebSessionRow(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random id, the table only its hash."""

    __tablename__ = "web_sessions"
    id_hash: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(max_length=64, index=True)
    created_at: datetime = _when()
    last_seen_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)
