"""What the real-browser tests share: Debian's Chromium (a missing browser fails in CI, skips
elsewhere), axe-core with the WCAG 2.1 A/AA tags and the landmark rules, and measurements made
in the page (words broken inside table cells, what scrolls sideways, chart text size)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules the pages must also pass: one main, unique landmarks, all content in one.
AXE_RULES = ["landmark-unique", "landmark-one-main", "region"]
NARROW, WIDE = 320, 1280
READING_COLUMN = 46 * 16  # px: the column prose is read in (46rem)
SMALLEST_CHART_TEXT = 11  # px, as rendered


def need_browser() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing")


def week_opened(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An initialised database in `folder` whose first week's requests are sent (as .eml
    files in `folder / "mail"`), on a clock file at Monday 10:00; the wiring to serve it."""
    from lofte.cli.main import main as lofte
    from lofte.cli.wiring import connect

    monkeypatch.chdir(folder)
    clock = folder / "clock"
    clock.write_text("2027-01-01T00:00:00+00:00")
    monkeypatch.setenv("LOFTE_CLOCK_FILE", str(clock))
    monkeypatch.setenv("LOFTE_DATABASE_URL", f"sqlite:///{folder}/lofte.db")
    assert lofte(["init"]) == 0
    clock.write_text("2027-01-04T10:00:00+01:00")
    assert lofte(["run", "--exit-when-idle"]) == 0
    return connect(None)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, env={**os.environ, "LANGUAGE": "sv"}
    )


@cache
def _axe_script() -> str:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations of the WCAG 2.1 A and AA rules and of `AXE_RULES` on the page as
    it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_script())
    result = page.evaluate(
        """([tags, rules]) => axe.run(document, {runOnly: {type: 'rule',
             values: axe.getRules(tags).map(r => r.ruleId).concat(rules)}})""",
        [AXE_TAGS, AXE_RULES],
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


def at_width(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})


# Cells whose text wraps between two letters or digits of one word (a break after a hyphen,
# a slash or a dash is a line break, not a broken word). Text only screen readers get is left out.
BROKEN_WORDS = """(selector) => {
  const letter = /[\\p{L}\\p{N}]/u;
  const found = [];
  const range = document.createRange();
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      for (const word of node.data.matchAll(/\\S+/g)) {
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        if (range.getClientRects().length < 2) continue;
        let top = null;
        for (let i = 0; i < word[0].length; i++) {
          range.setStart(node, word.index + i);
          range.setEnd(node, word.index + i + 1);
          const here = range.getBoundingClientRect().top;
          if (top !== null && here > top + 2
              && letter.test(word[0][i - 1]) && letter.test(word[0][i])) {
            found.push(word[0].slice(0, i) + ' | ' + word[0].slice(i));
            break;
          }
          top = here;
        }
      }
    }
  }
  return found;
}"""

# What sticks out sideways: the page itself, or a table wider than its place that does not
# scroll inside a focusable region with a name of its own.
SIDEWAYS = """() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    found.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
  }
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    return ids.some(id => (document.getElementById(id)?.textContent || '').trim());
  };
  for (const wide of document.querySelectorAll('table, svg')) {
    let box = wide.parentElement;
    while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const fits = wide.getBoundingClientRect().width <= (box || root).clientWidth + 1;
    const what = wide.querySelector('caption, title')?.textContent || wide.tagName;
    if (fits) continue;
    if (!box || box === root || box === document.body) {
      found.push(`${what}: wider than the page and scrolls nowhere`);
    } else if (box.tabIndex < 0 || box.getAttribute('role') !== 'region' || !named(box)) {
      found.push(`${what}: scrolls in a region without focus, role or name`);
    }
  }
  return found;
}"""

# Every text of every chart (svg[role=img]): its size as rendered (the font size times the
# scale the SVG is drawn at), whether it lies inside its SVG, and the words it shows.
CHART_TEXT = """(smallest) => {
  const found = [];
  const shown = [];
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    const frame = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll('text')) {
      const lines = [...text.querySelectorAll('tspan')].map(t => t.textContent);
      const words = (lines.length ? lines.join(' ') : text.textContent).trim();
      shown.push(words);
      const size = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
      if (size < smallest) found.push(`"${words}" is ${size.toFixed(1)} px high`);
      const box = text.getBoundingClientRect();
      if (box.left < frame.left - 1 || box.right > frame.right + 1
          || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
        found.push(`"${words}" is cut off by the edge of its chart`);
      }
    }
  }
  return {found, shown};
}"""


def broken_words(page: Any, selector: str = "main table td, main table th") -> list[str]:
    found: list[str] = page.evaluate(BROKEN_WORDS, selector)
    return found


def sideways(page: Any) -> list[str]:
    found: list[str] = page.evaluate(SIDEWAYS)
    return found


def chart_text(page: Any) -> tuple[list[str], str]:
    """(problems with the charts' text, all the text the charts show, space-separated)."""
    result = page.evaluate(CHART_TEXT, SMALLEST_CHART_TEXT)
    return result["found"], " ".join(result["shown"])
