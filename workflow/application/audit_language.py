"""The auditors' dashboard in the reader's language: the audit report is worked out in
Swedish (its CSV and `lofte audit` are Swedish); for an English reader its cycle titles,
outcomes, periods and missing answers are said again in English from the definitions."""

from __future__ import annotations

import dataclasses

from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_report import AuditLine, AuditReport
from lofte.workflow.application.dashboard import Dashboard
from lofte.workflow.application.texts import ACTION_TITLES, outcome_text
from lofte.workflow.core.cadence import label_of_key


def in_language(app: Application, board: Dashboard, language: str) -> Dashboard:
    """`board` as an English reader reads it (unchanged for a Swedish one)."""
    if language != "en":
        return board
    titles: dict[str, str] = {}

    def title(line: AuditLine) -> str:
        definition = app.definition_of(line.instance)
        titles[line.title] = definition.display_title(language)
        return titles[line.title]

    lines = [_line(app, line, title(line), language) for line in board.lines]
    rows = [dataclasses.replace(r, title=titles.get(r.title, r.title)) for r in board.rows]
    report = board.report
    gaps = [
        dataclasses.replace(
            g, title=titles.get(g.title, g.title), period_label=label_of_key(g.period_key, "en")
        )
        for g in report.gaps
    ]
    unfollowed = [
        dataclasses.replace(u, follow_up_title=titles.get(u.follow_up_title, u.follow_up_title))
        for u in report.unfollowed
    ]
    kept = AuditReport(lines, gaps, unfollowed)
    return dataclasses.replace(board, rows=rows, lines=lines, report=kept)


def _line(app: Application, line: AuditLine, title: str, language: str) -> AuditLine:
    definition = app.definition_of(line.instance)
    missing = []
    for m in line.record.missing if line.record else ():
        step_id = str(m.get("step", ""))
        step = (
            definition.step(step_id).title.get(language)
            if definition.has_step(step_id)
            else str(m.get("step_title", step_id))
        )
        about = str(m.get("about") or "")
        for sv, en in ACTION_TITLES.values():  # `Insats: ...` -> `Intervention: ...`
            about = about.replace(f"{sv}: ", f"{en}: ", 1) if about.startswith(sv) else about
        missing.append(f"{m['person_name']} ({step})" + (f" for {about}" if about else ""))
    outcome = line.instance.outcome
    return dataclasses.replace(
        line,
        title=title,
        outcome=outcome_text(outcome, language=language) if outcome else "",
        missing=tuple(missing),
    )
