"""A fictional national deployment of any size, for trying Löfte out and for measuring it.

`national_example(n)` gives the packaged definitions (unchanged) and a generated
`organisation.yaml` of `n` municipalities grouped into police areas of one to six, every
municipality with a full citizen promise staffed and every police area with its LOLG. Names of
places and people are built from Swedish syllables and lists; none is a real municipality or
person, and every address is under example.se. The same `n` and `seed` always give the same text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lofte.definitions.loader import ORGANISATION_STEM, PACKAGED_DIR
from lofte.definitions.organisation import DEPLOYMENT
from lofte.kernel.errors import ConfigError

MAX_MUNICIPALITIES = 290  # Sweden's number of municipalities
MAX_AREA_SIZE = 6
ORGANISATION_FILE = f"{ORGANISATION_STEM}.yaml"

_PREFIXES = (
    "Alm", "Asp", "Björk", "Ceder", "Ek", "Flint", "Gran", "Hassel", "Hägg", "Kvarn",
    "Kärr", "Lärk", "Lönn", "Mossa", "Myr", "Näver", "Olvon", "Rönn", "Sälg", "Säv",
    "Starr", "Sten", "Tall", "Tenn", "Ull", "Vass", "Glim", "Kvarts", "Ljus", "Mård",
    "Hjort", "Lodjur", "Trana", "Svan", "Uggel", "Korp", "Falk", "Lom", "Bäver", "Utter",
)  # fmt: skip
_SUFFIXES = (
    "by", "sta", "hult", "åsen", "berga", "vik", "holm", "näs", "torp", "fors",
    "lunda", "dala", "hed", "sjö", "stad", "åker", "mark", "ryd", "inge", "tuna",
    "bo", "bro", "red", "ås", "lid",
)  # fmt: skip
_REAL_NAMES = frozenset({"Eksjö", "Sävsjö"})  # real municipalities the syllables would make
_FIRST_NAMES = (
    "Anna", "Lars", "Karin", "Johan", "Maria", "Erik", "Eva", "Anders", "Sara", "Per",
    "Lena", "Nils", "Ida", "Omar", "Fatima", "Göran", "Birgitta", "Jonas", "Sofia", "Hans",
    "Emma", "Mikael", "Tove", "David", "Lisa", "Ulla", "Peter", "Malin", "Ali", "Elin",
    "Oskar", "Maja", "Ahmed", "Linnea", "Viktor", "Amira", "Gustav", "Hanna", "Leila", "Olof",
)  # fmt: skip
_LAST_NAMES = (
    "Ek", "Lind", "Berg", "Holm", "Strand", "Nord", "Vik", "Frost", "Dahl", "Falk",
    "Blom", "Sundin", "Hed", "Alm", "Rask", "Gran", "Kron", "Moberg", "Nyman", "Åberg",
    "Sjöholm", "Lundgren", "Hägglund", "Björklund", "Forsberg", "Engström", "Wikström",
    "Nilsson", "Karimi", "Hassan", "Lindqvist", "Bergman", "Ahmadi", "Öberg", "Sandberg",
)  # fmt: skip
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the same text, four times faster
_SLUG = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", " ": "-"})


@dataclass(frozen=True)
class _Municipality:
    id: str
    base: str  # the place name, e.g. Björkvik

    @property
    def name(self) -> str:
        genitive = self.base if self.base[-1] in "aeiouyåäösxz" else f"{self.base}s"
        return f"{genitive} kommun"


def national_example(municipalities: int, seed: int = 1) -> dict[str, str]:
    """File name -> YAML text: the packaged definitions and an organisation of
    `municipalities` fictional municipalities (1–290), deterministic for `seed`."""
    if isinstance(municipalities, bool) or not 1 <= municipalities <= MAX_MUNICIPALITIES:
        raise ValueError(
            f"antalet kommuner ska vara mellan 1 och {MAX_MUNICIPALITIES}, inte {municipalities}"
        )
    files = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(PACKAGED_DIR.glob("*.yaml"))
        if path.stem != ORGANISATION_STEM
    }
    files[ORGANISATION_FILE] = organisation_text(municipalities, seed)
    return files


def organisation_text(municipalities: int, seed: int = 1) -> str:
    """The generated organisation file (format 1) of a national example."""
    rng = random.Random(seed)
    packaged = yaml.safe_load((PACKAGED_DIR / ORGANISATION_FILE).read_text(encoding="utf-8"))
    places = _place_names(rng, municipalities)
    areas = _group(rng, places)
    people = _People(rng)
    area_lines: list[str] = []
    for area_id, members in areas:
        area_lines += _area_lines(area_id, members)
        people.staff_area(area_id)
        for municipality in members:
            people.staff_municipality(municipality)
    people.staff_deployment()
    head = [
        f"# A fictional deployment: {municipalities} municipalities in {len(areas)} police areas,",
        f"# generated with seed {seed}. Every place and person is made up; every address is",
        "# under example.se.",
        "format: 1",
        f"name: Medborgarlöften i {municipalities} påhittade kommuner",
        "coordinators: " + _flow(packaged["coordinators"]),
        "",
        "parties:",
        *(f"  - {_flow(party)}" for party in packaged["parties"]),
        "",
        "roles:",
        *(f"  - {_flow(role)}" for role in packaged["roles"]),
        "",
        "police_areas:",
    ]
    tail = ["", "people:", *(f"  - {_flow(person)}" for person in people.entries)]
    return "\n".join([*head, *area_lines, *tail]) + "\n"


def write_example(directory: Path, files: dict[str, str], *, overwrite: bool = False) -> list[Path]:
    """Write `files` (name -> text) into `directory`, creating it if needed. Existing files are
    left alone, and nothing is written, unless `overwrite` is true."""
    for name in files:
        if Path(name).name != name or not name.endswith(".yaml"):
            raise ConfigError(f"{name!r} är inget filnamn för en definitionsfil (namn.yaml)")
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} finns redan och är ingen mapp")
    existing = [name for name in files if (directory / name).exists()]
    if existing and not overwrite:
        raise ConfigError(
            f"{directory} innehåller redan {', '.join(sorted(existing))}; ingenting skrevs. "
            "Välj en tom mapp eller ange --force för att skriva över filerna."
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# places ---------------------------------------------------------------------------------------
def slug(name: str) -> str:
    """An id for a name: lower case a–z, digits and -."""
    return name.lower().translate(_SLUG)


def _place_names(rng: random.Random, count: int) -> list[_Municipality]:
    names = [
        prefix + suffix
        for prefix in _PREFIXES
        for suffix in _SUFFIXES
        if prefix + suffix not in _REAL_NAMES
    ]
    chosen = rng.sample(names, count)
    return [_Municipality(slug(base), base) for base in chosen]


def _group(
    rng: random.Random, places: list[_Municipality]
) -> list[tuple[str, list[_Municipality]]]:
    """Police areas of one to six municipalities each, named after their first."""
    areas = []
    start = 0
    while start < len(places):
        size = rng.randint(1, min(MAX_AREA_SIZE, len(places) - start))
        members = places[start : start + size]
        areas.append((f"lpo-{members[0].id}", members))
        start += size
    return areas


# Each steering group of a police area meets on a day (and hour) of its own, so the LPO chief,
# who is at every one, is never booked twice (the setup check refuses that): the first keeps the
# template's meeting, 15:00 two weeks after the analysis opens; the others move.
_STEERING_MEETINGS: tuple[dict[str, Any] | None, ...] = (
    None,
    {"meeting": {"starts": "P15DT1H"}},  # 10:00, a day later
    {"meeting": {"starts": "P16DT6H"}},  # 15:00, two days later
    {"meeting": {"starts": "P18DT1H"}},  # 10:00
    {"meeting": {"starts": "P19DT4H"}},  # 13:00
    {"meeting": {"starts": "P20DT6H"}, "deadline": "P23D"},  # 15:00, decided after it
)


def _area_lines(area_id: str, members: list[_Municipality]) -> list[str]:
    base = members[0].base
    lines = [
        f"  - id: {area_id}",
        f"    name: LPO {base}",
        f"    location: Polisstationen {base}",
        "    municipalities:",
    ]
    for index, m in enumerate(members):
        entry: dict[str, Any] = {
            "id": m.id,
            "name": m.name,
            "location": f"Kommunhuset {m.base}",
            "website": f"https://www.{m.id}.example.se",
        }
        steering = _STEERING_MEETINGS[index]
        if steering is not None:
            entry["overrides"] = {"inriktningsbeslut": {"steps": {"beslut": steering}}}
        lines.append(f"      - {_flow(entry)}")
    return lines


def _flow(value: Any) -> str:
    """One YAML value on one line, in flow style (`{id: x, name: y}`)."""
    text: str = yaml.dump(
        value,
        Dumper=_DUMPER,
        default_flow_style=True,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
    )
    return text.strip().removesuffix("...").strip()


# people ---------------------------------------------------------------------------------------
class _People:
    """Fictional people with unique ids, and the roles each holds per unit."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._ids: set[str] = set()
        self.entries: list[dict[str, Any]] = []

    def add(self, party: str, domain: str, roles: dict[str, list[str]]) -> None:
        first, last = self._rng.choice(_FIRST_NAMES), self._rng.choice(_LAST_NAMES)
        base = slug(f"{first}-{last}")
        person_id = next(c for c in _candidates(base) if c not in self._ids)
        self._ids.add(person_id)
        self.entries.append(
            {
                "id": person_id,
                "name": f"{first} {last}",
                "email": f"{person_id.replace('-', '.')}@{domain}.example.se",
                "party": party,
                "roles": roles,
            }
        )

    def staff_area(self, area_id: str) -> None:
        """The LOLG of a police area: LPO chief, two group chiefs, operational coordinator."""
        for role in ("lpo-chef", "gruppchef", "gruppchef", "operativ-koordinator"):
            self.add("polis", "polisen", {area_id: [role]})

    def staff_municipality(self, m: _Municipality) -> None:
        """A full promise: steering group, coordinator, EST actors of several parties and a
        kommunpolis who also reports to EST."""
        self.add("kommun", m.id, {m.id: ["styrgrupp-ordforande", "styrgrupp"]})
        self.add("kommun", m.id, {m.id: ["samordnare", "est-rapportor", "styrgrupp"]})
        self.add("kommun", m.id, {m.id: ["est-rapportor", "styrgrupp"]})
        self.add("bostadsbolag", f"{m.id}bostader", {m.id: ["est-rapportor"]})
        self.add("raddningstjanst", f"raddning-{m.id}", {m.id: ["est-rapportor"]})
        self.add("polis", "polisen", {m.id: ["kommunpolis", "est-rapportor"]})

    def staff_deployment(self) -> None:
        self.add("kommun", "revision", {DEPLOYMENT: ["revisor"]})
        self.add("kommun", "lofte", {DEPLOYMENT: ["administrator"]})


def _candidates(base: str) -> Iterator[str]:
    yield base
    number = 2
    while True:
        yield f"{base}-{number}"
        number += 1
