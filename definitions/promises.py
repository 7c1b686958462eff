"""The medborgarlöfte (citizen promise) of a municipality: its period, what each party promises,
what it addresses, and its revisions. Written as `promises:` in the organisation; the rules
(one promise in force at a time, revisions inside the period) are in
`definitions.checks.promise_checks`.

A promise is *in force* on a day when its period (`from` and `to`, both included) holds the
day; the loading rules make that at most one per municipality.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import Field

from lofte.definitions.base import Frozen, Identifier, Text

PROMISE_WORDS = {"sv": "medborgarlöftet", "en": "the citizen promise"}
OF_WORDS = {"sv": "för", "en": "of"}


class RevisionSpec(Frozen):
    """A revision of the promise: when, and what changed (Sala revises twice a year)."""

    date: dt.date
    change: Text


class PromiseSpec(Frozen):
    """One municipality's promise for one period."""

    unit: Identifier
    title: Text
    from_: dt.date = Field(alias="from")
    to: dt.date
    goal: Text | None = None  # the aim in one or two sentences
    focus: tuple[Text, ...] = ()  # the problems and places it addresses
    pledges: dict[Identifier, tuple[Text, ...]]  # party id -> `Polisen lovar att …`
    revisions: tuple[RevisionSpec, ...] = ()
    document: str = ""  # where the signed promise is published (a web address)

    def holds(self, day: dt.date) -> bool:
        return self.from_ <= day <= self.to

    @property
    def years(self) -> str:
        """`2027–2028`, or `2027` for a promise within one year."""
        first, last = self.from_.year, self.to.year
        return str(first) if first == last else f"{first}–{last}"

    def revisions_newest_first(self) -> tuple[RevisionSpec, ...]:
        return tuple(sorted(self.revisions, key=lambda r: r.date, reverse=True))

    def revised_on(self, day: dt.date) -> tuple[RevisionSpec, ...]:
        """The revisions made up to `day`, newest first."""
        return tuple(r for r in self.revisions_newest_first() if r.date <= day)


def promises_of(promises: Iterable[PromiseSpec], unit_id: str) -> tuple[PromiseSpec, ...]:
    """A municipality's promises, the newest period first."""
    return tuple(
        sorted((p for p in promises if p.unit == unit_id), key=lambda p: p.from_, reverse=True)
    )


def in_force(promises: Iterable[PromiseSpec], unit_id: str, day: dt.date) -> PromiseSpec | None:
    """The promise of `unit_id` whose period holds `day`, if any (the first one, should a
    stored setup from before the rules hold two)."""
    for promise in promises_of(promises, unit_id):
        if promise.holds(day):
            return promise
    return None


def promise_phrase(promise: PromiseSpec, unit_name: str, language: str = "sv") -> str:
    """How a text names the promise: `medborgarlöftet 2027–2028 för Sala kommun`."""
    lang = "en" if language == "en" else "sv"
    return f"{PROMISE_WORDS[lang]} {promise.years} {OF_WORDS[lang]} {unit_name}"
