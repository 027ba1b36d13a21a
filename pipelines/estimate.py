"""Say what a sync will cost before running it: GETs and minutes, from a handful of GETs.

The budget is what bounds a HappyFox sync, so the useful forecast is in GETs. It
mirrors the sync's own plan (reference lists, a contact sweep if one is due, ticket
search pages, one detail GET per changed ticket, with history on or where list items
lack their child lists) and asks the API only for totals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from happyfox_sync.source import HappyFoxClient
from happyfox_sync.source.settings import (
    CLOCK_SKEW_SECONDS,
    MIN_PAGE_SIZE,
    PAGE_SIZE,
    REFERENCE_ENDPOINTS,
    WINDOW_TARGET_TICKETS,
)
from happyfox_sync.source.list_items import INCLUDE_UPDATES, missing_keys
from happyfox_sync.source.transform import parse_timestamp
from happyfox_sync.source.windows import Window, search_date_covering


@dataclass
class Estimate:
    gets_by_part: dict[str, int] = field(default_factory=dict)
    tickets_to_list: int = 0
    tickets_changed: int = 0
    probe_gets: int = 0
    mode: str = "incremental"

    @property
    def total_gets(self) -> int:
        return sum(self.gets_by_part.values())

    def minutes(self, max_gets_per_minute: int) -> float:
        return self.total_gets / max_gets_per_minute

    def render(self, max_gets_per_minute: int) -> str:
        lines = [
            f"estimate ({self.mode}): {self.total_gets} GETs, about {self.minutes(max_gets_per_minute):.1f} min "
            f"at {max_gets_per_minute} GETs/min; {self.tickets_to_list} tickets to list, "
            f"~{self.tickets_changed} changed (the estimate itself used {self.probe_gets} GETs)",
        ]
        lines += [f"  {part:<28} {gets:>7}" for part, gets in self.gets_by_part.items()]
        return "\n".join(lines)


def _total(body: Any) -> tuple[int, int]:
    info = (body or {}).get("page_info") or {}
    return int(info.get("last_index") or 0), int(info.get("page_count") or 0)


def estimate_run(
    client: HappyFoxClient,
    tickets_state: dict[str, Any],
    contacts_state: dict[str, Any],
    *,
    start_date: date,
    custom_field_history: bool,
    contacts_sweep_hours: float,
    resources: set[str] | None = None,
    now: datetime | None = None,
) -> Estimate:
    """Forecast the next run's GETs from the saved state and a few totals."""
    now = now or datetime.now(timezone.utc)
    wanted = resources or {"tickets", "contacts", *REFERENCE_ENDPOINTS}
    result = Estimate()
    refs = [name for name in REFERENCE_ENDPOINTS if name in wanted]
    if refs:
        result.gets_by_part["reference lists"] = len(refs)

    if "contacts" in wanted:
        swept_at = contacts_state.get("swept_at")
        due = not swept_at or now - datetime.fromisoformat(swept_at) >= timedelta(hours=contacts_sweep_hours)
        if due:
            body = client.get("users/", {"size": PAGE_SIZE, "page": 1})
            result.probe_gets += 1
            _, pages = _total(body)
            result.gets_by_part["contacts sweep"] = max(1, pages)

    if "tickets" in wanted:
        sample: list[Any] = []
        cursor = tickets_state.get("cursor")
        backfill = tickets_state.get("backfill")
        if cursor is None or backfill is not None:
            result.mode = "backfill"
            first_day = date.fromisoformat(backfill["next_start"]) if backfill else start_date
            body = client.get(
                "tickets/",
                {"status": "_all", "q": Window(first_day).query, "size": MIN_PAGE_SIZE, "page": 1, **INCLUDE_UPDATES},
            )
            result.probe_gets += 1
            total, _ = _total(body)
            sample = list(body.get("data") or [])
            windows = max(1, math.ceil(total / WINDOW_TARGET_TICKETS))
            # The backfill's count GET, half a page per window lost to rounding, a narrowing
            # GET per window, and the recent window's page.
            pages = math.ceil(total / PAGE_SIZE) + windows + (0 if backfill else 1) + 1
            result.gets_by_part["ticket search pages"] = pages
            result.tickets_to_list = total
            result.tickets_changed = total
        else:
            since = parse_timestamp(cursor)
            window = Window(search_date_covering(since))
            body = client.get(
                "tickets/", {"status": "_all", "q": window.query, "size": PAGE_SIZE, "page": 1, **INCLUDE_UPDATES}
            )
            result.probe_gets += 1
            total, pages = _total(body)
            sample = list(body.get("data") or [])
            threshold = since - timedelta(seconds=CLOCK_SKEW_SECONDS)
            changed = sum(1 for item in sample if (parse_timestamp(item.get("last_modified")) or threshold) >= threshold)
            result.gets_by_part["ticket search pages"] = max(1, pages)
            result.tickets_to_list = total
            result.tickets_changed = round(changed * total / len(sample)) if sample else 0
        if custom_field_history and result.tickets_changed:
            result.gets_by_part["ticket details (cf history)"] = result.tickets_changed
        elif result.tickets_changed and any(missing_keys(item) for item in sample):
            result.gets_by_part["ticket details (lists lack children)"] = result.tickets_changed
    return result
