"""Durations as people read them: Swedish words (`varje vecka`, `2 dagar och 3 timmar`) and
English, never ISO 8601 text."""

from __future__ import annotations

import pytest

from lofte.kernel import words


@pytest.mark.parametrize(
    ("iso", "sv", "en"),
    [
        ("P1W", "1 vecka", "1 week"),
        ("P2W", "2 veckor", "2 weeks"),
        ("P2DT3H", "2 dagar och 3 timmar", "2 days and 3 hours"),
        ("PT1H30M", "1 timme och 30 minuter", "1 hour and 30 minutes"),
        ("P10D", "10 dagar", "10 days"),
        ("P3M", "3 månader", "3 months"),
        ("P1Y", "1 år", "1 year"),
        ("P1DT4H5M", "1 dag, 4 timmar och 5 minuter", "1 day, 4 hours and 5 minutes"),
        ("PT0S", "0 minuter", "0 minutes"),
    ],
)
def test_a_duration_reads_as_words(iso: str, sv: str, en: str) -> None:
    assert words.duration(iso) == sv
    assert words.duration(iso, "en") == en


@pytest.mark.parametrize(
    ("iso", "sv", "en"),
    [
        ("weekly", "varje vecka", "every week"),
        ("P2W", "varannan vecka", "every other week"),
        ("P3M", "var tredje månad", "every 3 months"),
        ("P1M", "varje månad", "every month"),
        ("P2Y", "vartannat år", "every other year"),
        ("P10D", "var tionde dag", "every 10 days"),
        ("P20D", "var 20:e dag", "every 20 days"),
        ("P1DT12H", "en gång per 1 dag och 12 timmar", "once every 1 day and 12 hours"),
    ],
)
def test_how_often_reads_as_words(iso: str, sv: str, en: str) -> None:
    assert words.every(iso) == sv
    assert words.every(iso, "en") == en
