"""Read every ticket of a search window, although records move while we page.

HappyFox orders a search by last reply, newest first, and nothing holds the result
still: a ticket modified mid-read leaves an old window (every later ticket shifts up
one place, so one could slip past a page boundary unseen), a new one pushes the rest
down, and an implementation may order ties differently from one request to the next.
Duplicates are harmless (the caller skips ids it already has); misses are not.

So each pass over a window is checked against the API's own count: the total
(``page_info.last_index``) must be the same on every page and the distinct ids seen
*by that pass* must reach it. Ids from earlier passes do not count: a ticket seen
in pass 1 that has since left the window would otherwise stand in for one every
pass missed (a shift in pass 1, ties reordered in pass 2). When either check
fails, the window is read again; after ``max_passes`` the shortfall is reported so
the caller never treats a window as complete without saying so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

from .pages import checked_page
from .settings import MAX_WINDOW_PASSES, PAGE_SIZE
from .windows import Window

logger = logging.getLogger("happyfox_sync.source")


class PagedGetter(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any: ...

    def get_many(self, requests: Any, *, skip_not_found: bool = False) -> Iterator[Any]: ...


@dataclass
class WindowRead:
    """What one window's read found, for checkpoints, sizing and the run summary."""

    window: Window
    total: int = 0
    ids: set[int] = field(default_factory=set)
    """Every id any pass listed (what the caller has seen)."""
    pass_ids: set[int] = field(default_factory=set)
    """The ids the latest pass listed: the completeness check counts only these."""
    passes: int = 0
    pages: int = 0
    complete: bool = False


def search_params(window: Window, page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    return {"status": "_all", "q": window.query, "size": size, "page": page}


def first_page(client: PagedGetter, window: Window) -> tuple[dict[str, Any], int]:
    """Page 1 of a window and the total the API reports: enough to size the window."""
    page = checked_page(client, "tickets/", search_params(window, 1), what=f"window {window}")
    return page.body, page.total


def read_window(
    client: PagedGetter,
    window: Window,
    found: WindowRead,
    first: dict[str, Any] | None = None,
    max_passes: int = MAX_WINDOW_PASSES,
) -> Iterator[list[dict[str, Any]]]:
    """Yield the window's tickets page by page until a pass proves it saw them all.

    ``first`` is a page 1 already fetched (to size the window), reused for pass one.
    """
    while found.passes < max_passes:
        found.passes += 1
        page = checked_page(client, "tickets/", search_params(window, 1), first, what=f"window {window}")
        first = None
        totals = [page.total]
        found.total = page.total
        found.pages += 1
        found.pass_ids = {item["id"] for item in page.items}
        found.ids.update(found.pass_ids)
        yield page.items
        rest = (("tickets/", search_params(window, number)) for number in range(2, page.page_count + 1))
        for number, page_body in enumerate(client.get_many(rest), start=2):
            later = checked_page(client, "tickets/", search_params(window, number), page_body, what=f"window {window}")
            totals.append(later.total)
            found.pages += 1
            found.pass_ids.update(item["id"] for item in later.items)
            found.ids.update(item["id"] for item in later.items)
            yield later.items
        found.total = totals[-1]
        stable = min(totals) == max(totals)
        if stable and len(found.pass_ids) >= found.total:
            found.complete = True
            return
        logger.info(
            "window %s changed while it was read (totals %s..%s, %d distinct of %d): reading it again",
            window,
            min(totals),
            max(totals),
            len(found.pass_ids),
            found.total,
        )
    logger.warning(
        "window %s still moved after %d passes (%d distinct of %d); the next run reads it again",
        window,
        found.passes,
        len(found.pass_ids),
        found.total,
    )
