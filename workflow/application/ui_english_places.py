"""The English of the place page's fixed texts and of the words the lägesbild adds for places
and parts of the day."""

from __future__ import annotations

from lofte.definitions.organisation import PLACE_KINDS

KIND_ENGLISH = {
    "station": "Station/stop",
    "torg": "Square",
    "centrum": "Centre",
    "handel": "Shops/shopping centre",
    "park": "Park/green space",
    "tunnel": "Underpass/passage",
    "skola": "School/school yard",
    "idrott": "Sports ground/sports hall",
    "badplats": "Bathing place",
    "lekplats": "Playground",
    "bostadsomrade": "Housing area",
    "parkering": "Car park",
    "atervinning": "Recycling station",
    "gata": "Street/road",
    "ovrigt": "Other",
}

PLACES = {
    "Platser": "Places",
    "Inget sparades": "Nothing was saved",
    "Platsen är kopplad; den räknas nu som platsen i registret.": (
        "The place is mapped; it now counts as the place in the register."
    ),
    "Platsen är tillagd i registret.": "The place has been added to the register.",
    "{total} iakttagelser under perioden. Andra namn och kopplade namn räknas som platsen.": (
        "{total} observations in the period. Other names and mapped names count as the place."
    ),
    "Ladda ner platserna (CSV)": "Download the places (CSV)",
    "Platsregistret": "The place register",
    "Platserna, mest rapporterade först": "The places, most reported first",
    "Koordinater (WGS 84)": "Coordinates (WGS 84)",
    "Andra namn": "Other names",
    "Registret är tomt: platserna skrivs in under places: i organisationen.": (
        "The register is empty: places are written under places: in the organisation."
    ),
    "Annan plats att koppla": "Other places to map",
    "Ingen annan plats under perioden: alla iakttagelser gäller platser i registret.": (
        "No other place in the period: every observation is of a place in the register."
    ),
    "1 iakttagelse": "1 observation",
    "{n} iakttagelser": "{n} observations",
    "Koppla till platsen": "Map onto the place",
    "Välj en plats": "Choose a place",
    "Koppla": "Map",
    "Lägg till som ny plats i registret": "Add as a new place in the register",
    "Latitud (WGS 84, t.ex. 59.9212)": "Latitude (WGS 84, e.g. 59.9212)",
    "Longitud (WGS 84, t.ex. 16.6057)": "Longitude (WGS 84, e.g. 16.6057)",
    "Lägg till i registret": "Add to the register",
    "Kommunens samordnare kopplar platsen till registret.": (
        "The municipality's coordinator maps the place onto the register."
    ),
    "Alla platser i platsregistret": "Every place in the place register",
    "Utan känd tid på dygnet (räknas inte ovan): {n}": (
        "Without a known time of day (not counted above): {n}"
    ),
    "Annan plats": "Other place",
} | {PLACE_KINDS[kind]: english for kind, english in KIND_ENGLISH.items()}
