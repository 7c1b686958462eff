"""Automatic replies among the mail Löfte reads: RFC 3834's `Auto-Submitted` and the headers
mail programs put on out-of-office replies. They are never answers and never answered; the
date an out-of-office reply gives ("Jag är ledig till 12 januari", "out of office until
January 12", "åter 2027-01-12") is kept, to be shown beside the person's open requests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januari", "january"),
            ("feb", "februari", "february"),
            ("mar", "mars", "march"),
            ("apr", "april"),
            ("maj", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "augusti", "august"),
            ("sep", "sept", "september"),
            ("okt", "oktober", "oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
KEYWORD = (
    r"(?:till och med|t\.?\s?o\.?\s?m\.?|tillbaka|till|åter|until|through|back|return(?:ing)?)"
)
MONTH = r"([a-zåäö]{3,9})\.?"
DATE = (
    rf"(?:(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})"  # 2027-01-12
    rf"|(\d{{1,2}})(?:st|nd|rd|th|:e|:a)?\s+{MONTH}(?:\s+(\d{{4}}))?"  # 12 januari (2027)
    rf"|{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"  # January 12(th)(, 2027)
    rf"|(\d{{1,2}})/(\d{{1,2}}))"  # 12/1 (day/month)
)
AWAY = re.compile(rf"\b{KEYWORD}\s+(?:(?:den|on|the|mån|tis|ons|tor|fre|\w+dag)\s+)*{DATE}", re.I)
LOOK_BACK = timedelta(days=7)  # a date this much before the reply is taken as next year's


def is_automatic(message: EmailMessage) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in {"auto_reply", "bulk", "junk", "list"}
        or any(message.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response"))
    )


def away_until(text: str, received: date) -> date | None:
    """The first date the text gives after "till", "åter", "until", "back"...; None if none."""
    for found in AWAY.finditer(text.lower()):
        day = _date(found.groups(), received)
        if day is not None:
            return day
    return None


def _date(groups: tuple[str | None, ...], received: date) -> date | None:
    iso_y, iso_m, iso_d, d1, m1, y1, m2, d2, y2, d3, m3 = groups
    try:
        if iso_y:
            return date(int(iso_y), int(iso_m or 0), int(iso_d or 0))
        if d1 and m1 in MONTHS:
            return _dated(received, MONTHS[m1], int(d1), y1)
        if m2 in MONTHS and d2:
            return _dated(received, MONTHS[m2], int(d2), y2)
        if d3 and m3:
            return _dated(received, int(m3), int(d3), None)
    except ValueError:  # 31 februari, 13/13
        return None
    return None


def _dated(received: date, month: int, day: int, year: str | None) -> date:
    if year:
        return date(int(year), month, day)
    this_year = date(received.year, month, day)
    return this_year if this_year >= received - LOOK_BACK else date(received.year + 1, month, day)
