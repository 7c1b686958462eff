"""Request mails carry a summary of what the step shows (counts, changes, the places reported
most, the first column of each decided row) and links to the whole picture, never every
observation or row: over a simulated half year of the packaged police area, with decisions in
force and LOLG's commitments, no request mail is over 25 kB as sent."""

from __future__ import annotations

import re
from email.headerregistry import Address

from lofte.notifications.compose import compose
from lofte.notifications.render import Renderer
from lofte.workflow.core.records import MessageKind
from lofte.workflow.drivers.simulation import Simulation
from tests.harness import Harness, utc

LIMIT = 25_000
BASE = "https://lofte.example.se"


def test_no_request_mail_is_over_25_kb_and_each_links_the_whole_picture(
    memory_harness: Harness,
) -> None:
    h = memory_harness
    Simulation(h.app(), h.clock, response_rate=0.95, seed=7).run_until(utc(2027, 7, 1))
    with h.store.unit_of_work(read_only=True) as uow:
        shown = lambda instance, step: uow.contexts.get(instance, step)  # noqa: E731
        renderer = Renderer(lambda request, until: f"{BASE}/svar/{request}", shown, BASE)
        sender = Address("Löfte", "lofte", "example.se")
        sizes = {}
        for message in h.outbox():
            if message.kind not in (MessageKind.INPUT_REQUEST, MessageKind.REMINDER):
                continue
            rendered = renderer.render(message)
            sizes[message.key] = (
                len(compose(message, rendered, sender, h.clock.now()).data),
                rendered.text,
            )
    largest, text = max(sizes.values(), key=lambda s: s[0])
    assert len(sizes) > 500
    assert largest <= LIMIT, f"{largest} bytes:\n{text[:3000]}"
    lolg = [t for t in (s[1] for s in sizes.values()) if "Lägesbild per kommun" in t]
    assert lolg, "LOLG's requests show each municipality's picture"
    assert all("/enhet/sala/lagesbild?fran=" in t for t in lolg)
    one_by_one = re.compile(r"^\s+.+ · .+ · .+: ", re.M)  # `when · category · where: text`
    assert not any(one_by_one.search(t) for t in lolg)  # no observation listed one by one
