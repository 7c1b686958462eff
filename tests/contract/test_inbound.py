"""The `InboundMails` port on the memory store, SQLite and PostgreSQL: a mail is kept once by
its key, comes back with its detail as written, and nothing of a failed unit of work stays."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lofte.workflow.core.records import InboundMail
from tests.contract.conftest import T0, Store


def mail(key: str, outcome: str = "answered") -> InboundMail:
    return InboundMail(key, T0, outcome, 7, {"v": 1, "understood": ["inget att rapportera"]})


def test_a_mail_is_kept_once_by_its_key(store: Store) -> None:
    with store.unit_of_work() as uow:
        assert uow.inbound.add(mail("a" * 64)) is True
        assert uow.inbound.add(mail("a" * 64, "refused")) is False
    with store.unit_of_work(read_only=True) as uow:
        found = uow.inbound.get("a" * 64)
        assert found is not None
        assert (found.outcome, found.request_id, found.received_at) == ("answered", 7, T0)
        assert found.detail == {"v": 1, "understood": ["inget att rapportera"]}
        assert uow.inbound.get("b" * 64) is None


def test_a_failed_unit_of_work_keeps_no_mail(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.inbound.add(mail("c" * 64))
        raise RuntimeError("later step failed")
    with store.unit_of_work(read_only=True) as uow:
        assert uow.inbound.get("c" * 64) is None


def test_a_persons_mails_come_back_oldest_first(store: Store) -> None:
    later = T0.replace(hour=T0.hour + 1)
    with store.unit_of_work() as uow:
        uow.inbound.add(replace(mail("d" * 64), received_at=later, person_id="tove-lind"))
        uow.inbound.add(replace(mail("e" * 64), person_id="tove-lind"))
        uow.inbound.add(replace(mail("f" * 64), person_id="lars-berg"))
    with store.unit_of_work(read_only=True) as uow:
        found = uow.inbound.of_person("tove-lind")
        assert [m.key[0] for m in found] == ["e", "d"]
        assert uow.inbound.of_person("nobody") == []
