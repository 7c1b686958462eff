"""Tell the administrators, once per outage, when delivery has been failing for an hour.

An outage begins when a message first fails and nothing older is still failing; it ends when a
dispatcher run delivers mail and nothing is left failing. Its start is kept in the settings
(`delivery_outage_since`), so a failing message that expires or becomes an incident in the
middle of an outage does not start a second alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from lofte.notifications.installation import installation_keys
from lofte.notifications.ports import DeliveryStore, DeliveryWork
from lofte.workflow.core.catalog import Catalog
from lofte.workflow.core.message_types import DeliveryAlertMessage
from lofte.workflow.core.messages import addressed_at
from lofte.workflow.core.outbox_retry import outbox_audit
from lofte.workflow.core.records import MessageKind, OutboxStatus

ALERT_AFTER = timedelta(hours=1)
ADMIN_ROLE = "administrator"
DEPLOYMENT = "deployment"
OUTAGE_SETTING = "delivery_outage_since"


class OutageCheck(NamedTuple):
    """What a check found: alerts written, and whether an outage is still open after it (a
    message is failing, or one was alerted and mail has not flowed since)."""

    alerts: int
    open: bool


def check_outage(
    store: DeliveryStore, catalog: Catalog, now: datetime, delivered: bool
) -> OutageCheck:
    """Alert the administrators if delivery has failed for an hour and this outage has not been
    alerted yet; `delivered`: this run sent mail."""
    with store.unit_of_work(read_only=True) as uow:  # the usual case: all is well, no lock
        since = uow.outbox.failing_since()
        alerted = uow.settings.get(OUTAGE_SETTING) or ""
    if since is None and not (alerted and delivered):
        return OutageCheck(0, bool(alerted))
    if since is not None and (alerted or now - since < ALERT_AFTER):
        return OutageCheck(0, True)
    with store.unit_of_work() as uow:
        since = uow.outbox.failing_since()
        alerted = uow.settings.get(OUTAGE_SETTING) or ""
        if since is None:
            if alerted and delivered:
                uow.settings.put(OUTAGE_SETTING, "")  # mail flows again: the outage is over
                return OutageCheck(0, False)
            return OutageCheck(0, bool(alerted))
        if alerted or now - since < ALERT_AFTER:
            return OutageCheck(0, True)
        uow.settings.put(OUTAGE_SETTING, since.isoformat())
        return OutageCheck(_alert(uow, catalog, since, now), True)


def _alert(uow: DeliveryWork, catalog: Catalog, since: datetime, now: datetime) -> int:
    waiting = [m for m in uow.outbox.with_status(OutboxStatus.PENDING) if m.attempts > 0]
    context = DeliveryAlertMessage(
        since.isoformat(), len(waiting), (waiting[-1].last_error or "") if waiting else ""
    )
    keys = installation_keys(uow.settings)
    admins = catalog.view(uow).directory.holders(ADMIN_ROLE, DEPLOYMENT)
    alerts = [
        addressed_at(
            now,
            keys.unit_message(DEPLOYMENT, "delivery_alert", since.isoformat(), admin.id),
            MessageKind.DELIVERY_ALERT,
            admin,
            context,
            unit_id=DEPLOYMENT,
        )
        for admin in admins
    ]
    fresh = [a for a in alerts if not uow.outbox.exists(a.key)]
    uow.outbox.add_many(fresh)
    detail = {"failing_since": since.isoformat(), "administrators": len(fresh)}
    outbox_audit(uow, None, "delivery_alert", "dispatcher", now, detail)
    return len(fresh)
