"""The medborgarlöfte as people read it: the promise in force for a municipality on a day (or
for a cycle's period), what each party promises, what it addresses, and the revisions made so
far. For the public page, the cycle pages, the yearly report and `lofte promise`.

Texts the organisation wrote in Swedish only stay Swedish on an English page; each says its
language (`Said.lang`) so that the page can mark it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lofte.definitions.base import LocalText
from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory
from lofte.definitions.promises import PromiseSpec, promise_phrase, promises_of
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import outcome_text
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.promise_in_force import names_promise, promise_of_cycle, promise_words
from lofte.workflow.core.records import CycleInstance

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


def promises_of_year(app: Application, unit_id: str, year: int) -> list[PromiseView]:
    """The promises in force some day of `year`, the earliest first, with the revisions made
    by the end of the year (or today, for the year under way): what the yearly report cites."""
    directory = app.directory()
    first, last = date(year, 1, 1), date(year, 12, 31)
    as_of = min(last, today(app))
    return [
        promise_view(directory, p, as_of)
        for p in reversed(promises_of(directory.spec.promises, unit_id))
        if p.from_ <= last and p.to >= first
    ]


def cycle_promise_words(
    directory: Directory, definition: CycleDefinition, instance: CycleInstance
) -> str:
    """`medborgarlöftet 2027–2028 för Sala kommun` for a cycle that names the promise it serves."""
    if not names_promise(definition):
        return ""
    return promise_words(directory, instance.unit_id, instance.period_key, "sv")


@dataclass(frozen=True)
class ServingCycle:
    """A cycle that serves the promise: `Inriktningsbeslut`, `kvartal 2 2027`, `avslutat`."""

    title: str
    period: str
    outcome: str
    instance_id: int


def cycles_serving(app: Application, unit_id: str, promise: PromiseView) -> list[ServingCycle]:
    """The unit's decisions and follow-ups whose period falls in the promise's, in order."""
    directory = app.directory()
    found = []
    for cycle in app.reads.cycles(CycleFilter(units=[unit_id])):
        definition = app.definition_of(cycle)
        served = promise_of_cycle(directory, unit_id, cycle.period_key)
        if not names_promise(definition) or served is None or served.from_ != promise.starts:
            continue
        outcome = outcome_text(cycle.outcome, definition.names.gender) if cycle.outcome else "pågår"
        found.append(
            ServingCycle(
                definition.display_title(),
                label_of_key(cycle.period_key),
                outcome,
                cycle.id or 0,
            )
        )
    return found
