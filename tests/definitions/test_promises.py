"""The medborgarlöfte in the setup: the packaged example has one in force for each
municipality, a broken promise is refused with file, line and a Swedish sentence, and exactly
the promise whose period holds a day is in force on it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lofte.definitions.checks.promise_checks import check_promises
from lofte.definitions.loader import PACKAGED_DIR, parse_organisation
from lofte.definitions.organisation import OrganisationSpec
from lofte.definitions.promises import PromiseSpec, in_force, promise_phrase
from lofte.definitions.yaml_source import document_of
from lofte.kernel.errors import DefinitionError
from tests.definitions.support import line_of, packaged

ORGANISATION = (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")


def test_every_packaged_municipality_has_a_promise_in_force_through_the_simulated_year() -> None:
    directory = packaged().directory
    promises = directory.spec.promises
    for unit in directory.units_of_kind("municipality"):
        for day in (date(2027, 1, 4), date(2027, 7, 1), date(2027, 12, 31)):
            promise = in_force(promises, unit.id, day)
            assert promise is not None, (unit.id, day)
            assert promise.pledges["polis"] and promise.pledges["kommun"]
    sala = in_force(promises, "sala", date(2027, 4, 1))
    assert sala is not None
    assert promise_phrase(sala, "Sala kommun") == "medborgarlöftet 2027–2028 för Sala kommun"
    assert len([r for r in sala.revisions if r.date.year == 2027]) == 2  # twice a year
    assert in_force(promises, "lpo-norra-vastmanland", date(2027, 4, 1)) is None


class Case(NamedTuple):
    old: str
    new: str
    needle: str  # the text on the line the problem points at
    path: str
    message: str


CASES = {
    "overlapping periods": Case(
        "    from: 2028-01-01\n    to: 2028-12-31\n",
        "    from: 2027-12-01\n    to: 2028-12-31\n",
        "from: 2027-12-01",
        "promises[3].from",
        "överlappar 'Medborgarlöfte Fagersta 2027' (2027-01-01–2027-12-31, rad",
    ),
    "a revision outside the period": Case(
        "{date: 2027-09-06,",
        "{date: 2030-01-07,",
        "date: 2030-01-07",
        "promises[6].revisions[0].date",
        "revideringen 2030-01-07 ligger utanför löftets period (2027-01-01–2029-12-31)",
    ),
    "a party that promises nothing": Case(
        "      polis: [vara synliga vid busstationen under helgkvällar]\n",
        "      polis: []\n",
        "polis: []",
        "promises[4].pledges.polis",
        "parten lovar ingenting",
    ),
    "no pledges at all": Case(
        "    pledges:\n      polis: [fortsätta de riktade insatserna i centrum helgkvällar]\n"
        "      kommun: [genomföra trygghetsvandringar i varje stadsdel under året]\n",
        "    pledges: {}\n",
        "pledges: {}",
        "promises[3].pledges",
        "löftet säger inte vad någon lovar",
    ),
    "an unknown party": Case(
        "      kommun: [förbättra belysningen vid busstationen och torget]\n",
        "      tullen: [förbättra belysningen vid busstationen och torget]\n",
        "tullen:",
        "promises[4].pledges.tullen",
        "okänd part 'tullen' (finns: bostadsbolag, kommun, polis, raddningstjanst)",
    ),
    "a police area": Case(
        "  - unit: surahammar\n",
        "  - unit: lpo-norra-vastmanland\n",
        "unit: lpo-norra-vastmanland",
        "promises[7].unit",
        "är ett polisområde",
    ),
    "an end before the start": Case(
        "    from: 2025-07-01\n    to: 2027-06-30\n",
        "    from: 2025-07-01\n    to: 2025-06-30\n",
        "to: 2025-06-30",
        "promises[4].to",
        "perioden slutar (2025-06-30) innan den börjar (2025-07-01)",
    ),
    "not a date": Case(
        "    from: 2027-07-01\n",
        "    from: första juli\n",
        "from: första juli",
        "promises[5].from",
        "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_broken_promise_is_refused_with_line_and_reason(case: Case) -> None:
    assert ORGANISATION.count(case.old) == 1, case.old
    text = ORGANISATION.replace(case.old, case.new)
    with pytest.raises(DefinitionError) as caught:
        parse_organisation(text, "organisation.yaml")
    [problem] = caught.value.problems
    assert problem.file == "organisation.yaml"
    assert problem.path == case.path
    assert case.message in problem.message
    assert problem.line == line_of(text, case.needle)


# --- the promise in force -------------------------------------------------------------------

START = date(2020, 1, 1)


@st.composite
def periods(draw: st.DrawFn) -> list[tuple[date, date]]:
    """Non-overlapping periods, with gaps of 0 or more days between them."""
    found = []
    day = START + timedelta(days=draw(st.integers(0, 30)))
    for _ in range(draw(st.integers(0, 6))):
        length = draw(st.integers(0, 800))
        found.append((day, day + timedelta(days=length)))
        day += timedelta(days=length + 1 + draw(st.integers(0, 60)))
    return draw(st.permutations(found))


def _promise(unit: str, start: date, end: date) -> PromiseSpec:
    return PromiseSpec.model_validate(
        {
            "unit": unit,
            "title": f"Löfte {start}",
            "from": start,
            "to": end,
            "pledges": {"polis": ["vara synlig"]},
        }
    )


ORG = OrganisationSpec.model_validate(
    {
        "name": "Test",
        "parties": [{"id": "polis", "title": "Polisen"}],
        "roles": [{"id": "kommunpolis", "title": "Kommunpolis", "party": "polis"}],
        "police_areas": [
            {"id": "lpo", "name": "LPO", "municipalities": [{"id": "sala", "name": "Sala"}]}
        ],
        "people": [
            {
                "id": "a",
                "name": "A B",
                "email": "a@example.se",
                "party": "polis",
                "roles": {"sala": ["kommunpolis"]},
            }
        ],
    }
)


@given(periods(), st.integers(-10, 3000))
def test_exactly_the_promise_whose_period_holds_the_day_is_in_force(
    spans: list[tuple[date, date]], offset: int
) -> None:
    promises = tuple(_promise("sala", start, end) for start, end in spans)
    org = ORG.model_copy(update={"promises": promises})
    assert check_promises(org, document_of({}, "organisation.yaml")) == []
    day = START + timedelta(days=offset)
    holding = [p for p in promises if p.from_ <= day <= p.to]
    assert len(holding) <= 1
    assert in_force(promises, "sala", day) == (holding[0] if holding else None)
    assert in_force(promises, "fagersta", day) is None


@given(periods(), st.data())
def test_any_two_promises_sharing_a_day_are_refused(
    spans: list[tuple[date, date]], data: st.DataObject
) -> None:
    if not spans:
        return
    start, end = data.draw(st.sampled_from(spans))
    shared = start + timedelta(days=data.draw(st.integers(0, (end - start).days)))
    extra = _promise("sala", shared - timedelta(days=data.draw(st.integers(0, 90))), shared)
    promises = (*(_promise("sala", s, e) for s, e in spans), extra)
    org = ORG.model_copy(update={"promises": promises})
    found = check_promises(org, document_of({}, "organisation.yaml"))
    assert len(found) >= 1 and all("överlappar" in p.message for p in found)
