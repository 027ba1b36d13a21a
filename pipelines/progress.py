"""Show a sync's progress: a live line on a terminal, plain log lines under cron.

What a person waiting on a sync wants to know is how much of the GET budget it is
using, how far through the tickets it is, and how long is left. The ETA is counted in
GETs, not tickets, because the budget, not the CPU, is what bounds a sync.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from happyfox_sync.source import HappyFoxClient, TicketSyncProgress

logger = logging.getLogger("happyfox_sync")

PAGE_SIZE = 50


def remaining_gets(progress: TicketSyncProgress, custom_field_history: bool) -> int | None:
    """GETs still needed for tickets: list pages plus one detail per ticket still to emit."""
    if progress.tickets_expected is None:
        return None
    left = max(0, progress.tickets_expected - progress.tickets_listed)
    pages = -(-left // PAGE_SIZE)
    return pages + (left if custom_field_history else 0)


def describe(progress: TicketSyncProgress, client: HappyFoxClient, elapsed: float, custom_field_history: bool) -> str:
    """One line: GETs against the budget, tickets against the total, time left."""
    gets = client.stats.total_gets
    rate = gets * 60.0 / elapsed if elapsed > 0 else 0.0
    budget = client.max_gets_per_minute
    expected = progress.tickets_expected
    tickets = f"tickets {progress.tickets_listed}" + (f"/{expected}" if expected is not None else "")
    left = remaining_gets(progress, custom_field_history)
    eta = "" if left is None else f", ~{_duration(left * 60.0 / budget)} left"
    return (
        f"GETs {gets} ({rate:.0f}/min of {budget}/min budget), {tickets}, "
        f"{progress.tickets_emitted} changed{eta}"
    )


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class ProgressReporter:
    """Runs beside a sync; call :meth:`stop` when it ends (or use it as a context manager).

    ``live`` (default: stderr is a terminal) draws a rich progress line; otherwise a
    log line is written every ``interval`` seconds, which is what cron mail and CI
    logs can show.
    """

    def __init__(
        self,
        client: HappyFoxClient,
        progress: TicketSyncProgress,
        custom_field_history: bool,
        *,
        live: bool | None = None,
        interval: float = 30.0,
        stream: TextIO | None = None,
        enabled: bool = True,
    ) -> None:
        self.client = client
        self.progress = progress
        self.custom_field_history = custom_field_history
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.interval = interval
        self.enabled = enabled
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Progress | None = None

    def start(self) -> "ProgressReporter":
        if not self.enabled:
            return self
        if self.live:
            self._bar = Progress(
                TextColumn("[bold]tickets"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(file=self.stream),
                transient=True,
            )
            self._task = self._bar.add_task("", total=None)
            self._bar.start()
        self._thread = threading.Thread(target=self._run, name="happyfox-progress", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        wait = 0.5 if self.live else self.interval
        while not self._stop.wait(wait):
            self.render()

    def render(self) -> None:
        line = describe(self.progress, self.client, time.monotonic() - self._started, self.custom_field_history)
        if self._bar is not None:
            self._bar.update(
                self._task,
                completed=self.progress.tickets_listed,
                total=self.progress.tickets_expected,
                description=line,
            )
        else:
            logger.info("progress: %s", line)

    def __enter__(self) -> "ProgressReporter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is not None:
            self._bar.stop()
