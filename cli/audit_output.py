"""`lofte audit` as tables."""

from __future__ import annotations

from typing import Any

from lofte.cli.output import heading, table
from lofte.kernel import words
from lofte.workflow.application.audit_log import log_lines
from lofte.workflow.application.audit_report import AuditReport
from lofte.workflow.application.audit_verify import Verdict as AuditVerdict
from lofte.workflow.core.records import AuditEvent, CycleInstance


def print_audit(report: AuditReport) -> None:
    rows = [
        [
            line.instance.id,
            line.unit_name,
            line.title,
            f"v{line.instance.definition_version}",
            line.instance.period_label,
            words.moment(line.instance.opened_at),
            words.moment(line.instance.closed_at) if line.instance.closed_at else "-",
            line.outcome,
            "; ".join(line.missing) or "-",
        ]
        for line in report.lines
    ]
    headers = [
        "Id",
        "Enhet",
        "Cykel",
        "Def.",
        "Period",
        "Öppnad",
        "Stängd",
        "Utfall",
        "Saknade svar",
    ]
    print(table(headers, rows) if rows else "Inga cykler har körts ännu.")
    heading("Perioder utan cykel")
    if report.gaps:
        print(
            table(
                ["Enhet", "Cykel", "Period", "Skulle ha öppnats"],
                [
                    [g.unit_name, g.title, g.period_label, words.moment(g.should_have_opened)]
                    for g in report.gaps
                ],
            )
        )
    else:
        print("  inga")
    heading("Beslut som inte följts upp")
    if report.unfollowed:
        for item in report.unfollowed:
            print(
                f"  {item.unit_name}: beslutet för {item.decision.period_label} "
                f"saknar {item.follow_up_title}"
            )
    else:
        print("  inga")


def print_audit_log(app: Any, cycle: CycleInstance, events: list[AuditEvent]) -> None:
    definition = app.definition_of(cycle)
    print(
        f"{definition.display_title()} {cycle.period_label}, {app.unit(cycle.unit_id).name} "
        f"(cykel {cycle.id})"
    )
    lines = log_lines(definition, app.directory(), events)
    print(
        table(
            ["Nr", "Tid", "Händelse", "Läge", "Av", "Detaljer"],
            [[e.seq, words.moment(e.at), e.event, e.states, e.actor, e.detail] for e in lines],
        )
    )


def print_verdict(verdict: AuditVerdict, *, given_head: bool) -> int:
    """`lofte audit verify`'s answer: 0 when the log is intact, else 1 with what is wrong."""
    from lofte.cli.output import fail

    counted = words.count(verdict.events, "händelse", "händelser")
    if not verdict.ok:
        lines = []
        if verdict.problem:
            lines.append(
                f"granskningsloggen är bruten: {verdict.problem}. {counted} före det är intakta "
                f"(huvud {verdict.head_seq}:{verdict.head_hash})."
            )
        lines += [f"{problem}." for problem in verdict.guard]
        return fail("\n".join(lines))
    compared = []
    if given_head:
        compared.append("stämmer med det angivna huvudet")
    if verdict.outside is not None and not verdict.outside.missing:
        compared.append(f"når huvudet i {verdict.outside.source} (nr {verdict.outside.seq})")
    print(
        f"Granskningsloggen är intakt: {counted}, huvud {verdict.head_seq}:{verdict.head_hash}"
        + (f" ({'; '.join(compared)})" if compared else "")
    )
    if (verdict.outside is None or verdict.outside.missing) and verdict.events:
        print(
            "Obs: det finns ingen huvudfil utanför databasen att jämföra med, så att de senaste "
            "händelserna raderats syns inte. Se LOFTE_AUDIT_HEAD i docs/operations.md."
        )
    return 0
