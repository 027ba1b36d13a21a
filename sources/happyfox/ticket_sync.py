"""Plan and run one sync of tickets: which windows to read, what to emit, what to remember.

The state kept between runs (in dlt's resource state, so it lives in the
destination and a fresh machine restores it) is small:

``cursor``
    An instant before which every ticket modification is already loaded. It is the
    *start* of the last complete run, not the newest ``last_modified`` seen: a ticket
    modified while a run pages has already moved, possibly to a page the run read
    before, and only a cursor taken at the start is sure to catch it next time.
``backfill``
    While a first sync is in progress: when it started, where the next window
    begins and how wide it should be. Each finished window advances it, so an
    interrupted backfill resumes at the first window it did not finish.
``recheck``
    Windows that still moved after every pass; they are read again next run.

A backfill reads closed windows, oldest first, up to the date that covers its own
start, then the open "recent" window; an incremental run reads only the recent
window. Tickets modified during a backfill leave their old window for the recent
one, which is read last, so nothing that changes under a long backfill is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from .settings import CLOCK_SKEW_SECONDS, MAX_WINDOW_PASSES, WINDOW_TARGET_TICKETS
from .ticket_search import PagedGetter, WindowRead, first_page, read_window
from .transform import parse_timestamp, read_field
from .windows import Window, next_span_days, search_date_covering

logger = logging.getLogger("happyfox_sync.source")

Ticket = dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class TicketSyncProgress:
    """Counters the pipeline shows while a sync runs and in its summary."""

    windows_done: int = 0
    tickets_listed: int = 0
    tickets_emitted: int = 0
    tickets_skipped_unchanged: int = 0
    details_fetched: int = 0
    tickets_expected: int | None = None
    backfill_remaining: bool = False
    on_change: Callable[["TicketSyncProgress"], None] | None = field(default=None, repr=False)

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)


@dataclass
class TicketSync:
    """One run's ticket read over a client, driven by and updating ``state``."""

    client: PagedGetter
    state: dict[str, Any]
    start_date: date
    custom_field_history: bool = True
    checkpoint_tickets: int | None = None
    window_target: int = WINDOW_TARGET_TICKETS
    max_passes: int = MAX_WINDOW_PASSES
    clock_skew: timedelta = timedelta(seconds=CLOCK_SKEW_SECONDS)
    now: Callable[[], datetime] = utc_now
    progress: TicketSyncProgress = field(default_factory=TicketSyncProgress)
    emitted: set[int] = field(default_factory=set)
    records_offset: float | None = None
    """Seconds the newest ``last_modified`` listed was ahead of our clock when we read it:
    a lower bound of HappyFox's clock offset that the API's own records prove."""

    def tickets(self) -> Iterator[list[Ticket]]:
        """Yield batches of changed tickets (detail records when history is on)."""
        local_start = self.now()
        yield from self._recheck_windows()
        backfill = self.state.get("backfill")
        if self.state.get("cursor") is None and backfill is None:
            backfill = self.state["backfill"] = self._start_backfill(local_start)
        if backfill is not None:
            finished = yield from self._backfill_windows(backfill)
            if not finished:
                self.progress.backfill_remaining = True
                self.progress.changed()
                return
            recent_from = max(self._backfill_cut(backfill), self.start_date)
            skip_before = None
        else:
            skip_before = parse_timestamp(self.state["cursor"])
            recent_from = search_date_covering(skip_before)
        yield from self._read(Window(recent_from), skip_before)
        self.state.pop("backfill", None)
        self.state["cursor"] = self._server_instant(local_start).isoformat()
        self.progress.changed()

    def _start_backfill(self, local_start: datetime) -> dict[str, Any]:
        """Begin a backfill: one GET counts its tickets and shows HappyFox's clock.

        The backfill's cut (where closed windows end and the recent window begins)
        must come from HappyFox's clock: were ours hours ahead, a ticket modified
        during the backfill could fall into a closed window already read.
        """
        body = self.client.get("tickets/", {"status": "_all", "q": Window(self.start_date).query, "size": 1, "page": 1})
        self._note_records(((body or {}).get("data") or []) if isinstance(body, dict) else [])
        expected = int(((body or {}).get("page_info") or {}).get("last_index") or 0)
        return {
            "started_at": self._server_instant(local_start).isoformat(),
            "next_start": self.start_date.isoformat(),
            "span_days": None,
            "expected": expected,
        }

    def _server_instant(self, local: datetime) -> datetime:
        """``local`` on HappyFox's clock, never later than the truth.

        The ``Date`` headers (a robust estimate from the client) may say HappyFox is
        behind us: believed, since an earlier cursor only re-reads. They may say it is
        ahead: believed only as far as the records prove (a ticket modified at ``T``
        and listed when our clock read ``t`` shows the server was at least ``T - t``
        ahead), since a CDN in front of the API can stamp a fast ``Date`` and a cursor
        pushed late skips changes for good. Without any header, a generous margin
        stands in for unknown skew.
        """
        offset = getattr(self.client, "server_clock_offset", lambda: None)()
        if offset is None:
            return local - self.clock_skew
        proven_ahead = max(0.0, self.records_offset) if self.records_offset is not None else 0.0
        return local + timedelta(seconds=min(offset, proven_ahead) - 1)

    def _note_records(self, tickets: list[Ticket]) -> None:
        """Raise ``records_offset`` by the newest ``last_modified`` of a page just listed."""
        stamps = [ticket.get("last_modified") for ticket in tickets if isinstance(ticket, dict)]
        newest = max((stamp for stamp in stamps if isinstance(stamp, str) and stamp), default=None)
        if newest is None:
            return
        try:
            modified = parse_timestamp(newest)
        except ValueError:
            return  # the row transform names the ticket and field when it meets this value
        if modified is None:
            return
        ahead = (modified - self.now()).total_seconds()
        if self.records_offset is None or ahead > self.records_offset:
            self.records_offset = ahead

    @staticmethod
    def _backfill_cut(backfill: dict[str, Any]) -> date:
        return search_date_covering(parse_timestamp(backfill["started_at"]))

    def _backfill_windows(self, backfill: dict[str, Any]) -> Iterator[list[Ticket]]:
        """Closed windows from ``next_start`` to the cut; False when stopped at a checkpoint.

        The first window spans the whole range: for most accounts it is small enough
        to read at once. A window holding more than twice the target is narrowed (one
        GET spent) until it fits.
        """
        cut = self._backfill_cut(backfill)
        self.progress.tickets_listed = max(self.progress.tickets_listed, int(backfill.get("listed", 0)))
        while date.fromisoformat(backfill["next_start"]) < cut:
            if self.checkpoint_tickets is not None and len(self.emitted) >= self.checkpoint_tickets:
                return False
            start = date.fromisoformat(backfill["next_start"])
            span = backfill.get("span_days") or (cut - start).days
            window = Window(start, min(cut, start + timedelta(days=span)))
            body, total = first_page(self.client, window)
            self.progress.tickets_expected = backfill.get("expected", self.progress.tickets_expected)
            if total > 2 * self.window_target and span > 1:
                backfill["span_days"] = next_span_days(span, total, self.window_target)
                continue
            found = yield from self._read(window, None, first=body)
            backfill["listed"] = self.progress.tickets_listed
            backfill["next_start"] = window.end.isoformat()  # type: ignore[union-attr]
            backfill["span_days"] = next_span_days(window.days or 1, found.total, self.window_target)
        return True

    def _recheck_windows(self) -> Iterator[list[Ticket]]:
        pending = self.state.pop("recheck", [])
        for start, end in pending:
            window = Window(date.fromisoformat(start), date.fromisoformat(end) if end else None)
            yield from self._read(window, None)

    def _read(
        self,
        window: Window,
        skip_before: datetime | None,
        first: dict[str, Any] | None = None,
        recheck_if_incomplete: bool = True,
    ) -> Iterator[list[Ticket]]:
        found = WindowRead(window)
        listed_before = self.progress.tickets_listed
        for page in read_window(self.client, window, found, first=first, max_passes=self.max_passes):
            if self.progress.tickets_expected is None or self.progress.tickets_expected < listed_before + found.total:
                self.progress.tickets_expected = listed_before + found.total
            self.progress.tickets_listed += len(page)
            self._note_records(page)
            fresh = [ticket for ticket in page if self._needs_emit(ticket, skip_before)]
            if fresh:
                yield self._with_details(fresh)
            self.progress.changed()
        if not found.complete and recheck_if_incomplete:
            self.state.setdefault("recheck", []).append(
                [window.start.isoformat(), window.end.isoformat() if window.end else None]
            )
        self.progress.windows_done += 1
        self.progress.changed()
        return found

    def _needs_emit(self, ticket: Ticket, skip_before: datetime | None) -> bool:
        ticket_id = ticket["id"]
        if ticket_id in self.emitted:
            return False
        if skip_before is not None:
            modified = read_field(parse_timestamp, ticket.get("last_modified"), f"ticket {ticket_id}", "last_modified")
            if modified is not None and modified < skip_before:
                self.progress.tickets_skipped_unchanged += 1
                return False
        self.emitted.add(ticket_id)
        return True

    def _with_details(self, tickets: list[Ticket]) -> list[Ticket]:
        """Swap list items for detail records carrying custom-field history.

        A ticket deleted between the list and its detail GET (404) is dropped here;
        the deletion reconciliation marks it.
        """
        if not self.custom_field_history:
            self.progress.tickets_emitted += len(tickets)
            return tickets
        requests = [(f"ticket/{ticket['id']}/", {"show_cf_changes": "true"}) for ticket in tickets]
        detailed = [detail for detail in self.client.get_many(requests, skip_not_found=True) if detail is not None]
        self.progress.details_fetched += len(requests)
        self.progress.tickets_emitted += len(detailed)
        return detailed
