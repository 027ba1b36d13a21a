"""Agents stay in ``staff`` once loaded, even when ``staff/`` stops listing them.

HappyFox's pages say deactivated agents stay listed with ``active`` false and their
past updates keep their ``by.id``; whether a deleted agent (or, on some account, a
deactivated one) is still listed is not documented. ``staff`` is a reference table
replaced on every run, so an agent missing from the list would vanish from it, and
every report that names the author of past replies would lose the name.

So each run re-emits, from the destination, the stored rows of agents the list no
longer has, flagged ``active`` false: under either reading they can no longer work
(deactivated or deleted), and their history keeps a name. The table keeps its
``replace`` disposition, so no warehouse changes shape.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

logger = logging.getLogger("happyfox_sync.source")


def unlisted_staff_rows(pipeline: Any, listed_ids: Iterable[Any]) -> list[dict[str, Any]]:
    """Stored ``staff`` rows whose id the list lacks, with ``active`` false; none before a first load."""
    listed = {int(staff_id) for staff_id in listed_ids if staff_id is not None}
    try:
        with pipeline.sql_client() as sql:
            table = sql.make_qualified_table_name("staff")
            with sql.execute_query(f"select * from {table}") as cursor:
                names = [column[0] for column in cursor.description]
                rows = cursor.fetchall()
    except Exception as error:  # no dataset or no staff table yet: nothing was loaded before
        logger.debug("no stored staff to keep: %s", error)
        return []
    kept = []
    for values in rows:
        row = {name: value for name, value in zip(names, values) if not name.startswith("_dlt") and value is not None}
        if row.get("id") is not None and int(row["id"]) not in listed:
            row["active"] = False
            kept.append(row)
    if kept:
        logger.info("staff/ no longer lists %d loaded agents: kept in staff as inactive", len(kept))
    return kept
