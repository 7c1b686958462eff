"""The English of the fixed texts about the medborgarlöfte (the public page, the cycle page)."""

from __future__ import annotations

PROMISE = {
    "Beslut och uppföljningar": "Decisions and follow-ups",
    "medborgarlöftet {years}": "citizen promise {years}",
    "Gäller {start} – {end}": "In force {start} – {end}",
    "reviderat senast {day}": "last revised {day}",
    "Det här arbetar vi med": "What we work on",
    "Läs hela medborgarlöftet": "Read the whole citizen promise",
    "Revideringar": "Revisions",
    "Löftet har inte reviderats.": "The promise has not been revised.",
    "Uppföljningar av löftet": "Follow-ups of the promise",
    "Inga uppföljningar är publicerade ännu.": "No follow-up is published yet.",
    "Inget medborgarlöfte gäller just nu.": "No citizen promise is in force just now.",
    "Nästa gäller från {day}.": "The next one is in force from {day}.",
    "Tidigare medborgarlöften": "Earlier citizen promises",
    "{cycle} gäller {promise}.": "{cycle} serves {promise}.",
    "Se löftet": "See the promise",
    "gäller till {day}": "in force until {day}",
}
