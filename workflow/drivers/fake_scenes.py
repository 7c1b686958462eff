"""What simulated people see and say: places and areas per municipality, what each kind of
place is reported for, how an observation of each category is described and at what time of
day, and which intervention answers it and which party does such work. Swedish, as the
people who would write it; for municipalities not listed the places are made from the name."""

from __future__ import annotations

from dataclasses import dataclass

# Areas (tätorter) of the packaged municipalities besides the town centre.
AREAS = {
    "sala": ("Ransta", "Västerfärnebo", "Möklinta"),
    "fagersta": ("Västanfors", "Ängelsberg"),
    "norberg": ("Kärrgruvan",),
    "skinnskatteberg": ("Riddarhyttan",),
    "surahammar": ("Virsbo", "Ramnäs"),
}
TOWNS = {
    "sala": "Sala",
    "fagersta": "Fagersta",
    "norberg": "Norberg",
    "skinnskatteberg": "Skinnskatteberg",
    "surahammar": "Surahammar",
}


@dataclass(frozen=True)
class PlaceKind:
    """A kind of place, where it is found, and what it is reported for (most often first)."""

    name: str
    in_centre: bool  # in the town centre; else in one of the other areas
    categories: tuple[str, ...]


PLACE_KINDS = (
    PlaceKind("Busstationen", True, ("klotter", "ordningsstorning", "alkohol", "narkotika")),
    PlaceKind("Torget", True, ("ordningsstorning", "alkohol", "nedskrapning", "hot-vald")),
    PlaceKind("Parken i centrum", True, ("nedskrapning", "otrygg-plats", "sprutfynd", "alkohol")),
    PlaceKind("Gångtunneln i centrum", True, ("klotter", "otrygg-plats", "skadegorelse")),
    PlaceKind("Affärsgatan", True, ("inbrott-stold", "ordningsstorning", "klotter")),
    PlaceKind("Skolgården", False, ("klotter", "skadegorelse", "brand", "ordningsstorning")),
    PlaceKind("Idrottsplatsens parkering", False, ("fordon", "inbrott-stold", "nedskrapning")),
    PlaceKind("Badplatsen", False, ("nedskrapning", "alkohol", "ordningsstorning", "brand")),
    PlaceKind("Återvinningsstationen", False, ("nedskrapning", "brand")),
    PlaceKind(
        "Lekplatsen vid hyreshusen", False, ("skadegorelse", "klotter", "sprutfynd", "brand")
    ),
)


@dataclass(frozen=True)
class Seen:
    """How an observation of a category is written ({place} is filled in), the local hours it
    is usually seen between, and how serious people judge it (on a 1–5 scale)."""

    texts: tuple[str, ...]
    hours: tuple[int, int]
    serious: tuple[int, int]


