"""`lofte archive verify DIR`: check an archive package without the database: the manifest's
form, every file's size and SHA-256, no file missing and none added, and the audit events
link by link (their own hashes recomputed where the key allows, `archive_audit`). Each problem
is named with its file; the answer says which checks ran and which could not."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lofte.kernel import words
from lofte.kernel.errors import ConfigError
from lofte.workflow.application.archive_audit import SegmentCheck, check_segment
from lofte.workflow.application.archive_format import (
    EVENTS,
    FORMAT,
    MANIFEST,
    VERIFICATION,
    VERSION,
    thousands,
)
from lofte.workflow.core.audit_chain import AuditKeys


@dataclass
class ArchiveCheck:
    files: int = 0  # listed in the manifest
    problems: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    audit: SegmentCheck | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(
    folder: Path, keys: AuditKeys | None, manifest_sha256: str | None = None
) -> ArchiveCheck:
    """Check the package in `folder`; with `manifest_sha256` (noted when it was made) also
    that its manifest is the one made then, which a forger cannot rewrite to match."""
    if not folder.is_dir():
        raise ConfigError(f"mappen {folder} finns inte")
    check = ArchiveCheck()
    manifest = _manifest(folder, check)
    if manifest is None:
        return check
    check.manifest = manifest
    _noted(check, manifest_sha256)
    listed = _checksums(folder, manifest, check)
    _extra(folder, listed, check)
    if EVENTS in listed and VERIFICATION in listed:
        _audit(folder, keys, check)
    else:
        check.problems.append(f"manifestet nämner inte {EVENTS} och {VERIFICATION}")
    return check


def _manifest(folder: Path, check: ArchiveCheck) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        check.problems.append(f"{MANIFEST} saknas: mappen är inget arkivpaket från Löfte")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        check.problems.append(f"{MANIFEST} är ingen giltig JSON (filen är skadad)")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        check.problems.append(f"{MANIFEST} beskriver inget arkivpaket från Löfte (format)")
        return None
    version = manifest.get("version")
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        check.problems.append(
            f"{MANIFEST} har version {version}, som denna version av Löfte inte känner "
            f"(högst {VERSION}); kontrollera med en nyare Löfte"
        )
        return None
    if not isinstance(manifest.get("files"), list):
        check.problems.append(f"{MANIFEST} saknar fillistan (files)")
        return None
    check.ran.append("manifestets form")
    check.manifest_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return manifest


def _noted(check: ArchiveCheck, noted: str | None) -> None:
    if noted is None:
        check.skipped.append(
            "att manifestet är det som skapades (ange --manifest-sha256 med den kontrollsumma "
            "som antecknades när paketet skapades)"
        )
    elif noted.strip().lower() != check.manifest_sha256:
        check.problems.append(
            f"{MANIFEST} är inte det manifest som skapades: dess SHA-256 är "
            f"{check.manifest_sha256}, inte {noted.strip()[:64]}"
        )
    else:
        check.ran.append("att manifestet är det som skapades (--manifest-sha256)")


def _checksums(folder: Path, manifest: dict[str, Any], check: ArchiveCheck) -> set[str]:
    listed: set[str] = set()
    for entry in manifest["files"]:
        path = str(entry.get("path", "")) if isinstance(entry, dict) else ""
        if not _safe(path):
            check.problems.append(f"{MANIFEST}: otillåten sökväg {path[:80]!r}")
            continue
        listed.add(path)
        check.files += 1
        target = folder / path
        if not target.is_file():
            check.problems.append(f"{path} saknas")
            continue
        content = target.read_bytes()
        if len(content) != entry.get("bytes"):
            check.problems.append(
                f"{path} har ändrats: {len(content)} byte, manifestet säger {entry.get('bytes')}"
            )
        elif hashlib.sha256(content).hexdigest() != entry.get("sha256"):
            check.problems.append(f"{path} har ändrats: kontrollsumman (SHA-256) stämmer inte")
    check.ran.append(f"kontrollsummor och storlek för {words.count(check.files, 'fil', 'filer')}")
    return listed


def _safe(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts and path != MANIFEST


def _extra(folder: Path, listed: set[str], check: ArchiveCheck) -> None:
    for found in sorted(folder.rglob("*")):
        relative = found.relative_to(folder).as_posix()
        if found.is_file() and relative != MANIFEST and relative not in listed:
            check.problems.append(f"{relative} finns i mappen men inte i manifestet (tillagd)")
    check.ran.append("att ingen fil saknas eller har tillkommit")


def _audit(folder: Path, keys: AuditKeys | None, check: ArchiveCheck) -> None:
    try:
        declared = json.loads((folder / VERIFICATION).read_text(encoding="utf-8"))["segment"]
        text = (folder / EVENTS).read_text(encoding="utf-8")
    except (OSError, ValueError, KeyError, TypeError):
        check.problems.append(f"{VERIFICATION} eller {EVENTS} går inte att läsa")
        return
    audit = check_segment(text, declared, keys)
    check.audit = audit
    check.problems += audit.problems
    check.ran.append("granskningsloggens länkar (nummerföljd och föregående hash)")
    whole = audit.events - audit.withheld
    if audit.recomputed:
        check.ran.append(
            f"omräknade hashar för {thousands(audit.recomputed)} av {thousands(whole)} "
            "hela händelser"
        )
    if audit.unkeyed:
        check.skipped.append(
            f"nyckelsignaturerna för {thousands(audit.unkeyed)} händelser: ingen "
            "granskningsnyckel angiven (--key-file eller LOFTE_AUDIT_KEY)"
        )
    if audit.withheld:
        check.skipped.append(
            f"innehållet i {thousands(audit.withheld)} händelser som gäller andra enheter "
            "(bara följdernas första och sista hash finns i paketet)"
        )
