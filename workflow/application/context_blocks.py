"""A step's context (the lägesbild, answers, decisions in force, open actions) as short blocks
of lines an email can show, in the recipient's language."""

from __future__ import annotations

from typing import Any

from lofte.kernel import words
from lofte.workflow.application.indicators_view import indicator_line
from lofte.workflow.application.texts import action_kind, action_status
from lofte.workflow.core.observations import when_text

MAX_OBSERVATIONS = 200


def blocks(context: dict[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    if not context:
        return []
    found = []
    for item in context.get("items", []):
        title = item["label"]["en" if lang == "en" else "sv"]
        lines = _LINES[item["kind"]](item, lang)
        found.append({"title": title, "lines": lines})
    return found


def _text(value: dict[str, str] | str, lang: str) -> str:
    if isinstance(value, dict):
        return value.get("en" if lang == "en" else "sv") or value.get("sv", "")
    return str(value)


def _change(now: int, before: int) -> str:
    diff = now - before
    return f"+{diff}" if diff > 0 else (f"\u2212{-diff}" if diff < 0 else "±0")


def _lagesbild(item: dict[str, Any], lang: str) -> list[str]:
    en = lang == "en"
    lines: list[str] = []
    for part in item.get("parts", []):
        prefix = f"{part['unit_name']}: " if len(item["parts"]) > 1 else ""
        lines.append(
            f"{prefix}{part['total']} "
            + ("observations" if en else "iakttagelser")
            + f" ({_change(part['total'], part['previous_total'])} "
            + ("against the period before" if en else "mot perioden före")
            + f"), {part['reports']} "
            + (
                ("report" if en else "rapport")
                if part["reports"] == 1
                else ("reports" if en else "rapporter")
            )
        )
        if part["by_category"]:
            cats = ", ".join(
                f"{c['en' if en else 'sv']} {c['count']} ({_change(c['count'], c['previous'])})"
                for c in part["by_category"]
            )
            lines.append(("By category: " if en else "Per kategori: ") + cats)
        if part["top_places"]:
            places = ", ".join(
                f"{p['place']} ({p['area']}) {p['count']}" for p in part["top_places"]
            )
            lines.append(
                ("Places reported most: " if en else "Mest rapporterade platser: ") + places
            )
        for o in part["observations"][:MAX_OBSERVATIONS]:
            when = when_text(o, lang)
            where = f"{o['place']} ({o['area']})" if o.get("area") else o["place"]
            lines.append(f"{when} · {o['category_label']} · {where}: {o['text']}")
    return lines


def _fields(fields: list[dict[str, Any]], lang: str) -> list[str]:
    lines = []
    for shown in fields:
        label = _text(shown["label"], lang)
        if "rows" in shown:
            for row in shown["rows"]:
                cells = "; ".join(
                    f"{_text(c['label'], lang)}: {_text(c.get('value', ''), lang)}" for c in row
                )
                lines.append(f"{label}: {cells}")
        else:
            lines.append(f"{label}: {_text(shown['value'], lang)}")
    return lines


def _answers(item: dict[str, Any], lang: str) -> list[str]:
    lines: list[str] = []
    for entry in item.get("entries", []):
        about = f" – {entry['about']}" if entry.get("about") else ""
        lines.append(f"{_text(entry['cycle'], lang)}, {entry['person']}{about}:")
        lines += [f"  {line}" for line in _fields(entry.get("fields", []), lang)]
    return lines or ["(no answers yet)" if lang == "en" else "(inga svar ännu)"]


def _decisions(item: dict[str, Any], lang: str) -> list[str]:
    lines: list[str] = []
    for entry in item.get("entries", []):
        if entry.get("missing"):
            none = "no decision in force" if lang == "en" else "inget beslut i kraft"
            lines.append(f"{entry['unit_name']}: {none}")
            continue
        lines.append(f"{entry['unit_name']}:")
        lines += [f"  {line}" for line in _fields(entry.get("fields", []), lang)]
    return lines


def _actions(item: dict[str, Any], lang: str) -> list[str]:
    lines = [
        f"{action_kind(a['kind'], lang)}: {a['what']} – {a['owner']}"
        + (f", {words.plain_date(a['due'], lang)}" if a.get("due") else "")
        + f" ({action_status(a['status'], lang)})"
        for a in item.get("entries", [])
    ]
    return lines or ["(none)" if lang == "en" else "(inga)"]


def _indicators(item: dict[str, Any], lang: str) -> list[str]:
    lines: list[str] = []
    parts = item.get("parts", [])
    for part in parts:
        prefix = f"{part['unit_name']}: " if len(parts) > 1 else ""
        lines += [f"{prefix}{indicator_line(e, lang)}" for e in part.get("entries", [])]
    none = "(no indicators imported)" if lang == "en" else "(inga indikatorer inlästa)"
    return lines or [none]


_LINES = {
    "lagesbild": _lagesbild,
    "answers": _answers,
    "decision_in_force": _decisions,
    "actions": _actions,
    "indicators": _indicators,
}