DESCRIPTIONS = {
    "skadegorelse": Seen(
        ("Krossad glasruta i busskuren vid {place}.", "Sönderslagen parkbänk vid {place}."),
        (22, 4),
        (2, 3),
    ),
    "klotter": Seen(
        ("Nytt klotter på väggen vid {place}.", "Taggar på elskåpen vid {place}."),
        (22, 4),
        (1, 3),
    ),
    "alkohol": Seen(
        ("Berusade personer vid {place}, tomflaskor kvar.", "Langning av alkohol vid {place}."),
        (19, 2),
        (2, 4),
    ),
    "sprutfynd": Seen(
        ("Sprutor hittade vid {place}, omhändertagna.", "Kanyler i gräset vid {place}."),
        (6, 10),
        (3, 5),
    ),
    "nedskrapning": Seen(
        (
            "Mycket skräp och fimpar vid {place} efter helgen.",
            "Överfulla papperskorgar vid {place}.",
        ),
        (7, 10),
        (1, 2),
    ),
    "brand": Seen(
        ("Anlagd brand i en papperskorg vid {place}.", "Brand i en container vid {place}."),
        (21, 2),
        (3, 4),
    ),
    "hot-vald": Seen(
        (
            "Bråk mellan några personer vid {place} sent på kvällen.",
            "Personal vid {place} säger att de hotats.",
        ),
        (20, 1),
        (3, 5),
    ),
    "fordon": Seen(
        (
            "Mopeder i hög fart på gångvägen vid {place}.",
            "Buskörning med bil vid {place} på kvällen.",
        ),
        (19, 23),
        (2, 4),
    ),
    "inbrott-stold": Seen(
        ("Flera bilar uppbrutna vid {place}.", "Flera cyklar stulna vid {place}."),
        (0, 5),
        (2, 4),
    ),
    "otrygg-plats": Seen(
        (
            "Trasig belysning gör {place} mörkt; flera säger att de undviker platsen.",
            "Sly skymmer sikten vid {place}.",
        ),
        (17, 22),
        (2, 4),
    ),
    "ordningsstorning": Seen(
        (
            "En grupp ungdomar samlas vid {place} på kvällarna, hög musik och stök.",
            "Störande berusade personer vid {place}.",
        ),
        (19, 24),
        (2, 4),
    ),
    "narkotika": Seen(
        (
            "Misstänkt langning vid {place} på kvällen.",
            "Misstänkt narkotikaförsäljning vid {place}.",
        ),
        (18, 24),
        (3, 5),
    ),
    "handelse": Seen(
        (
            "Marknad vid {place} under lördagen, lugnt.",
            "Evenemang vid {place}, mycket folk men lugnt.",
        ),
        (10, 16),
        (1, 1),
    ),
    "ovrigt": Seen(
        ("Övergivna cyklar vid {place}.", "Boende klagar på oväsen vid {place}."),
        (9, 17),
        (1, 2),
    ),
}


@dataclass(frozen=True)
class Remedy:
    """An intervention that answers an observation, and the parties that do such work (the
    first that has someone in the unit owns it)."""

    what: str
    parties: tuple[str, ...]


REMEDIES = {
    "skadegorelse": (Remedy("Laga den krossade rutan vid {place}", ("kommun",)),),
    "klotter": (Remedy("Sanera klottret vid {place}", ("bostadsbolag", "kommun")),),
    "alkohol": (Remedy("Fältarbetare och polis vid {place} fredag kväll", ("kommun", "polis")),),
    "sprutfynd": (
        Remedy("Sprutlåda och daglig kontroll vid {place}", ("kommun",)),
        Remedy("Riktad polisinsats vid {place}", ("polis",)),
    ),
    "nedskrapning": (
        Remedy("Extra städning och fler papperskorgar vid {place}", ("kommun", "bostadsbolag")),
    ),
    "brand": (
        Remedy("Flytta containrarna från fasaden vid {place}", ("bostadsbolag", "kommun")),
        Remedy("Brandförebyggande information vid {place}", ("raddningstjanst", "kommun")),
    ),
    "hot-vald": (Remedy("Ökad polisnärvaro vid {place} kvällstid", ("polis",)),),
    "fordon": (Remedy("Trafikkontroller vid {place}", ("polis",)),),
    "inbrott-stold": (
        Remedy("Bättre belysning och låsbara cykelställ vid {place}", ("kommun", "bostadsbolag")),
        Remedy("Information om stöldskydd till boende kring {place}", ("polis",)),
    ),
    "otrygg-plats": (
        Remedy("Byt trasig belysning och röj sly vid {place}", ("kommun",)),
        Remedy("Trygghetsvandring vid {place}", ("kommun",)),
    ),
    "ordningsstorning": (
        Remedy("Fältarbetare vid {place} fredag och lördag kväll", ("kommun",)),
        Remedy("Polisen besöker {place} kvällstid", ("polis",)),
    ),
    "narkotika": (Remedy("Riktad polisinsats mot narkotikahandel vid {place}", ("polis",)),),
    "handelse": (Remedy("Fler papperskorgar vid nästa evenemang vid {place}", ("kommun",)),),
    "ovrigt": (Remedy("Ta bort de övergivna cyklarna vid {place}", ("kommun", "bostadsbolag")),),
}
# What each party can always do about a place (when nothing above is its kind of work).
BY_PARTY = {
    "polis": "Ökad polisnärvaro vid {place} kvällstid",
    "kommun": "Trygghetsvandring vid {place}",
    "bostadsbolag": "Se över belysning och lås vid {place}",
    "raddningstjanst": "Brandförebyggande information vid {place}",
}
# Roles that decide or lead rather than carry out: an owner is someone else when there is one.
LEADING_ROLES = frozenset(
    {"styrgrupp-ordforande", "styrgrupp", "lpo-chef", "gruppchef", "operativ-koordinator"}
)
# How long after it is decided an action of each kind is due (days).
DUE_IN = {"tidig_insats": (5, 14), "insats": (14, 35), "atagande": (45, 85)}

