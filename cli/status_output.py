"""`lofte status` as tables."""

from __future__ import annotations

from lofte.cli.output import heading, table
from lofte.kernel import words
from lofte.workflow.application.status import StatusReport
from lofte.workflow.application.texts import MESSAGE_KIND, OUTBOX_STATUS, TIMER_KIND, TIMER_STATUS


def print_status(url: str, report: StatusReport) -> None:
    print(f"Databas {url}, klockan {words.moment(report.now)}")
    _print_open_cycles(report)
    heading("Väntande svar (försenade först)")
    rows = [
        [
            w.request.id,
            w.person_name,
            w.unit_name,
            f"{w.cycle_title} {w.period}",
            w.step_title + (f" ({w.about})" if w.about else ""),
            words.moment(w.request.deadline_at),
            "FÖRSENAD" if w.overdue else "",
        ]
        for w in report.waiting
    ]
    print(
        table(["Förfrågan", "Person", "Enhet", "Cykel", "Steg", "Svar senast", ""], rows)
        if rows
        else "  inga"
    )
    _print_recent_and_incidents(report)
    timers = (
        ", ".join(f"{n} {TIMER_STATUS.get(s, s)}" for s, n in sorted(report.timer_counts.items()))
        or "inga"
    )
    outbox = (
        ", ".join(f"{n} {OUTBOX_STATUS.get(s, s)}" for s, n in sorted(report.outbox_counts.items()))
        or "tom"
    )
    nxt = f"; nästa {words.moment(report.next_timer)}" if report.next_timer else ""
    print(
        f"\n{len(report.waiting)} väntande svar, varav {report.overdue} försenade. "
        f"Timrar: {timers}{nxt}. Utkorg: {outbox}."
    )


def _print_open_cycles(report: StatusReport) -> None:
    heading("Öppna cykler")
    print(
        table(
            ["Id", "Enhet", "Cykel", "Period", "Steg", "Steget klart senast"],
            [
                [
                    c.instance.id,
                    c.unit_name,
                    c.title,
                    c.instance.period_label,
                    c.state,
                    words.moment(c.deadline) if c.deadline else "-",
                ]
                for c in report.open_cycles
            ],
        )
        if report.open_cycles
        else "  inga"
    )


def _print_recent_and_incidents(report: StatusReport) -> None:
    heading("Senast avslutade")
    print(
        table(
            ["Id", "Enhet", "Cykel", "Period", "Utfall"],
            [
                [c.instance.id, c.unit_name, c.title, c.instance.period_label, c.state]
                for c in report.recent
            ],
        )
        if report.recent
        else "  inga"
    )
    if report.timer_incidents:
        heading("Timerincidenter (en timer som inte gick att köra; `lofte timers retry ID`)")
        print(
            table(
                ["Id", "Slag", "Nyckel", "Försök", "Fel"],
                [
                    [
                        t.id,
                        TIMER_KIND.get(t.kind.value, t.kind.value),
                        t.key,
                        t.attempts,
                        (t.last_error or "")[:70],
                    ]
                    for t in report.timer_incidents
                ],
            )
        )
    if report.outbox_incidents:
        heading("E-postincidenter (meddelanden som inte gick att skicka; `lofte outbox retry ID`)")
        print(
            table(
                ["Id", "Till", "Slag", "Försök", "Fel"],
                [
                    [
                        m.id,
                        m.recipient,
                        MESSAGE_KIND.get(m.kind.value, m.kind.value),
                        m.attempts,
                        (m.last_error or "")[:70],
                    ]
                    for m in report.outbox_incidents
                ],
            )
        )
