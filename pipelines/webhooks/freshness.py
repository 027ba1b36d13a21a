"""Which webhook payloads are newer than what the warehouse holds.

Deliveries come twice, late and out of order, and the scheduled sync may have loaded a
newer copy of a ticket in between. So a payload is loaded only when it is provably
newer than the warehouse's row (see :class:`~.payload.Version`): ``last_modified``, then
the number of updates. Equal means the same version: nothing to do, so duplicates cost
no write. A ticket the reconciliation flagged deleted keeps its flag, as a late
delivery of its last version is never newer.

An embedded contact is a snapshot taken when its ticket was written. Its ``updated_at``
does not move when only its ticket counts change, so a snapshot is written only when its
ticket is at least as recently written as every ticket of that contact already in the
warehouse (``last_modified``, then the highest ``update_id`` for writes in one second),
and its ``updated_at`` is not older than the warehouse's.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Any, Iterable

import dlt
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from .payload import Version


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(str(value)).replace(tzinfo=timezone.utc)


class WarehouseView:
    """Reads of the warehouse the loader needs, made inside the run lock over one connection.

    Use as a context manager: opening a destination connection costs more than the
    queries (a DuckDB file open and dlt's configuration resolution), so a batch opens one.
    """

    def __init__(self, pipeline: dlt.Pipeline) -> None:
        self.pipeline = pipeline
        self._client: Any = None
        self._stack: ExitStack | None = None

    def __enter__(self) -> "WarehouseView":
        schema = self.pipeline.default_schema if self.pipeline.default_schema_name else None
        if schema is not None and "tickets" in schema.tables:
            self._stack = ExitStack()
            self._client = self._stack.enter_context(self.pipeline.sql_client())
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._stack is not None:
            self._stack.close()
        self._client = self._stack = None

    def _query(self, sql_template: str, tables: Iterable[str], ids: Iterable[int]) -> list[tuple[Any, ...]]:
        id_list = ", ".join(str(int(i)) for i in sorted(set(ids)))
        if not id_list or self._client is None:
            return []  # nothing asked, or nothing loaded yet
        schema = self.pipeline.default_schema
        if any(table not in schema.tables for table in tables):
            return []
        client = self._client
        names = {table: client.make_qualified_table_name(table) for table in tables}
        try:
            with client.execute_query(sql_template.format(ids=id_list, **names)) as cursor:
                return [tuple(row) for row in cursor.fetchall()]
        except DatabaseUndefinedRelation:
            return []

    def ticket_versions(self, ticket_ids: Iterable[int]) -> dict[int, Version]:
        ids = list(ticket_ids)
        modified = {
            int(ticket_id): _aware(last_modified)
            for ticket_id, last_modified in self._query(
                "select id, last_modified from {tickets} where id in ({ids})", ["tickets"], ids
            )
        }
        counts = {
            int(ticket_id): int(count)
            for ticket_id, count in self._query(
                "select ticket_id, count(*) from {ticket_updates} where ticket_id in ({ids}) group by ticket_id",
                ["ticket_updates"],
                modified,
            )
        }
        return {ticket_id: Version(when, counts.get(ticket_id, 0)) for ticket_id, when in modified.items()}

    def contact_latest_snapshot(self, contact_ids: Iterable[int]) -> dict[int, tuple[float, int]]:
        """Per contact, the newest (``last_modified``, highest ``update_id``) of its tickets held."""
        rows = self._query(
            "select t.contact_id, t.last_modified, max(u.update_id) from {tickets} t "
            "left join {ticket_updates} u on u.ticket_id = t.id "
            "where t.contact_id in ({ids}) group by t.contact_id, t.id, t.last_modified",
            ["tickets", "ticket_updates"],
            contact_ids,
        )
        latest: dict[int, tuple[float, int]] = {}
        for contact_id, modified, update_id in rows:
            when = _aware(modified)
            key = (when.timestamp() if when else float("-inf"), -1 if update_id is None else int(update_id))
            if key > latest.get(int(contact_id), (float("-inf"), -1)):
                latest[int(contact_id)] = key
        return latest

    def contact_updated_at(self, contact_ids: Iterable[int]) -> dict[int, datetime | None]:
        rows = self._query("select id, updated_at from {contacts} where id in ({ids})", ["contacts"], contact_ids)
        return {int(contact_id): _aware(updated) for contact_id, updated in rows}
