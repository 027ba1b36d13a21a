"""Open a report in headless Chromium (Debian's `chromium`, driven by Playwright) and
record what a person's browser would: console messages, page errors, every request,
and what got drawn."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def screenshot_path(test_name: str) -> Path:
    """Where a test saves its screenshot: $REPORT_SCREENSHOT_DIR, else a folder of the system's
    temporary directory that pytest's clean-up of old tmp_path folders never touches."""
    folder = Path(os.environ.get("REPORT_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "happyfox-sync-report-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_") + ".png")


def chromium_path() -> str:
    """The system Chromium; the tests never skip: without it they fail and say how to install it."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if not found:
        raise RuntimeError("Chromium is not installed: `apt-get install -y chromium` (scripts/test.sh does it)")
    return found


@dataclass
class OpenedReport:
    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    """(type, text) of every console message and uncaught page error."""
    requests: list[str] = field(default_factory=list)
    tiles: dict[str, dict[str, str]] = field(default_factory=dict)
    """{tile key: {"value": data-value, "text": shown text}}."""
    marks: dict[str, int] = field(default_factory=dict)
    """{chart element id: number of drawn data-mark elements in its SVG}."""
    charts_expected: int = 0
    no_data: list[str] = field(default_factory=list)
    """Panels that say "no data"."""
    scroll_width: int = 0
    screenshot: Path | None = None

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [(kind, text) for kind, text in self.console if kind in ("error", "pageerror", "warning")]


def open_report(browser: Any, path: Path, *, viewport: dict[str, int] = LAPTOP, screenshot: Path | None = None,
                timezone_id: str = "America/Los_Angeles") -> OpenedReport:
    """Loads the file, waits until every chart has been drawn (or failed), reads the page."""
    context = browser.new_context(viewport=viewport, timezone_id=timezone_id)
    page = context.new_page()
    opened = OpenedReport(url=path.resolve().as_uri())
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.console.append(("pageerror", str(e))))
    page.on("request", lambda r: opened.requests.append(r.url))
    try:
        page.goto(opened.url, wait_until="load")
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.chart')).every(c => c.dataset.rendered || c.textContent)",
            timeout=30_000,
        )
        opened.charts_expected = page.locator(".chart").count()
        opened.tiles = page.evaluate(
            """Object.fromEntries(Array.from(document.querySelectorAll('[data-tile]')).map(t =>
                 [t.dataset.tile, {value: t.dataset.value, text: t.querySelector('.value').textContent}]))"""
        )
        # data marks (lines, bars, points) are drawn in groups with role "mark"; axes and
        # legends have roles of their own
        opened.marks = page.evaluate(
            """Object.fromEntries(Array.from(document.querySelectorAll('.chart')).map(c =>
                 [c.id, c.querySelectorAll('svg g.role-mark > path, svg g.role-mark > rect, svg g.role-mark > line').length]))"""
        )
        opened.no_data = page.evaluate(
            "Array.from(document.querySelectorAll('[data-no-data]')).map(e => e.dataset.noData)"
        )
        opened.scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
            opened.screenshot = screenshot
            print(f"report screenshot: {screenshot}")
    finally:
        context.close()
    return opened
