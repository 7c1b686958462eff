"""A step's context (the lägesbild, answers, decisions in force, open actions) as short blocks
of lines an email can show, in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from lofte.kernel import words
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application import page_paths
from lofte.workflow.application.indicators_view import indicator_line
from lofte.workflow.application.texts import action_kind, action_status
from lofte.workflow.core.observations import when_text

MAX_OBSERVATIONS = 200  # on the answer page
MAIL_PLACES = 5  # the places reported most, in an email
EPSILON = timedelta(microseconds=1)
PageLink = Callable[[str], str]  # a page's path -> its full address
Line = str | tuple[str, str]  # a text, or (text, address) that an email shows as a link


def blocks(
    context: dict[str, Any] | None, lang: str, page: PageLink | None = None
) -> list[dict[str, Any]]:
    """The context's blocks. With `page` (an email: a path made a full address) a lägesbild is
    summed up (counts, changes, the places reported most) with a link to the whole picture;
    without (the answer page), it lists every observation too."""
    if not context:
        return []
    found = []
    for item in context.get("items", []):
        title = item["label"]["en" if lang == "en" else "sv"]
        lines = _LINES[item["kind"]](item, lang, page)
        found.append({"title": title, "lines": lines})
    return found


def _text(value: dict[str, str] | str, lang: str) -> str:
    if isinstance(value, dict):
        return value.get("en" if lang == "en" else "sv") or value.get("sv", "")
    return str(value)


def _change(now: int, before: int) -> str:
    diff = now - before
    return f"+{diff}" if diff > 0 else (f"\u2212{-diff}" if diff < 0 else "±0")


def _lagesbild(item: dict[str, Any], lang: str, page: PageLink | None = None) -> list[Line]:
    en = lang == "en"
    lines: list[Line] = []
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
        # An email names the categories seen now; the page, those seen before too.
        seen = [c for c in part["by_category"] if c["count"] or page is None]
        if seen:
            cats = ", ".join(
                f"{c['en' if en else 'sv']} {c['count']} ({_change(c['count'], c['previous'])})"
                for c in seen
            )
            lines.append(("By category: " if en else "Per kategori: ") + cats)
        if part["top_places"]:
            top = part["top_places"][: MAIL_PLACES if page else None]
            places = ", ".join(f"{p['place']} ({p['area']}) {p['count']}" for p in top)
            lines.append(
                ("Places reported most: " if en else "Mest rapporterade platser: ") + places
            )
        if page is not None:
            lines += _whole_picture(part, lang, page)
            continue
        for o in part["observations"][:MAX_OBSERVATIONS]:
            when = when_text(o, lang)
            where = f"{o['place']} ({o['area']})" if o.get("area") else o["place"]
            lines.append(f"{when} · {o['category_label']} · {where}: {o['text']}")
    return lines


def _whole_picture(part: dict[str, Any], lang: str, page: PageLink) -> list[Line]:
    """The link to the part's whole lägesbild (every observation), when it names its unit."""
    if not part.get("unit_id") or not part.get("total"):
        return []
    first = datetime.fromisoformat(part["from"]).astimezone(STOCKHOLM).date()
    last = (datetime.fromisoformat(part["to"]) - EPSILON).astimezone(STOCKHOLM).date()
    link = page(page_paths.lagesbild_page(part["unit_id"], first, last))
    if lang == "en":
        return [(f"All {part['total']} observations, on a map and in tables", link)]
    return [(f"Alla {part['total']} iakttagelser, på karta och i tabeller", link)]


def _fields(fields: list[dict[str, Any]], lang: str, brief: bool = False) -> list[str]:
    """Each field as `Label: value`; a row field a line per row, in an email (`brief`) with
    only the row's first column (what it is), the rest being on the page it links to."""
    lines = []
    for shown in fields:
        label = _text(shown["label"], lang)
        if "rows" in shown:
            for row in shown["rows"]:
                cells = "; ".join(
                    f"{_text(c['label'], lang)}: {_text(c.get('value', ''), lang)}"
                    for c in (row[:1] if brief else row)
                )
                lines.append(f"{label}: {cells}")
        else:
            lines.append(f"{label}: {_text(shown['value'], lang)}")
    return lines


def _whole_entry(entry: dict[str, Any], lang: str, page: PageLink | None) -> list[Line]:
    """In an email, the link to the page with the whole answer (rows with every column)."""
    rows = any("rows" in f for f in entry.get("fields", []))
    if page is None or not rows or not entry.get("unit_id") or not entry.get("cycle_id"):
        return []
    link = page(page_paths.cycle_page(entry["unit_id"], entry["cycle_id"]))
    return [("In full" if lang == "en" else "I sin helhet", link)]


def _answers(item: dict[str, Any], lang: str, page: PageLink | None = None) -> list[Line]:
    lines: list[Line] = []
    for entry in item.get("entries", []):
        about = f" – {entry['about']}" if entry.get("about") else ""
        lines.append(f"{_text(entry['cycle'], lang)}, {entry['person']}{about}:")
        shown = _fields(entry.get("fields", []), lang, page is not None)
        lines += [_indented(line) for line in [*shown, *_whole_entry(entry, lang, page)]]
    return lines or ["(no answers yet)" if lang == "en" else "(inga svar ännu)"]


def _decisions(item: dict[str, Any], lang: str, page: PageLink | None = None) -> list[Line]:
    lines: list[Line] = []
    for entry in item.get("entries", []):
        if entry.get("missing"):
            none = "no decision in force" if lang == "en" else "inget beslut i kraft"
            lines.append(f"{entry['unit_name']}: {none}")
            continue
        lines.append(f"{entry['unit_name']}:")
        shown = _fields(entry.get("fields", []), lang, page is not None)
        lines += [_indented(line) for line in [*shown, *_whole_entry(entry, lang, page)]]
    return lines


def _actions(item: dict[str, Any], lang: str, page: PageLink | None = None) -> list[Line]:
    lines: list[Line] = [
        f"{action_kind(a['kind'], lang)}: {a['what']} – {a['owner']}"
        + (f", {words.plain_date(a['due'], lang)}" if a.get("due") else "")
        + f" ({action_status(a['status'], lang)})"
        + (
            f"; {_word('utgångsläge', 'baseline', lang)}: {_text(a['baseline'], lang)}; "
            f"{_word('senaste läge', 'latest', lang)}: {_text(a['latest'], lang)}"
            if a.get("baseline")
            else ""
        )
        for a in item.get("entries", [])
    ]
    return lines or ["(none)" if lang == "en" else "(inga)"]


def _indicators(item: dict[str, Any], lang: str, page: PageLink | None = None) -> list[Line]:
    lines: list[Line] = []
    parts = item.get("parts", [])
    for part in parts:
        prefix = f"{part['unit_name']}: " if len(parts) > 1 else ""
        lines += [f"{prefix}{indicator_line(e, lang)}" for e in part.get("entries", [])]
    none = "(no indicators imported)" if lang == "en" else "(inga indikatorer inlästa)"
    return lines or [none]


_LINES: dict[str, Callable[[dict[str, Any], str, PageLink | None], list[Line]]] = {
    "lagesbild": _lagesbild,
    "answers": _answers,
    "decision_in_force": _decisions,
    "actions": _actions,
    "indicators": _indicators,
}


def _word(sv: str, en: str, lang: str) -> str:
    return en if lang == "en" else sv


def _indented(line: Line) -> Line:
    """A line of an entry, under its heading line."""
    return f"  {line}" if isinstance(line, str) else (f"  {line[0]}", line[1])
