"""`lofte archive` and `lofte archive verify` as sentences."""

from __future__ import annotations

from pathlib import Path

from lofte.cli.output import fail
from lofte.kernel import words
from lofte.workflow.application.archive import Archived, ArchivePlan, verdict_text
from lofte.workflow.application.archive_format import thousands
from lofte.workflow.application.archive_verify import ArchiveCheck
from lofte.workflow.application.audit_verify import Verdict


def print_archived(plan: ArchivePlan, archived: Archived, verdict: Verdict) -> int:
    counts = archived.counts
    megabytes = f"{archived.bytes / 1_000_000:.1f}".replace(".", ",")
    print(
        f"Arkivpaketet för {plan.unit.name} år {plan.year} finns i {archived.folder}: "
        f"{archived.files} filer, {megabytes} MB; "
        f"{words.count(counts['cycles'], 'cykel', 'cykler')}, "
        f"{words.count(counts['answers'], 'svar', 'svar')}, "
        f"{words.count(counts['decisions'], 'beslut', 'beslut')}, "
        f"{words.count(counts['actions'], 'åtgärd', 'åtgärder')}, "
        f"{thousands(counts['events'])} händelser ur granskningsloggen "
        f"(varav {thousands(counts['withheld'])} andra enheters, utan innehåll)."
    )
    print(
        f"Manifestets SHA-256: {archived.manifest_sha256}\n(anteckna den utanför paketet, "
        "till exempel i diariet; `lofte archive verify MAPP --manifest-sha256 ...` visar då "
        "att inget i paketet har bytts ut)"
    )
    if not plan.complete:
        print(f"Obs: år {plan.year} har inte slutat; paketet är ofullständigt.")
    if not verdict.ok:
        return fail(
            f"{verdict_text(verdict)} Paketet är skrivet och felet står i "
            "audit/verification.json; utred loggen innan paketet lämnas till arkivet."
        )
    print(verdict_text(verdict))
    return 0


def print_check(folder: Path, check: ArchiveCheck) -> int:
    if check.manifest_sha256:
        print(f"Manifestets SHA-256: {check.manifest_sha256}")
    if check.ran:
        print(f"Kontrollerat: {'; '.join(check.ran)}.")
    if check.skipped:
        print(f"Inte kontrollerat: {'; '.join(check.skipped)}.")
    if not check.ok:
        problems = "\n".join(f"  {problem}" for problem in check.problems)
        return fail(f"arkivet i {folder} är inte intakt:\n{problems}")
    manifest = check.manifest
    unit = manifest.get("unit", {})
    events = check.audit.events if check.audit is not None else 0
    print(
        f"Arkivet är intakt: {check.files + 1} filer, {thousands(events)} händelser "
        f"({unit.get('name', '')}, år {manifest.get('year')}, skapat "
        f"{words.moment(str(manifest.get('created_at')))})."
    )
    return 0
