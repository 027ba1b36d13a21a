"""Date windows for HappyFox's day-granular ticket search.

HappyFox can only search ``last-modified`` by calendar date, in a time zone it does
not document. Every window here is a pair of dates applied with the same pair of
terms (``on-or-after`` the first, ``before`` the second), so consecutive windows
partition time in whatever zone the account uses: no ticket falls between two
windows and none sits in two, whichever reading of the day boundary is true.

The one place the zone matters is turning an instant into a search date; there we
step back far enough (UTC-12 .. UTC+14) that the date includes the instant in
every zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .settings import DAY_BOUNDARY_SLACK_HOURS, SEARCH_DATE_FORMAT


def search_date_covering(instant: datetime) -> date:
    """The latest date whose ``on-or-after`` search includes ``instant`` in any time zone."""
    return (instant - timedelta(hours=DAY_BOUNDARY_SLACK_HOURS)).date()


def _term(name: str, day: date) -> str:
    return f'{name}:"{day.strftime(SEARCH_DATE_FORMAT)}"'


@dataclass(frozen=True)
class Window:
    """Tickets last modified on or after ``start`` and, if ``end`` is set, before it."""

    start: date
    end: date | None = None

    @property
    def query(self) -> str:
        """The ``q`` value; terms are joined by a space, which the URL carries as ``+``."""
        terms = [_term("last-modified-on-or-after", self.start)]
        if self.end is not None:
            terms.append(_term("last-modified-before", self.end))
        return " ".join(terms)

    @property
    def days(self) -> int | None:
        return None if self.end is None else (self.end - self.start).days

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat() if self.end else ''}"


def next_span_days(span_days: int, tickets_found: int, target: int, max_days: int = 3650) -> int:
    """Resize the next backfill window so it holds about ``target`` tickets.

    Ticket volume changes over an account's life; scaling by the density just seen
    keeps pages full and windows small enough to checkpoint often.
    """
    if tickets_found <= 0:
        return min(max_days, span_days * 4)
    scaled = int(span_days * target / tickets_found)
    return max(1, min(max_days, scaled, span_days * 4))
