"""An action's effect in numbers as people read it, in Swedish and English: the baseline, the
latest count and the weekly trend (`workflow.core.effect`)."""

from __future__ import annotations

from lofte.workflow.core.effect import BASELINE_WEEKS, Effect


def decimal(value: float, language: str = "sv") -> str:
    """`1,7` in Swedish, `1.7` in English."""
    text = f"{value:.1f}"
    return text if language == "en" else text.replace(".", ",")


def weeks_text(weeks: float, language: str = "sv") -> str:
    """`3 veckor`, or in days under a week: `4 dagar`."""
    if weeks < 1:
        days = round(weeks * 7)
        unit = ("day", "days") if language == "en" else ("dag", "dagar")
        return f"{days} {unit[0] if days == 1 else unit[1]}"
    whole = round(weeks)
    unit = ("week", "weeks") if language == "en" else ("vecka", "veckor")
    return f"{whole} {unit[0] if whole == 1 else unit[1]}"


def counted(n: int, language: str = "sv") -> str:
    """`1 iakttagelse`, `3 iakttagelser` (`1 observation`, `3 observations`)."""
    if language == "en":
        return f"{n} observation" if n == 1 else f"{n} observations"
    return f"{n} iakttagelse" if n == 1 else f"{n} iakttagelser"


def baseline_text(effect: Effect, language: str = "sv") -> str:
    """`24 iakttagelser de 12 veckorna före beslutet (2,0 per vecka)`."""
    rate = decimal(effect.baseline_per_week, language)
    if language == "en":
        return (
            f"{counted(effect.baseline, language)} in the {BASELINE_WEEKS} weeks before the "
            f"decision ({rate} a week)"
        )
    return (
        f"{counted(effect.baseline)} de {BASELINE_WEEKS} veckorna före beslutet ({rate} per vecka)"
    )


def latest_text(effect: Effect, language: str = "sv") -> str:
    """`5 iakttagelser på 3 veckor sedan beslutet (1,7 per vecka)`."""
    span = weeks_text(effect.since_weeks, language)
    rate = effect.since_per_week
    if language == "en":
        per = f" ({decimal(rate, language)} a week)" if rate is not None else ""
        return f"{counted(effect.since, language)} in {span} since the decision{per}"
    per = f" ({decimal(rate, language)} per vecka)" if rate is not None else ""
    return f"{counted(effect.since)} på {span} sedan beslutet{per}"


def trend_text(effect: Effect, language: str = "sv") -> str:
    """`v. 1: 2, v. 2: 0, …` (English `wk 1: 2, …`): the counts per week, oldest first."""
    word = "wk" if language == "en" else "v."
    return ", ".join(f"{word} {label.removeprefix('v. ')}: {n}" for label, n in effect.weekly)
