"""Read every contact of ``users/``, although contacts are created and deleted while we page.

``users/`` lists contacts in id order: a contact created mid-sweep lands after the
page count the first page announced, and a deleted one shifts every later contact
up a place, so one slips past a page boundary unseen. Each pass is therefore judged
as a ticket window is (:mod:`.ticket_search`): the total must be the same on every
page and the distinct ids that pass listed must reach it, else the sweep is read
again. After ``max_passes`` the sweep is reported incomplete, and the caller does
not record it as done, so the next run sweeps again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterator

from .pages import checked_page
from .settings import MAX_WINDOW_PASSES, PAGE_SIZE
from .ticket_search import PagedGetter

logger = logging.getLogger("happyfox_sync.source")

WHAT = "the contact sweep"


@dataclass
class SweepRead:
    """What the sweep found: the last pass's total, passes made, and whether one pass saw all."""

    total: int = 0
    passes: int = 0
    complete: bool = False


def _params(page: int) -> dict[str, Any]:
    return {"size": PAGE_SIZE, "page": page}


def sweep_contacts(client: PagedGetter, found: SweepRead, max_passes: int = MAX_WINDOW_PASSES) -> Iterator[list[dict[str, Any]]]:
    """Yield the contacts page by page until one pass proves it saw them all (or passes run out)."""
    while found.passes < max_passes:
        found.passes += 1
        first = checked_page(client, "users/", _params(1), what=WHAT)
        totals = [first.total]
        seen = {contact["id"] for contact in first.items}
        yield first.items
        rest = (("users/", _params(number)) for number in range(2, first.page_count + 1))
        for number, body in enumerate(client.get_many(rest), start=2):
            page = checked_page(client, "users/", _params(number), body, what=WHAT)
            totals.append(page.total)
            seen.update(contact["id"] for contact in page.items)
            yield page.items
        found.total = totals[-1]
        if min(totals) == max(totals) and len(seen) >= found.total:
            found.complete = True
            return
        logger.info(
            "contacts changed while the sweep read them (totals %s..%s, %d distinct of %d): reading them again",
            min(totals),
            max(totals),
            len(seen),
            found.total,
        )
    logger.warning(
        "the contact sweep still moved after %d passes; the next run sweeps again", found.passes
    )
