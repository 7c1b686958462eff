"""The installation's keys for messages that delivery itself writes (digests, alerts)."""

from __future__ import annotations

from lofte.workflow.core.engine import INSTALLATION
from lofte.workflow.core.keys import Keys, new_installation_id
from lofte.workflow.core.ports import Settings


def installation_keys(settings: Settings) -> Keys:
    """Keys naming this installation (the id the engine stored, or stored now if none)."""
    return Keys(settings.get_or_add(INSTALLATION, new_installation_id()))
