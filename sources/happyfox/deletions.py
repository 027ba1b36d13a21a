"""Find tickets deleted in HappyFox and mark them deleted in the warehouse.

A deleted ticket vanishes from every list and search, so no incremental read can
ever see that it is gone. Reconciliation compares the ids the warehouse holds with
the ids HappyFox lists (``minify_response=true``: ids only, 50 a page, the cheapest
complete listing there is). A listing can miss an id when pages shift under it, so
every candidate is confirmed with its own detail GET: only a 404 marks a ticket
deleted. The warehouse row is kept, flagged ``is_deleted`` with the time the
deletion was detected, so history and past reports stay explainable.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable, Iterator

from dlt.destinations.exceptions import DatabaseUndefinedRelation

from .helpers.errors import HappyFoxError
from .pages import checked_page
from .settings import PAGE_SIZE
from .ticket_search import PagedGetter

logger = logging.getLogger("happyfox_sync.source")


def _item_id(item: Any) -> int:
    """``minify_response`` items are ``{"id": n}`` or bare ids depending on the account."""
    if isinstance(item, dict):
        return int(item["id"])
    return int(item)


def listed_ticket_ids(client: PagedGetter) -> set[int]:
    """Every ticket id HappyFox lists, in every status."""
    params = {"status": "_all", "minify_response": "true", "size": PAGE_SIZE}
    first = checked_page(client, "tickets/", {**params, "page": 1}, what="the id listing")
    ids = {_item_id(item) for item in first.items}
    rest = (("tickets/", {**params, "page": page}) for page in range(2, first.page_count + 1))
    for number, body in enumerate(client.get_many(rest), start=2):
        page = checked_page(client, "tickets/", {**params, "page": number}, body, what="the id listing")
        ids.update(_item_id(item) for item in page.items)
    return ids


def confirmed_deleted(client: PagedGetter, candidates: Iterable[int]) -> list[int]:
    """The candidates whose detail GET answers 404."""
    ordered = sorted(candidates)
    requests = [(f"ticket/{ticket_id}/", None) for ticket_id in ordered]
    answers = client.get_many(requests, skip_not_found=True)
    return [ticket_id for ticket_id, answer in zip(ordered, answers) if answer is None]


class StoredTicketsUnreadable(HappyFoxError):
    """The destination failed while the check read the tickets it holds.

    Read as "nothing stored", such a failure would skip the check and still move
    ``reconciled_at`` on, hiding every deletion until the next check is due. It stops
    the run instead; nothing is marked and the next run checks again.
    """


def stored_ticket_ids(pipeline: Any) -> set[int] | None:
    """Ids of tickets the destination holds as not deleted; None before the first load.

    Only a missing dataset or ``tickets`` table means "nothing stored"; any other
    destination error raises :class:`StoredTicketsUnreadable`.
    """
    try:
        with pipeline.sql_client() as sql:
            table = sql.make_qualified_table_name("tickets")
            rows = sql.execute_sql(f"select id from {table} where is_deleted is not true")
    except DatabaseUndefinedRelation as error:  # no dataset or no tickets table yet
        logger.debug("no stored tickets to reconcile: %s", error)
        return None
    except Exception as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise StoredTicketsUnreadable(
            f"the deleted-ticket check could not read the tickets stored in the destination ({first_line}); "
            "nothing was marked deleted and the next run checks again"
        ) from error
    return {int(row[0]) for row in rows or ()}


def stored_ticket_rows(pipeline: Any, ticket_ids: list[int]) -> list[dict[str, Any]]:
    """Full stored rows of these tickets, without dlt's own columns, to re-emit flagged."""
    if not ticket_ids:
        return []
    with pipeline.sql_client() as sql:
        table = sql.make_qualified_table_name("tickets")
        id_list = ", ".join(str(int(ticket_id)) for ticket_id in ticket_ids)
        with sql.execute_query(f"select * from {table} where id in ({id_list})") as cursor:
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    return [
        {name: value for name, value in zip(names, row) if not name.startswith("_dlt") and value is not None}
        for row in rows
    ]


def deleted_ticket_rows(client: PagedGetter, pipeline: Any, detected_at: datetime) -> Iterator[dict[str, Any]]:
    """Rows of ``tickets`` re-emitted with ``is_deleted`` for every confirmed deletion."""
    stored = stored_ticket_ids(pipeline)
    if not stored:
        return
    candidates = stored - listed_ticket_ids(client)
    if not candidates:
        return
    deleted = confirmed_deleted(client, candidates)
    logger.info("reconciliation: %d of %d unlisted tickets confirmed deleted", len(deleted), len(candidates))
    for row in stored_ticket_rows(pipeline, deleted):
        row["is_deleted"] = True
        row["deleted_at"] = detected_at
        yield row