# A follow-up: what was done and the effect, by the status given.
FOLLOW_UP = {
    "genomford": ("Genomfört som planerat.", "Inga nya iakttagelser på platsen sedan dess."),
    "pagar": ("Arbetet pågår och blir klart före tidsfristen.", "För tidigt att se effekt."),
    "ej_paborjad": ("Inte påbörjat ännu; personalen har varit upptagen.", "Ingen effekt ännu."),
    "andrad": ("Ändrat efter samråd med fastighetsägaren.", "Färre klagomål, men läget följs."),
    "avbruten": ("Avbrutet: problemet har upphört.", "Platsen är lugn."),
}
QUIET_WEEK = "Lugn period; inga större händelser rapporterade."

# What each kind of place in the register (`places:`) is reported for, most often first.
KIND_CATEGORIES = {
    "station": ("klotter", "ordningsstorning", "alkohol", "skadegorelse", "narkotika"),
    "torg": ("ordningsstorning", "alkohol", "nedskrapning", "hot-vald", "handelse"),
    "centrum": ("ordningsstorning", "klotter", "inbrott-stold", "alkohol"),
    "handel": ("inbrott-stold", "ordningsstorning", "nedskrapning", "klotter"),
    "park": ("nedskrapning", "alkohol", "otrygg-plats", "sprutfynd", "narkotika"),
    "tunnel": ("klotter", "otrygg-plats", "skadegorelse", "sprutfynd"),
    "skola": ("klotter", "skadegorelse", "brand", "ordningsstorning", "nedskrapning"),
    "idrott": ("fordon", "inbrott-stold", "nedskrapning", "klotter"),
    "badplats": ("nedskrapning", "alkohol", "ordningsstorning", "brand"),
    "lekplats": ("skadegorelse", "klotter", "sprutfynd", "otrygg-plats"),
    "bostadsomrade": ("brand", "skadegorelse", "inbrott-stold", "otrygg-plats"),
    "parkering": ("fordon", "inbrott-stold", "nedskrapning", "otrygg-plats"),
    "atervinning": ("nedskrapning", "brand"),
    "gata": ("fordon", "klotter", "ordningsstorning"),
    "ovrigt": ("otrygg-plats", "nedskrapning", "skadegorelse"),
}
# Places people write that are in no register ("annan plats"), in the unit's main town.
OTHER_PLACES = (
    "Bakom Folkets hus",
    "Gång- och cykelvägen vid ån",
    "Parkeringshuset vid vårdcentralen",
    "Busskuren på Västra vägen",
)
# Where an observation is reported, when something was done about it at once.
REPORTED_TO = ("gatukontoret", "fastighetsägaren", "bostadsbolaget", "Trafikverket")

# What the police does about a municipality's commitment in the next two weeks (LOLG).
POLICE_WORK = (
    "Synlig närvaro fredag och lördag kväll.",
    "Riktad trafikövervakning två kvällar i veckan.",
    "Kommunpolisen följer upp med skolan och fältarbetarna.",
    "Samverkanspatrull med kommunens fältarbetare.",
    "Insatsen prioriteras i veckans planering för yttre tjänst.",
    "Kontroll av platsen vid varje pass under helgen.",
)
