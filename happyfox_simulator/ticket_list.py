"""Which tickets ``tickets/`` returns, in which order, cached per store version.

Filtering and sorting 100,000 tickets in Python takes tens of milliseconds, far
over a page's budget, and a sync asks for the same query page after page. So the
ordered id list is computed once per (query, time zone, date) and store version,
and every page is a slice of it; any write bumps the version and the next request
recomputes.

``status`` parameter: ``_pending`` (statuses whose behaviour is pending) is what
you get **without** it, as the README states that ``status=_all`` is needed to see
every status (the reference's table calls ``_all`` the default; the simulator
follows the stricter reading so a client that forgets ``_all`` notices).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from .errors import keyed_error
from .model import JSON
from .ordering import DEFAULT_SORT, check_sort, order
from .search import SearchContext, compile_query, uses_today
from .store_base import StoreBase


@dataclass(frozen=True)
class TicketListQuery:
    """The filtering and ordering parameters of one ``tickets/`` request."""

    status: str = "_pending"
    category: int | None = None
    q: str | None = None
    sort: str = DEFAULT_SORT


def parse_list_query(params: Mapping[str, str]) -> TicketListQuery:
    """Validate ``status``, ``category``, ``q`` and ``sort`` (``sort`` is ignored under ``q``)."""
    status = params.get("status") or "_pending"
    if status not in ("_all", "_pending") and not status.isdigit():
        raise keyed_error("status", f"Invalid status '{status}': use _all, _pending or a status id.")
    raw_category = params.get("category")
    category = None
    if raw_category:
        if not raw_category.isdigit():
            raise keyed_error("category", f"Invalid category '{raw_category}': use a category id.")
        category = int(raw_category)
    q = params.get("q")
    if q is not None and not q.strip():
        q = None
    sort = DEFAULT_SORT if q is not None else check_sort(params.get("sort") or DEFAULT_SORT)
    return TicketListQuery(status=status, category=category, q=q, sort=sort)


def local_today(now_utc: datetime, zone: ZoneInfo) -> date:
    """The calendar date in ``zone`` at the naive-UTC instant ``now_utc``."""
    return now_utc.replace(tzinfo=UTC).astimezone(zone).date()


class TicketLists:
    """An LRU of ordered ticket-id lists, valid for one store version each."""

    def __init__(self, max_entries: int = 64) -> None:
        self._entries: OrderedDict[tuple[object, ...], tuple[int, list[int]]] = OrderedDict()
        self._max_entries = max_entries

    def ids(self, store: StoreBase, query: TicketListQuery, zone_name: str, now_utc: datetime) -> list[int]:
        """The ordered ids matching ``query``; call with ``store.lock`` held."""
        zone = ZoneInfo(zone_name)
        today = local_today(now_utc, zone)
        key: tuple[object, ...] = (query, zone_name, today if query.q and uses_today(query.q) else None)
        cached = self._entries.get(key)
        if cached is not None and cached[0] == store.version:
            self._entries.move_to_end(key)
            return cached[1]
        ids = [t["id"] for t in order(self._matching(store, query, SearchContext(store, zone, today)), query.sort)]
        self._entries[key] = (store.version, ids)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return ids

    @staticmethod
    def _matching(store: StoreBase, query: TicketListQuery, context: SearchContext) -> list[JSON]:
        predicates = compile_query(query.q, context) if query.q else []
        if query.status == "_all":
            pass
        elif query.status == "_pending":
            predicates.insert(0, lambda t: (t.get("status") or {}).get("behavior") == "pending")
        else:
            status_id = int(query.status)
            predicates.insert(0, lambda t: (t.get("status") or {}).get("id") == status_id)
        if query.category is not None:
            category_id = query.category
            predicates.insert(0, lambda t: (t.get("category") or {}).get("id") == category_id)
        tickets = store.iter_tickets()
        if not predicates:
            return list(tickets)
        return [t for t in tickets if all(p(t) for p in predicates)]
