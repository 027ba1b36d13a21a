"""How a search orders tickets that tie on last updated: one reading per switch.

HappyFox documents a search's order as "relevance and last updated descending" and
says nothing about tickets whose last update is the same instant. The default
reading (``search_tie_order = "id"``) breaks ties by id descending on every
request. The other reading, ``"alternating"``, is an implementation that does not
keep ties still between requests: the n-th request of one query orders each run of
tied tickets by id descending when n is odd and ascending when n is even, so a tie
that straddles a page boundary shows the same ticket on both pages and the other
one on neither. A sync must not take such a pass for a complete one.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

TIE_ORDERS: tuple[str, ...] = ("id", "alternating")


class TieOrder:
    """Counts requests per query and reorders tied runs for the ``alternating`` reading."""

    def __init__(self) -> None:
        self._requests: Counter[Hashable] = Counter()
        self._lock = threading.Lock()

    def apply(self, reading: str, query: Hashable, ids: list[int], key: Callable[[int], Any]) -> list[int]:
        """``ids`` (ordered, ties by id descending) as this request of ``query`` sees them."""
        if reading == "id":
            return ids
        with self._lock:
            self._requests[query] += 1
            number = self._requests[query]
        if number % 2 == 1:
            return ids
        reordered: list[int] = []
        run: list[int] = []
        for ticket_id in ids:
            if run and key(run[-1]) != key(ticket_id):
                reordered.extend(reversed(run))
                run = []
            run.append(ticket_id)
        reordered.extend(reversed(run))
        return reordered
