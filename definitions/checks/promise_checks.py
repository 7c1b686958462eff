"""Rules of the medborgarlöften (`promises:` in the organisation): each belongs to a
municipality, has a period that ends after it starts, says what at least one party promises,
keeps its revisions inside its period, and never overlaps another promise of its
municipality (one promise is in force at a time)."""

from __future__ import annotations

from lofte.definitions.base import LocalText
from lofte.definitions.checks import bounds
from lofte.definitions.organisation import OrganisationSpec
from lofte.definitions.promises import PromiseSpec
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel.errors import DefinitionProblem

MAX_PROMISES = 10 * bounds.MAX_UNITS
MAX_ITEMS = 50  # pledges per party, focus areas, revisions


def check_promises(org: OrganisationSpec, doc: YamlDocument) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    if len(org.promises) > MAX_PROMISES:
        problems.append(doc.problem(("promises",), f"högst {MAX_PROMISES} medborgarlöften"))
        return problems
    municipalities = {m.id for a in org.police_areas for m in a.municipalities}
    areas = {a.id for a in org.police_areas}
    parties = {p.id for p in org.parties}
    for index, promise in enumerate(org.promises):
        here: PathKey = ("promises", index)
        problems += _check_unit(promise, doc, here, municipalities, areas)
        problems += _check_period(promise, doc, here)
        problems += _check_pledges(promise, doc, here, parties)
        problems += _check_texts(promise, doc, here)
    problems += _check_overlaps(org.promises, doc)
    return problems


def _check_unit(
    promise: PromiseSpec,
    doc: YamlDocument,
    here: PathKey,
    municipalities: set[str],
    areas: set[str],
) -> list[DefinitionProblem]:
    if promise.unit in municipalities:
        return []
    if promise.unit in areas:
        message = (
            f"{promise.unit!r} är ett polisområde; ett medborgarlöfte ges av en kommun och "
            "polisen tillsammans (ange kommunens id)"
        )
    else:
        known = ", ".join(sorted(municipalities))
        message = f"okänd kommun {promise.unit[:70]!r} (finns: {known})"
    return [doc.problem((*here, "unit"), message)]


def _period(promise: PromiseSpec) -> str:
    return f"{promise.from_.isoformat()}–{promise.to.isoformat()}"


def _check_period(
    promise: PromiseSpec, doc: YamlDocument, here: PathKey
) -> list[DefinitionProblem]:
    problems = []
    if promise.to < promise.from_:
        problems.append(
            doc.problem(
                (*here, "to"),
                f"perioden slutar ({promise.to.isoformat()}) innan den börjar "
                f"({promise.from_.isoformat()}); `to` ska vara löftets sista dag",
            )
        )
    for key, day in (("from", promise.from_), ("to", promise.to)):
        if not bounds.MIN_YEAR <= day.year <= bounds.MAX_YEAR:
            problems.append(
                doc.problem(
                    (*here, key), f"året ska ligga mellan {bounds.MIN_YEAR} och {bounds.MAX_YEAR}"
                )
            )
    if len(promise.revisions) > MAX_ITEMS:
        problems.append(doc.problem((*here, "revisions"), f"högst {MAX_ITEMS} revideringar"))
    for r_index, revision in enumerate(promise.revisions):
        where: PathKey = (*here, "revisions", r_index)
        if promise.from_ <= promise.to and not promise.holds(revision.date):
            problems.append(
                doc.problem(
                    (*where, "date"),
                    f"revideringen {revision.date.isoformat()} ligger utanför löftets period "
                    f"({_period(promise)})",
                )
            )
        problems += _text(doc, (*where, "change"), revision.change, bounds.MAX_LONG_TEXT)
    return problems


def _check_pledges(
    promise: PromiseSpec, doc: YamlDocument, here: PathKey, parties: set[str]
) -> list[DefinitionProblem]:
    if not promise.pledges:
        message = (
            "löftet säger inte vad någon lovar: skriv under `pledges:` vad varje part lovar, "
            "till exempel `polis: [...]` och `kommun: [...]`"
        )
        return [doc.problem((*here, "pledges"), message)]
    problems = []
    for party, items in promise.pledges.items():
        where: PathKey = (*here, "pledges", party)
        if party not in parties:
            known = ", ".join(sorted(parties))
            problems.append(doc.problem(where, f"okänd part {party[:70]!r} (finns: {known})"))
        if not items:
            problems.append(
                doc.problem(
                    where, "parten lovar ingenting: skriv minst ett löfte eller ta bort den"
                )
            )
        if len(items) > MAX_ITEMS:
            problems.append(doc.problem(where, f"högst {MAX_ITEMS} löften per part"))
        for i_index, item in enumerate(items):
            problems += _text(doc, (*where, i_index), item, bounds.MAX_LONG_TEXT)
    return problems


def _check_texts(promise: PromiseSpec, doc: YamlDocument, here: PathKey) -> list[DefinitionProblem]:
    problems = _text(doc, (*here, "title"), promise.title, bounds.MAX_TITLE)
    if promise.goal is not None:
        problems += _text(doc, (*here, "goal"), promise.goal, bounds.MAX_LONG_TEXT)
    if len(promise.focus) > MAX_ITEMS:
        problems.append(doc.problem((*here, "focus"), f"högst {MAX_ITEMS} fokusområden"))
    for f_index, focus in enumerate(promise.focus):
        problems += _text(doc, (*here, "focus", f_index), focus, bounds.MAX_LABEL)
    if promise.document and not promise.document.startswith(("https://", "http://")):
        problems.append(
            doc.problem((*here, "document"), "ska vara en webbadress (https://…) eller utelämnas")
        )
    return problems


def _text(
    doc: YamlDocument, path: PathKey, value: LocalText, limit: int
) -> list[DefinitionProblem]:
    if not value.sv.strip():
        return [doc.problem(path, "texten är tom")]
    if len(value.sv) > limit or len(value.en) > limit:
        return [doc.problem(path, f"högst {limit} tecken")]
    return []


def _check_overlaps(
    promises: tuple[PromiseSpec, ...], doc: YamlDocument
) -> list[DefinitionProblem]:
    """Two promises of one municipality whose periods share a day: the later-starting one is
    reported, naming the other and its line."""
    problems = []
    ordered = sorted(enumerate(promises), key=lambda item: (item[1].unit, item[1].from_))
    reach: dict[str, tuple[int, PromiseSpec]] = {}  # per unit: the promise that ends last
    for index, promise in ordered:
        found = reach.get(promise.unit)
        if found is None or found[1].to < promise.to:
            reach[promise.unit] = (index, promise)
        if found is None or promise.from_ > found[1].to:
            continue
        before_index, before = found
        line = doc.line_of(("promises", before_index))
        where = f", rad {line}" if line is not None else ""
        problems.append(
            doc.problem(
                ("promises", index, "from"),
                f"perioden {_period(promise)} överlappar {before.title.sv!r} "
                f"({_period(before)}{where}); bara ett medborgarlöfte per kommun kan gälla åt "
                "gången: låt det ena sluta dagen innan det andra börjar",
            )
        )
    return problems
