"""Every error Löfte raises on purpose, in one module.

Messages are Swedish (staff and administrators read them) and say what was wrong, where, and
what to do. Errors about an answer carry one `FieldProblem` per field, so a web form can show
each next to its field, in the person's language.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class LofteError(Exception):
    """Root of every error Löfte raises on purpose."""


class DefinitionProblem:
    """One thing wrong in one place of one definition or organisation file."""

    def __init__(self, file: str, path: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, rad {self.line}"
        place = f", fält {self.path}" if self.path else ""
        return f"{where}{place}: {self.message}"

    def __repr__(self) -> str:
        return f"DefinitionProblem({self!s})"


class DefinitionError(LofteError):
    """A definition or organisation file is invalid; carries every problem found."""

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# Field problems: a code, its parameters, and the text in each language.
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("måste fyllas i", "is required"),
    "unknown_field": ("okänt fält (efterfrågas: {known})", "unknown field (asked for: {known})"),
    "leave_empty": (
        "lämna tomt när ”{other}” är ikryssat",
        "leave empty when “{other_en}” is ticked",
    ),
    "not_text": ("ska vara text", "must be text"),
    "too_long": (
        "högst {limit} tecken (nu {length})",
        "at most {limit} characters (now {length})",
    ),
    "not_number": ("”{value}” är inte ett tal", "“{value}” is not a number"),
    "below_minimum": ("får inte vara mindre än {limit}", "must not be less than {limit}"),
    "above_maximum": ("får inte vara större än {limit}", "must not be more than {limit}"),
    "not_option": ("välj ett av alternativen", "choose one of the options"),
    "not_date": (
        "”{value}” är inget datum (ÅÅÅÅ-MM-DD)",
        "“{value}” is not a date (YYYY-MM-DD)",
    ),
    "not_datetime": (
        "”{value}” är ingen tidpunkt (ÅÅÅÅ-MM-DD TT:MM)",
        "“{value}” is not a date and time (YYYY-MM-DD HH:MM)",
    ),
    "date_out_of_range": (
        "datumet måste ligga mellan {low} och {high}",
        "the date must be between {low} and {high}",
    ),
    "observation_out_of_reach": (
        "en iakttagelse i den här inventeringen ska ha skett mellan {low} och {high}; "
        "rapportera den i inventeringen för perioden då den skedde",
        "an observation in this inventory must have happened between {low_en} and {high_en}; "
        "report it in the inventory of the period when it happened",
    ),
    "not_time": (
        "”{value}” är inget klockslag (TT:MM)",
        "“{value}” is not a time of day (HH:MM)",
    ),
    "time_of_day_missing": (
        "ange klockslaget, en del av dygnet eller okänd tid",
        "give the time, a part of the day or unknown time",
    ),
    "part_of_day_mismatch": (
        "klockslaget {clock} är inte {part}; välj {fits} eller lämna tomt",
        "{clock} is not {part_en}; choose {fits_en} or leave it empty",
    ),
    "reported_to_missing": (
        "ange vart det felanmäldes (t.ex. gatukontoret)",
        "say where it was reported (e.g. the street department)",
    ),
    "not_boolean": ("svara ja eller nej", "answer yes or no"),
    "not_person": ("välj en person i listan", "choose a person from the list"),
    "not_commitment": (
        "välj ett åtagande i listan (ett som pågår)",
        "choose a commitment from the list (one in progress)",
    ),
    "wrong_party": (
        "{name} tillhör inte {party}; välj någon från {party}",
        "{name} is not with {party}; choose someone from {party}",
    ),
    "not_rows": ("ska vara en lista med rader", "must be a list of rows"),
    "too_few_rows": ("minst {limit} rad(er) behövs", "at least {limit} row(s) needed"),
    "too_many_rows": ("högst {limit} rader", "at most {limit} rows"),
    "not_mapping": (
        "svaret ska vara fält med värden (fält: värde)",
        "the answer must map field ids to values",
    ),
    "too_large": (
        "svaret är för stort ({size}; högst {limit})",
        "the answer is too large ({size}; at most {limit})",
    ),
    "too_deep": ("svaret är för djupt nästlat", "the answer is nested too deeply"),
    "not_scale": (
        "välj ett värde från {low} till {high}",
        "choose a value from {low} to {high}",
    ),
}


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of an answer. `path` is like `iakttagelser[2].plats`."""

    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def text(self, language: str = "sv") -> str:
        sv, en = FIELD_MESSAGES.get(self.code, (self.code, self.code))
        template = en if language == "en" else sv
        return template.format(**self.params)

    def __str__(self) -> str:
        where = f"{self.path} ({self.label})" if self.label else self.path
        return f"{where}: {self.text()}" if where else self.text()


