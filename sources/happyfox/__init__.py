"""A dlt source for the HappyFox helpdesk API v1.1.

Every read endpoint a warehouse needs becomes a resource; the tables, their keys and
column types are the contract in :mod:`.schema`. Tickets sync incrementally over
day-granular search windows (:mod:`.ticket_sync`), custom-field history costs one
detail GET per changed ticket, contacts are swept in full only when the last sweep is
older than ``contacts_sweep_hours``, and reference lists are re-read each run. Every
GET goes through one client that keeps the whole run under ``max_gets_per_minute``.

Usage::

    import dlt
    from happyfox_sync.source import happyfox_source

    pipeline = dlt.pipeline("happyfox_sync", destination="duckdb", dataset_name="happyfox")
    pipeline.run(happyfox_source())
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Iterable, Iterator, Mapping, Sequence

import dlt
from dlt.common.configuration import with_config
from dlt.sources import DltResource

from .helpers import ConfigurationError, HappyFoxClient, NotFoundError, resolve_base_url
from .helpers.client import DEFAULT_MAX_LOCKOUT_WAITS
from .contact_rows import ContactClaims, claimed_contact_rows
from .contact_sweep import SweepRead, sweep_contacts
from .deletions import deleted_ticket_rows
from .arrow_tables import BATCH_CONTACTS, BATCH_TICKETS, ArrowRows, batched
from .list_items import owners_with_source
from .owned_client import OwnedClient, no_lease
from .privacy import PrivacyPolicy, load_privacy_policy
from .privacy_client import scrubbing_client
from .privacy_warehouse import PolicyEnforcement
from .schema import CONTACT_TABLES, TABLE_HINTS, TICKET_TABLES, tombstone
from .staff import unlisted_staff_rows
from .settings import (
    DEFAULT_CONTACTS_SWEEP_HOURS,
    DEFAULT_MAX_GETS_PER_MINUTE,
    DEFAULT_RECONCILE_HOURS,
    DEFAULT_START_DATE,
    REFERENCE_ENDPOINTS,
)
from .ticket_sync import TicketSync, TicketSyncProgress, utc_now
from .transform import choice_rows, reference_row, ticket_table_rows

__all__ = [
    "happyfox_source",
    "make_client",
    "HappyFoxClient",
    "TicketSyncProgress",
    "backfill_in_progress",
    "PrivacyPolicy",
    "load_privacy_policy",
]

SOURCE_NAME = "happyfox"


class TableWriter:
    """Dispatch rows to the contract's tables, attaching each table's hints when they change.

    With ``arrow_tables`` rows that fit their columns' types go as typed Arrow tables
    (:mod:`.arrow_tables`), the rest as dicts; an Arrow item's hints also declare its
    json and dlt columns, so the hints are attached again whenever the kind switches.
    """

    def __init__(self, arrow_tables: bool = False) -> None:
        self._hinted: dict[str, bool] = {}
        self._arrow = ArrowRows() if arrow_tables else None

    def rows(self, table: str, rows: list[dict[str, Any]]) -> Any:
        arrow = self._arrow.table(table, rows) if self._arrow is not None else None
        item: Any = rows if arrow is None else arrow
        if self._hinted.get(table) is not (arrow is not None):
            self._hinted[table] = arrow is not None
            table_hints = TABLE_HINTS[table]
            if self._arrow is not None and arrow is not None:
                table_hints = {**table_hints, "columns": self._arrow.hint_columns(table)}
            hints = dlt.mark.make_hints(table_name=table, **table_hints)
            return dlt.mark.with_hints(item, hints, create_table_variant=True)
        return dlt.mark.with_table_name(item, table)

    def owned(
        self,
        tables: dict[str, list[dict[str, Any]]],
        owner_ids: Sequence[int] | Mapping[str, Sequence[int]],
        names: Iterable[str],
    ) -> Iterator[Any]:
        """Rows of tables replaced per owner; an owner with no rows left gets a tombstone.

        ``owner_ids`` may differ per table (a mapping): a contact whose record lacks a
        list owns nothing in that list's table.
        """
        for table in names:
            rows = tables.get(table, [])
            owner_key = TABLE_HINTS[table].get("merge_key")
            if owner_key:
                owners = owner_ids.get(table, ()) if isinstance(owner_ids, Mapping) else owner_ids
                present = {row[owner_key] for row in rows}
                rows = rows + [tombstone(table, owner) for owner in owners if owner not in present]
            if rows:
                yield self.rows(table, rows)


def _merge_tables(into: dict[str, list[dict[str, Any]]], tables: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in tables.items():
        into.setdefault(name, []).extend(rows)


def _ticket_batch_rows(tickets: list[dict[str, Any]], contacts: ContactClaims, priorities_seen: set[int]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]], dict[str, list[int]]]:
    """Rows of a batch of tickets, plus the contacts (owners per table) and priorities embedded in them."""
    ticket_tables: dict[str, list[dict[str, Any]]] = {}
    embedded: dict[str, list[dict[str, Any]]] = {}
    people: list[dict[str, Any]] = []
    for ticket in tickets:
        _merge_tables(ticket_tables, ticket_table_rows(ticket))
        contact = ticket.get("user")
        if isinstance(contact, dict) and contact.get("id") is not None:
            people.append(contact)
        priority = ticket.get("priority")
        if isinstance(priority, dict) and priority.get("id") is not None and priority["id"] not in priorities_seen:
            priorities_seen.add(priority["id"])
            embedded.setdefault("priorities", []).append(reference_row(priority))
    contact_tables, contact_owners = claimed_contact_rows(people, contacts)
    _merge_tables(embedded, contact_tables)
    return ticket_tables, embedded, contact_owners


@with_config(sections=("sources", SOURCE_NAME))
def make_client(
    api_key: str = dlt.secrets.value,
    auth_code: str = dlt.secrets.value,
    account: str | None = None,
    region: str = "us",
    base_url: str | None = None,
    max_gets_per_minute: int = DEFAULT_MAX_GETS_PER_MINUTE,
    max_concurrency: int | None = None,
    request_timeout_seconds: float = 30.0,
    max_retries: int = 8,
    wait_on_lockout: bool = True,
    rate_limit_lockout_seconds: float = 600.0,
    max_lockout_waits: int = DEFAULT_MAX_LOCKOUT_WAITS,
) -> HappyFoxClient:
    """A client configured from ``sources.happyfox.*`` (config, secrets, environment).

    A caller that runs the source several times (checkpointed backfills) builds one
    client with this and passes it in, so every run shares one GET budget.
    """
    return HappyFoxClient(
        resolve_base_url(account, region, base_url),
        api_key,
        auth_code,
        max_gets_per_minute=max_gets_per_minute,
        max_concurrency=max_concurrency,
        timeout_seconds=request_timeout_seconds,
        max_retries=max_retries,
        wait_on_lockout=wait_on_lockout,
        rate_limit_lockout_seconds=rate_limit_lockout_seconds,
        max_lockout_waits=max_lockout_waits,
    )


def backfill_in_progress(pipeline: dlt.Pipeline) -> bool:
    """True when the last run stopped at a checkpoint with backfill windows left."""
    try:
        state = pipeline.state["sources"][SOURCE_NAME]["resources"]["tickets"]
    except KeyError:
        return False
    return state.get("backfill") is not None


@dlt.source(name=SOURCE_NAME, section=SOURCE_NAME, max_table_nesting=0)
def happyfox_source(
    start_date: str = DEFAULT_START_DATE,
    custom_field_history: bool = True,
    contacts_sweep_hours: float = DEFAULT_CONTACTS_SWEEP_HOURS,
    reconcile_hours: float = DEFAULT_RECONCILE_HOURS,
    reconcile: bool = False,
    checkpoint_tickets: int | None = None,
    arrow_tables: bool = True,
    client: HappyFoxClient | None = None,
    progress: TicketSyncProgress | None = None,
    privacy: PrivacyPolicy | None = None,
) -> Sequence[DltResource]:
    """All HappyFox tables; see README for every option (each is `sources.happyfox.<name>`).

    Connection settings and credentials are read by :func:`make_client` from the same
    ``sources.happyfox`` section. ``client`` lets a caller share one client (one GET
    budget, one request account) across runs; ``progress`` receives live counters.
    ``privacy`` overrides the configured privacy policy (:mod:`.privacy`).
    """
    policy = privacy or load_privacy_policy()
    if checkpoint_tickets is not None and int(checkpoint_tickets) < 1:
        raise ConfigurationError(f"sources.happyfox.checkpoint_tickets must be at least 1, got {checkpoint_tickets}")
    leased = no_lease
    if client is None:
        owned = OwnedClient(make_client)
        client, leased = owned, owned.leased  # type: ignore[assignment]
    client = scrubbing_client(client, policy)  # every answer scrubbed as it is parsed
    enforcement = PolicyEnforcement(policy)  # rows loaded under a looser policy: rewritten first
    first_day = date.fromisoformat(str(start_date)[:10])
    ticket_progress = progress or TicketSyncProgress()
    contact_claims = ContactClaims()

    # Resources that feed several tables carry no table hints of their own: dlt copies a
    # resource's hints (a primary key) into every table variant it dispatches to.
    @dlt.resource(name="tickets")
    @leased
    def tickets() -> Iterator[Any]:
        """Changed tickets with their updates, tags, custom fields and attachments."""
        enforcement.ensure()
        writer = TableWriter(arrow_tables)
        sync = TicketSync(
            client,
            dlt.current.resource_state(),
            first_day,
            custom_field_history=custom_field_history,
            checkpoint_tickets=checkpoint_tickets,
            progress=ticket_progress,
        )
        child_tables = [name for name in TICKET_CHILD_TABLES if custom_field_history or name != "ticket_custom_field_changes"]
        priorities_seen: set[int] = set()
        batches = batched(sync.tickets(), BATCH_TICKETS) if arrow_tables else sync.tickets()
        for batch in batches:
            ticket_tables, embedded, contact_ids = _ticket_batch_rows(batch, contact_claims, priorities_seen)
            yield writer.rows("tickets", ticket_tables["tickets"])
            for table in child_tables:  # a ticket without a child key keeps its loaded rows
                yield from writer.owned(ticket_tables, owners_with_source(batch, table), (table,))
            yield from writer.owned(embedded, contact_ids, CONTACT_TABLES)
            if embedded.get("priorities"):
                yield writer.rows("priorities", embedded["priorities"])

    # Reference lists and the contact sweep run in dlt's worker threads beside the
    # tickets: with slow responses, sequential small GETs would leave budget unused.
    @dlt.resource(name="contacts", parallelized=True)
    @leased
    def contacts() -> Iterator[Any]:
        """A full sweep of ``users/`` when the last one is older than ``contacts_sweep_hours``."""
        enforcement.ensure()
        state = dlt.current.resource_state()
        swept_at = state.get("swept_at")
        started = utc_now()
        if swept_at and started - datetime.fromisoformat(swept_at) < timedelta(hours=contacts_sweep_hours):
            return
        writer = TableWriter(arrow_tables)
        found = SweepRead()
        pages = sweep_contacts(client, found)
        for items in batched(pages, BATCH_CONTACTS) if arrow_tables else pages:
            # tables already sent this run (embedded in a ticket, or a shifted page) are skipped
            tables, owners = claimed_contact_rows(items, contact_claims)
            yield from writer.owned(tables, owners, CONTACT_TABLES)
        if found.complete:
            state["swept_at"] = started.isoformat()

    @dlt.resource(name="deleted_tickets", table_name="tickets", **TABLE_HINTS["tickets"])
    @leased
    def deleted_tickets() -> Iterator[Any]:
        """Tickets deleted in HappyFox, flagged in ``tickets`` (see :mod:`.deletions`)."""
        enforcement.ensure()
        state = dlt.current.resource_state()
        started = utc_now()
        last = state.get("reconciled_at")
        if not last and not reconcile:
            # A first run loads every live ticket: nothing it holds can be deleted yet.
            state["reconciled_at"] = started.isoformat()
            return
        if not reconcile and started - datetime.fromisoformat(last) < timedelta(hours=reconcile_hours):
            return
        yield from deleted_ticket_rows(client, dlt.current.pipeline(), started)
        state["reconciled_at"] = started.isoformat()

    def reference(name: str) -> DltResource:
        endpoint = REFERENCE_ENDPOINTS[name]
        choices_table = {
            "ticket_custom_fields": "ticket_custom_field_choices",
            "contact_custom_fields": "contact_custom_field_choices",
        }.get(name)

        def read() -> Iterator[Any]:
            enforcement.ensure()
            writer = TableWriter()
            try:
                records = client.get(endpoint)
            except NotFoundError:
                if name == "priorities":
                    return  # optional endpoint: priorities seen on tickets fill the table
                raise
            if not isinstance(records, list):
                raise ValueError(f"{endpoint} answered with {type(records).__name__}, expected a list")
            rows = [reference_row(record) for record in records]
            if name == "staff":  # agents no longer listed stay, as inactive (see .staff)
                rows += unlisted_staff_rows(dlt.current.pipeline(), (record.get("id") for record in records))
            yield writer.rows(name, rows)
            if choices_table:
                yield writer.rows(choices_table, [row for record in records for row in choice_rows(record)])

        return dlt.resource(leased(read), name=name, parallelized=True)

    return [tickets, contacts, deleted_tickets, *(reference(name) for name in REFERENCE_ENDPOINTS)]


TICKET_CHILD_TABLES = tuple(name for name in TICKET_TABLES if name != "tickets")
