"""Upper limits that keep a definition sane: a deadline of P99999999Y or a million reminders
would otherwise validate and then stall the engine."""

from __future__ import annotations

import re

from lofte.kernel.durations import IsoDuration

# Names people type in commands and files refer to: definitions, steps, fields, units, roles.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")

MAX_CADENCE = IsoDuration.parse("P1Y")
MIN_CADENCE_SECONDS = 86400
MAX_OFFSET = IsoDuration.parse("P1Y")  # a step's deadline or a meeting's start after opening
MAX_WINDOW = IsoDuration.parse("P3M")  # reminders, late windows, escalation delays
MAX_MEETING = IsoDuration.parse("P1D")
MAX_REMINDERS = 10
MAX_STEPS = 20
MAX_TRANSITIONS = 100
MAX_FIELDS = 60
MAX_COLUMNS = 30
MAX_OPTIONS = 100
MAX_CONTEXT = 10
MAX_TITLE = 200
MAX_LABEL = 300
MAX_LONG_TEXT = 4000
MAX_TEXT_LENGTH = 100_000
MAX_ROWS = 1000
MAX_NUMBER = 1e12
MAX_SCALE = 100
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_UNITS = 2000
MAX_PEOPLE = 100_000


def valid_id(value: str) -> bool:
    return IDENTIFIER.match(value) is not None


def too_long(duration: IsoDuration, limit: IsoDuration) -> bool:
    return duration.approx_seconds() > limit.approx_seconds()
