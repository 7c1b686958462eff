"""Why the operating system refused (a file, a port), as people read it: in Swedish for the
common reasons, the system's own text with its number otherwise."""

from __future__ import annotations

import errno

import pytest

from lofte.kernel.errors import system_reason


@pytest.mark.parametrize(
    ("number", "said"),
    [
        (errno.ENOENT, "finns inte"),
        (errno.EACCES, "behörighet saknas"),
        (errno.EADDRINUSE, "porten används redan av ett annat program"),
        (errno.ENOSPC, "disken är full"),
    ],
)
def test_common_reasons_are_swedish(number: int, said: str) -> None:
    assert system_reason(OSError(number, "English text")) == said


def test_an_uncommon_reason_keeps_the_systems_text_and_number() -> None:
    said = system_reason(OSError(errno.ELOOP, "Too many levels of symbolic links"))
    assert said == f"Too many levels of symbolic links (errno {errno.ELOOP})"


def test_a_real_missing_file() -> None:
    with pytest.raises(OSError) as caught:
        open("/no/such/file/here.yaml", encoding="utf-8")  # noqa: SIM115 - the error is the point
    assert system_reason(caught.value) == "finns inte"
