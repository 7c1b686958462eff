"""All errors Löfte raises on purpose. Each message says what, where, and what to do."""

from __future__ import annotations

from collections.abc import Sequence


class LofteError(Exception):
    """Root of every error Löfte raises on purpose."""


class DefinitionError(LofteError):
    """A definition or organisation file is invalid.

    Carries every problem found, each with the file, the field path and (when known) the line.
    """

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DefinitionProblem:
    """One thing wrong in one place of one file."""

    def __init__(self, file: str, path: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"

    def __repr__(self) -> str:
        return f"DefinitionProblem({self!s})"


class SubmissionError(LofteError):
    """A submitted input does not match the fields its step asks for; nothing was stored."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("the answer was not stored:\n  " + "\n  ".join(self.problems))


class NotFound(LofteError, LookupError):
    """Something looked up by its identifier does not exist."""

    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} {key!r}")


class InvalidTransition(LofteError):
    """An event that is not valid in the cycle's current state."""

    def __init__(self, cycle: str, state: str, event: str, allowed: Sequence[str]) -> None:
        options = ", ".join(allowed) or "none: the cycle has ended"
        super().__init__(
            f"cycle {cycle} is in state {state!r}; event {event!r} is not valid there "
            f"(valid events: {options})"
        )


class RequestClosed(LofteError):
    """An input request that can no longer be answered (already answered, cancelled, expired)."""

    def __init__(self, request_id: int, status: str) -> None:
        super().__init__(f"input request {request_id} is {status} and can no longer be answered")


class NotResponsible(LofteError):
    """A person tried to answer a request that is owed by somebody else."""

    def __init__(self, request_id: int, person: str, owner: str) -> None:
        super().__init__(
            f"input request {request_id} is owed by {owner!r}, not {person!r}; "
            "only the responsible person can answer it"
        )


class ConcurrentUpdate(LofteError):
    """Another process changed the same cycle first; the change was not written."""

    def __init__(self, instance_id: int, expected_version: int) -> None:
        super().__init__(
            f"cycle instance {instance_id} was changed by another process "
            f"(expected version {expected_version}); nothing was written, try again"
        )


class ConfigError(LofteError):
    """Bad configuration: an environment variable, a database URL, a CLI argument."""


class NotInitialised(LofteError):
    """The database has no definitions yet."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the database {url} holds no cycle definitions; run `lofte init` first")


class MeetingCancelled(LofteError):
    """A cancelled meeting cannot be moved or cancelled again."""

    def __init__(self, uid: str) -> None:
        super().__init__(f"meeting {uid} is cancelled; book a new one instead")


class InvalidToken(LofteError):
    """A response link's token is forged, expired, or already used."""
