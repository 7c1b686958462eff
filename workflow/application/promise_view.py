"""The medborgarlöfte as people read it: the promise in force for a municipality on a day (or
for a cycle's period), what each party promises, what it addresses, and the revisions made so
far. For the public page, the cycle pages, the yearly report and `lofte promise`.

Texts the organisation wrote in Swedish only stay Swedish on an English page; each says its
language (`Said.lang`) so that the page can mark it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lofte.definitions.base import LocalText
from lofte.definitions.directory import Directory
from lofte.definitions.promises import PromiseSpec, promise_phrase, promises_of
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.app import Application
from lofte.workflow.core.promise_in_force import promise_of_cycle

PLEDGE_LEAD = {"sv": "{party} lovar att", "en": "{party} promises to"}


@dataclass(frozen=True)
class Said:
    """A text of the promise and the language it is written in."""

    text: str
    lang: str


@dataclass(frozen=True)
class PledgeGroup:
    party: str  # `Polisen lovar att`
    items: tuple[Said, ...]


@dataclass(frozen=True)
class RevisionLine:
    day: date
    change: Said


@dataclass(frozen=True)
class PromiseView:
    title: Said
    years: str  # `2027–2028`
    phrase: str  # `medborgarlöftet 2027–2028 för Sala kommun`
    starts: date
    ends: date
    goal: Said | None
    focus: tuple[Said, ...]
    pledges: tuple[PledgeGroup, ...]
    revisions: tuple[RevisionLine, ...]  # made up to the day it is read for, newest first
    document: str

    def holds(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class UnitPromises:
    """A municipality's promises as seen on one day."""

    in_force: PromiseView | None
    coming: tuple[PromiseView, ...]  # soonest first
    earlier: tuple[PromiseView, ...]  # newest first


def said(text: LocalText, language: str) -> Said:
    english = language == "en" and bool(text.en)
    return Said(text.en if english else text.sv, "en" if english else "sv")


def promise_view(
    directory: Directory, promise: PromiseSpec, as_of: date, language: str = "sv"
) -> PromiseView:
    unit = directory.unit(promise.unit)
    lang = "en" if language == "en" else "sv"
    return PromiseView(
        title=said(promise.title, lang),
        years=promise.years,
        phrase=promise_phrase(promise, unit.name if unit else promise.unit, lang),
        starts=promise.from_,
        ends=promise.to,
        goal=None if promise.goal is None else said(promise.goal, lang),
        focus=tuple(said(f, lang) for f in promise.focus),
        pledges=tuple(
            PledgeGroup(
                PLEDGE_LEAD[lang].format(party=directory.party_title(party, lang)),
                tuple(said(item, lang) for item in items),
            )
            for party, items in promise.pledges.items()
        ),
        revisions=tuple(
            RevisionLine(r.date, said(r.change, lang)) for r in promise.revised_on(as_of)
        ),
        document=promise.document,
    )


def unit_promises(
    directory: Directory, unit_id: str, day: date, language: str = "sv"
) -> UnitPromises:
    found = [
        promise_view(directory, p, day, language)
        for p in promises_of(directory.spec.promises, unit_id)
    ]
    return UnitPromises(
        in_force=next((p for p in found if p.holds(day)), None),
        coming=tuple(reversed([p for p in found if p.starts > day])),
        earlier=tuple(p for p in found if p.ends < day),
    )


def today(app: Application) -> date:
    return app.now.astimezone(STOCKHOLM).date()


def promises_today(app: Application, unit_id: str, language: str = "sv") -> UnitPromises:
    """NotFound for an unknown unit."""
    unit = app.require_unit(unit_id)
    return unit_promises(app.directory(), unit.id, today(app), language)


def cycle_promise(
    directory: Directory, unit_id: str, period_key: str, as_of: date, language: str = "sv"
) -> PromiseView | None:
    """The promise a cycle serves (in force on the first day of its period)."""
    promise = promise_of_cycle(directory, unit_id, period_key)
    return None if promise is None else promise_view(directory, promise, as_of, language)
