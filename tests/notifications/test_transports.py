"""The .eml folder: each message one whole file, named by its Message-ID."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lofte.notifications.compose import OutgoingEmail
from lofte.notifications.transports import DeliveryFailed, FileDropTransport


def _email(ident: str, data: bytes = b"Subject: Hej\r\n\r\nText\r\n") -> OutgoingEmail:
    return OutgoingEmail(f"<{ident}@lofte.local>", "input_request", "eva@sala.example.se", data)


def test_the_folder_is_made_and_each_message_is_one_whole_file(tmp_path: Path) -> None:
    folder = tmp_path / "lofte-mail" / "ny"
    transport = FileDropTransport(folder)
    big = b"x" * 300_000 + b"\r\n"
    where = [transport.deliver(_email("a")), transport.deliver(_email("b", big))]
    files = sorted(folder.iterdir())
    assert [str(f) for f in files] == sorted(where)
    assert all(f.name.startswith("input_request-") and f.suffix == ".eml" for f in files)
    assert sorted(f.read_bytes() for f in files) == sorted([_email("a").data, big])


def test_the_same_message_again_replaces_its_file(tmp_path: Path) -> None:
    transport = FileDropTransport(tmp_path)
    first = transport.deliver(_email("a", b"first"))
    again = transport.deliver(_email("a", b"again"))
    assert first == again and [p.name for p in tmp_path.iterdir()] == [Path(first).name]
    assert Path(again).read_bytes() == b"again"


def test_a_folder_removed_while_running_is_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    transport = FileDropTransport(folder)
    transport.deliver(_email("a"))
    shutil.rmtree(folder)
    transport.deliver(_email("b"))
    assert len(list(folder.glob("*.eml"))) == 1


def test_a_folder_that_cannot_be_written_fails_the_attempt_clearly(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(DeliveryFailed, match=r"kan inte skriva .*a-file"):
        FileDropTransport(blocked / "mail").deliver(_email("a"))
    with pytest.raises(DeliveryFailed, match="kan inte skriva"):
        FileDropTransport(blocked).deliver(_email("a"))