class SubmissionError(LofteError):
    """An answer does not match the fields its step asks for; nothing was stored."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n  ".join(str(p) for p in self.problems)
        super().__init__(f"svaret sparades inte:\n  {lines}")


class FormError(LofteError):
    """A form an administrator filled in (a meeting's new time, say) that cannot be used;
    carries (field name, Swedish message) for each field, nothing was stored."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(message for _, message in self.problems))


NEUTER = ("meddelande", "möte", "dokument")  # "inget meddelande", "ingen cykel"


class NotFound(LofteError, LookupError):
    """Something looked up by its identifier does not exist."""

    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        article = "inget" if what.endswith(NEUTER) else "ingen"
        super().__init__(f"det finns {article} {what} {key!s}")


class UnknownPerson(LofteError, LookupError):
    """A person id that the organisation does not hold (or no longer holds)."""

    def __init__(self, person_id: str, known: Sequence[str], *, left: str = "") -> None:
        self.person_id = person_id
        if left:
            super().__init__(
                f"{left} ({person_id}) har redan tagits bort ur organisationen; "
                "`lofte person export` visar vad som finns kvar om personen"
            )
            return
        close = difflib.get_close_matches(person_id, list(known), n=3, cutoff=0.6)
        guess = f"menade du {' eller '.join(close)}? " if close else ""
        shown = ", ".join(sorted(known)[:10]) + (" …" if len(known) > 10 else "")
        super().__init__(
            f"okänd person: {person_id!r}; {guess}kända personer: {shown or 'inga'} "
            "(alla: `lofte person list`)"
        )


class NoCoordinator(LofteError):
    """A departing person's open work has nobody to go to."""

    def __init__(self, person: str, unit: str, role: str) -> None:
        super().__init__(
            f"{person} kan inte tas bort: ingen annan har rollen {role} i {unit}, som ska ta över "
            "personens öppna förfrågningar och åtgärder; lägg till en samordnare i "
            "organisationsfilen först. Inget ändrades."
        )


class InvalidTransition(LofteError):
    """An event that is not valid in the cycle's current state."""

    def __init__(self, cycle: str, state: str, event: str, allowed: Sequence[str]) -> None:
        options = ", ".join(allowed) or "inga: cykeln är avslutad"
        super().__init__(
            f"cykeln {cycle} är i läget {state!r}; händelsen {event!r} går inte där "
            f"(möjliga händelser: {options})"
        )


class RequestClosed(LofteError):
    """An input request that can no longer be answered."""

    def __init__(self, request: object, reason: str) -> None:
        self.reason = reason
        super().__init__(f"förfrågan {request} kan inte längre besvaras: {reason}")


class NotResponsible(LofteError):
    """A person tried to answer a request that somebody else owes."""

    def __init__(self, request: object, person: str, owner: str) -> None:
        super().__init__(
            f"förfrågan {request} ska besvaras av {owner}, inte av {person}; "
            "bara den ansvariga kan svara"
        )


class ConcurrentUpdate(LofteError):
    """Another process changed the same thing first; nothing was written."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} ändrades samtidigt av en annan process; inget sparades, försök igen"
        )


class ConfigError(LofteError):
    """Bad configuration: an environment variable, a database URL, a command-line argument."""


class UsageError(ConfigError):
    """Command-line arguments that do not go together (exit status 2, like argparse's own)."""


class NotInitialised(LofteError):
    """The database has no setup yet."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"databasen {url} saknar definitioner; kör `lofte init` först "
            "(eller `lofte init --example` för exemplet)"
        )


class SetupExists(LofteError):
    """`lofte init` without definitions on a database that already holds a setup."""


class MeetingCancelled(LofteError):
    """A cancelled meeting cannot be moved or cancelled again."""

    def __init__(self, uid: str) -> None:
        super().__init__(f"mötet är inställt och kan inte ändras längre (kalender-id {uid})")


class InvalidToken(LofteError):
    """An answer or sign-in link that is forged, expired, used or closed.

    `reason` is one of: forged, expired, used, closed.
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class SignInRefused(LofteError):
    """A sign-in through an identity provider (OpenID Connect) that Löfte refuses.

    `reason` is one of: unknown (no person of the organisation has the claim's value),
    unverified (the provider has not verified the address), missing (the ID token lacks the
    claim), token (the ID token failed validation: signature, issuer, audience, time or
    nonce), state (the answer belongs to no sign-in started in this browser), provider (the
    provider answered with an error).
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class ProviderUnavailable(LofteError):
    """An identity provider that could not be reached or gave an unreadable answer."""


class AccessDenied(LofteError):
    """The person may not see or do this."""


class AuditBroken(LofteError):
    """The audit log's hash chain does not verify."""


class MailboxUnreachable(LofteError):
    """Löfte's IMAP mailbox cannot be read now (down, refused the login, broke off); nothing
    was read or moved, and the mail waits there for the next try."""


_SYSTEM_REASONS = {
    errno.ENOENT: "finns inte",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EISDIR: "är en mapp",
    errno.ENOTDIR: "en del av sökvägen är inte en mapp",
    errno.ENOSPC: "disken är full",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.EADDRINUSE: "porten används redan av ett annat program",
    errno.EADDRNOTAVAIL: "adressen finns inte på den här datorn",
}


def system_reason(error: OSError) -> str:
    """Why the operating system refused, in Swedish where the reason is a common one (its own
    English text otherwise, with the error number so it can be looked up)."""
    known = _SYSTEM_REASONS.get(error.errno or 0)
    if known is not None:
        return known
    return f"{error.strerror or error.__class__.__name__} (errno {error.errno})"
