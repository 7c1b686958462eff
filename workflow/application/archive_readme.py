"""README.txt of an archive package: what each file is, in Swedish, for an archivist who has
never seen Löfte."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from lofte.workflow.application.archive_format import thousands

if TYPE_CHECKING:
    from lofte.workflow.application.archive import ArchivePlan


def readme(plan: ArchivePlan, counts: dict[str, int], audit_ok: bool) -> str:
    names = ", ".join(u.name for u in plan.units)
    scope = (
        f"Paketet gäller {plan.unit.name} och dess kommuner ({names})."
        if len(plan.units) > 1
        else f"Paketet gäller {plan.unit.name}."
    )
    unfinished = (
        ""
        if plan.complete
        else f"\nObs: år {plan.year} hade inte slutat när paketet skapades; det är ofullständigt.\n"
    )
    title = f"Arkivpaket från Löfte: {plan.unit.name}, år {plan.year}"
    about = textwrap.fill(
        "Löfte driver de återkommande cyklerna i ett medborgarlöfte mellan polisen och "
        "kommunen (EST-inventeringar, EST-möten, inriktningsbeslut, operativ inriktning, "
        f"uppföljningar). {scope} En kommuns paket innehåller bara kommunens egna uppgifter; "
        "polisområdets egna cykler (operativ inriktning) finns i polisområdets paket.",
        88,
    )
    return f"""{title}
{"=" * len(title)}

{about}
{unfinished}
Innehåll
--------
Varje tabell finns två gånger: som CSV (UTF-8 med BOM, semikolon mellan kolumnerna,
öppnas direkt i svenska Excel; tider i svensk tid) och som JSON (tider i UTC enligt
ISO 8601). JSON-filerna anger sitt format och sin version.

{_files(counts, audit_ok)}

Känsliga uppgifter (fält som bara polisen får se) arkiveras inte i paketet.

Kontroll
--------
`lofte archive verify MAPP` kontrollerar varje fils kontrollsumma, att ingen fil saknas
eller har tillkommit, och att granskningsloggens händelser hänger ihop länk för länk.
Med granskningsnyckeln (--key-file eller LOFTE_AUDIT_KEY) räknas även varje händelses
nyckelsignerade hash om. Manifestets egen SHA-256 skrevs ut när paketet skapades; den
som antecknats utanför paketet (till exempel i diariet) jämförs med --manifest-sha256 och
visar att inget i paketet har bytts ut. Utan Löfte: jämför `sha256sum` för varje fil med
manifest.json, och manifestets egen med den antecknade.
"""


def _files(counts: dict[str, int], audit_ok: bool) -> str:
    described = _tables(counts) + _others(counts, audit_ok)
    return "\n".join(_entry(name, text) for name, text in described)


def _tables(counts: dict[str, int]) -> list[tuple[str, str]]:
    return [
        (
            "cycles.csv, cycles.json",
            f"Årets cykler ({counts['cycles']} st): period, när de öppnades och stängdes, "
            "utfall (i tid, sent, ofullständig) och vilka svar som saknades och vem som var "
            "skyldig dem. En cykel hör till det år dess period börjar.",
        ),
        (
            "answers.csv, answers.json",
            f"Svaren i årets cykler ({counts['answers']} st). I CSV-filen en rad per värde "
            "(fält, radnummer i en lista, kolumn, värde); i JSON-filen varje svar helt.",
        ),
        (
            "decisions.csv, decisions.json",
            f"Besluten ({counts['decisions']} st), till exempel styrgruppens "
            "inriktningsbeslut, med beslutsdatum, vem som beslutade och innehållet.",
        ),
        (
            "actions.csv, actions.json",
            f"Åtgärdsregistret ({counts['actions']} st): insatser, tidiga insatser och "
            "åtaganden som gällde någon gång under året, med ansvarig, status, uppföljningar "
            "och antal iakttagelser före och efter beslutet (räknat den dag paketet skapades).",
        ),
    ]


def _others(counts: dict[str, int], audit_ok: bool) -> list[tuple[str, str]]:
    log = "intakt" if audit_ok else "BRUTEN (se audit/verification.json)"
    return [
        (
            "report.html",
            "Lägesbild och åtgärdsplan för året (lag 2023:196, 4 §) som en fristående "
            "HTML-fil utan länkar till annat; kan öppnas i en webbläsare och skrivas ut som "
            "PDF. För ett polisområde sammanställs dess kommuner.",
        ),
        (
            "audit/events.jsonl",
            f"Granskningsloggens händelser under året ({thousands(counts['events'])} st), en "
            "JSON-rad per händelse med nummer (seq), hash och föregående händelses hash "
            "(prev_hash). Loggen är en kedja för hela installationen: en följd av händelser "
            "som gäller andra enheter står som en rad med bara första och sista numret och "
            f"hasharna (märkt withheld; {thousands(counts['withheld'])} händelser), så att "
            "kedjan kan följas utan att deras innehåll lämnas ut.",
        ),
        (
            "audit/verification.json",
            f"Kontrollen av hela granskningsloggen när paketet skapades (resultat: {log}) och "
            "vad händelsefilen ska innehålla.",
        ),
        (
            "manifest.json",
            "Paketets innehållsförteckning: format och version, enhet, år, när paketet "
            "skapades, Löftes version och varje fil med storlek och SHA-256-kontrollsumma.",
        ),
        ("README.txt", "Den här filen."),
    ]


def _entry(name: str, text: str) -> str:
    lines = textwrap.wrap(text, 58)
    return "\n".join(f"{name if i == 0 else '':<31}{line}" for i, line in enumerate(lines))
