"""The English of the lägesbild's map, place plot, category × place table, 12-week trend and
the police area's municipalities side by side."""

from __future__ import annotations

MAP = {
    "Karta och platser": "Map and places",
    "Kategorier på kartan": "Categories on the map",
    "Visa valda kategorier": "Show the chosen categories",
    "Karta över platserna": "Map of the places",
    "iakttagelse": "observation",
    "iakttagelser": "observations",
    "Platserna ritade efter sina koordinater (norr uppåt). Cirklarnas storlek följer antalet "
    "iakttagelser; en ring är en plats utan iakttagelser.": (
        "The places drawn by their coordinates (north up). The circles' size follows the number "
        "of observations; a ring is a place without observations."
    ),
    "{n} iakttagelser gällde en annan plats utan koordinater och syns inte här.": (
        "{n} observations were at another place without coordinates and are not shown here."
    ),
    "Kategori per plats": "Category per place",
    "Iakttagelser per plats och kategori": "Observations per place and category",
    "Alla kategorier": "All categories",
    "annan plats": "other place",
    "Trend per kategori, 12 veckor": "Trend per category, 12 weeks",
    "Antal iakttagelser per vecka under de 12 veckor som slutar med periodens sista dag.": (
        "Number of observations per week over the 12 weeks ending with the period's last day."
    ),
    "Iakttagelser per kategori och vecka": "Observations per category and week",
    "Kurva": "Curve",
    "Summa": "Total",
    "Inga iakttagelser under de 12 veckorna.": "No observations during the 12 weeks.",
    "Angiven mängd": "Quantity given",
    "Antal är antalet iakttagelser. Angiven mängd är summan av det antal rapportörerna angav "
    "(till exempel antal taggar); en iakttagelse utan angivet antal räknas som ett.": (
        "Number is the number of observations. Quantity given is the sum of the quantities "
        "the reporters gave (the number of tags, say); an observation without one counts as one."
    ),
    "Lokalpolisområdets lägesbild är dess kommuners tillsammans.": (
        "The local police area's picture is its municipalities' together."
    ),
    "Kommunerna sida vid sida": "The municipalities side by side",
    "Kommun": "Municipality",
    "Iakttagelser": "Observations",
    "Förändring mot perioden innan": "Change against the period before",
    "Vanligaste kategori": "Most common category",
    "EST-inventeringar klara av genomförda": "EST inventories completed of those run",
    "Svarsfrekvens": "Answer rate",
    "{done} av {ran}": "{done} of {ran}",
    "{answered} av {asked} svar": "{answered} of {asked} answers",
    "Totalt": "Total",
    "Kommuner där du inte har någon roll är inte med: {names}.": (
        "Municipalities where you hold no role are left out: {names}."
    ),
    "Lokalpolisområdets egna och dess kommuners.": (
        "The local police area's own and its municipalities'."
    ),
}
