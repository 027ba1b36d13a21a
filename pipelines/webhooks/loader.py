"""The loader: queued webhook tickets into the warehouse in batches, under the run lock.

Every ``batch_seconds`` (sooner once ``batch_tickets`` deliveries wait) the loader takes
the oldest deliveries and, holding the pipeline's run lock (so it never writes while a
scheduled sync does, and a sync never starts while a batch is loading), runs **the
scheduled sync's own dlt pipeline**: same name, same working folder, same state, same
``happyfox`` schema. Its resource has a name of its own and keeps no state, so the
sync's cursor is never moved, and schema evolution is shared, so a column either of
them adds is known to both. A second pipeline writing the same dataset would keep a
second copy of the schema that the sync's never sees.

A batch: load what an interrupted run left behind; read each body (an unreadable one
goes to the dead-letter table with the reason); keep the newest payload per ticket;
drop the ones not newer than the warehouse (:mod:`.freshness`); turn the rest into rows
(:mod:`.rows`; a payload the row code cannot read is dead-lettered, naming the field);
load; then delete the batch from the queue. A failure leaves the batch queued and is
retried with backoff; a crash after loading and before deleting loads it again as a
no-op. After a batch the DuckDB read copy is published, at most every
``publish_interval_seconds`` (longer for a file whose copy is slow, see :meth:`WebhookLoader.publish_due`).
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import dlt
from filelock import FileLock, Timeout

from happyfox_sync.duckdb_files import WarehouseFiles
from happyfox_sync.file_format import loader_file_format
from happyfox_sync.interrupted_packages import drop_superseded_packages
from happyfox_sync.run_lock import AlreadyRunningError, RunLock, webhook_batch_lock_path

from .counters import Counters
from .freshness import WarehouseView
from .payload import TicketPayload, UnreadablePayload, read_payload
from .queue import Delivery, DeliveryQueue
from .rows import ContactRows, TicketRows, webhook_source
from .settings import WebhookSettings

logger = logging.getLogger("happyfox_sync.webhooks")

MAX_BACKOFF_SECONDS = 60.0
PUBLISH_DUTY_FACTOR = 10.0
"""The read copy is published at most once per this many times the last copy's duration."""


@dataclass
class LoadTarget:
    """Where batches go: the sync's pipeline, its lock folder and its DuckDB read copy."""

    make_pipeline: Callable[[], dlt.Pipeline]
    lock_folder: Path
    pipeline_name: str
    files: WarehouseFiles | None = None
    lock_timeout_seconds: float = 60.0


@dataclass
class BatchResult:
    taken: int = 0
    loaded: int = 0
    stale: int = 0
    dead: int = 0
    busy: bool = False
    seconds: float = 0.0


@dataclass
class WebhookLoader:
    queue: DeliveryQueue
    target: LoadTarget
    settings: WebhookSettings
    counters: Counters = field(default_factory=Counters)
    scrub: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    busy: bool = False
    """True while a batch is being loaded (for /health and tests)."""
    _published_at: float = 0.0
    _publish_seconds: float = 0.0
    _unpublished: bool = False

    # -- one batch ------------------------------------------------------------------------

    def load_batch(self) -> BatchResult:
        """Load the oldest queued deliveries once; ``busy`` when a sync holds the lock."""
        started = time.monotonic()
        deliveries = self.queue.oldest(self.settings.batch_tickets)
        if not deliveries:
            return BatchResult()
        with ExitStack() as stack:
            if not self._lock(stack):
                return BatchResult(taken=0, busy=True)
            self.busy = True
            stack.callback(setattr, self, "busy", False)
            result = self._load(deliveries)
            self._unpublished = self._unpublished or result.loaded > 0
            self._publish_if_due(force=False)
        result.seconds = time.monotonic() - started
        return result

    def publish_pending(self) -> bool:
        """Publish the read copy if a batch loaded since the last publish (taking the lock)."""
        if not self._unpublished or self.target.files is None:
            return False
        with ExitStack() as stack:
            if not self._lock(stack):
                return False
            return self._publish_if_due(force=True)

    def _lock(self, stack: ExitStack) -> bool:
        """The batch marker, then the run lock; False (nothing held) when a run holds it."""
        marker = FileLock(str(webhook_batch_lock_path(self.target.lock_folder, self.target.pipeline_name)))
        try:
            marker.acquire(timeout=0)
        except Timeout:
            return False
        stack.callback(marker.release)
        try:
            stack.enter_context(RunLock(self.target.lock_folder, self.target.pipeline_name, wait_for_webhooks=False))
        except AlreadyRunningError:
            stack.close()
            return False
        if self.target.files is not None:
            self.target.files.prepare(self.target.lock_timeout_seconds)
        return True

    def _load(self, deliveries: list[Delivery]) -> BatchResult:
        result = BatchResult(taken=len(deliveries))
        pipeline = self.target.make_pipeline()
        file_format = loader_file_format(pipeline)  # the scheduled sync's choice, so both load alike
        drop_superseded_packages(pipeline)
        if pipeline.has_pending_data:
            logger.info("loading what an interrupted run left behind before the webhook batch")
            pipeline.run(loader_file_format=file_format)
        if not pipeline.default_schema_name:
            _restore(pipeline)
        dead: list[tuple[Delivery, str]] = []
        newest: dict[int, tuple[TicketPayload, Delivery]] = {}
        for delivery in deliveries:
            try:
                payload = read_payload(delivery.body)
            except UnreadablePayload as problem:
                dead.append((delivery, str(problem)))
                continue
            current = newest.get(payload.ticket_id)
            if current is None or (payload.version.sort_key(), delivery.seq) >= (current[0].version.sort_key(), current[1].seq):
                newest[payload.ticket_id] = (payload, delivery)
        with WarehouseView(pipeline) as view:
            stored = view.ticket_versions(newest)
            fresh = [(p, d) for p, d in newest.values() if p.version.newer_than(stored.get(p.ticket_id))]
            ticket_rows: list[TicketRows] = []
            loaded: list[tuple[TicketPayload, Delivery, dict[str, Any]]] = []
            for payload, delivery in fresh:
                try:
                    ticket = self._scrubbed(payload.ticket)
                    ticket_rows.append(TicketRows(ticket))
                    loaded.append((payload, delivery, ticket))
                except (ValueError, TypeError, KeyError) as problem:
                    dead.append((delivery, f"ticket {payload.ticket_id}: {problem}"))
            contact_rows = self._contacts(view, loaded)
        if ticket_rows:
            pipeline.run(webhook_source(ticket_rows, contact_rows), loader_file_format=file_format)
        result.loaded = len(ticket_rows)
        result.dead = len(dead)
        result.stale = len(deliveries) - result.loaded - result.dead
        self.queue.finish((d.seq for d in deliveries), dead, loaded_at=time.time())
        self.counters.add(loaded=result.loaded, stale_skipped=result.stale, dead_lettered=result.dead, batches=1)
        logger.info("webhook batch: %d deliveries, %d tickets loaded, %d not newer, %d dead-lettered",
                    result.taken, result.loaded, result.stale, result.dead)
        return result

    def _contacts(
        self, view: WarehouseView, loaded: list[tuple[TicketPayload, Delivery, dict[str, Any]]]
    ) -> list[ContactRows]:
        """The newest snapshot of each embedded contact, when it is not older than the warehouse's."""
        best: dict[int, tuple[TicketPayload, Delivery, dict[str, Any]]] = {}
        for payload, delivery, ticket in loaded:
            contact = ticket.get("user")
            if not isinstance(contact, dict) or contact.get("id") is None:
                continue
            contact_id = int(contact["id"])
            current = best.get(contact_id)
            if current is None or (payload.snapshot_key(), delivery.seq) > (current[0].snapshot_key(), current[1].seq):
                best[contact_id] = (payload, delivery, contact)
        latest = view.contact_latest_snapshot(best)
        updated = view.contact_updated_at(best)
        rows: list[ContactRows] = []
        for contact_id, (payload, delivery, contact) in best.items():
            held = latest.get(contact_id)
            if held is not None and payload.snapshot_key() < held:
                continue  # a later write of another of the contact's tickets is already loaded
            try:
                part = ContactRows(contact)
            except (ValueError, TypeError, KeyError) as problem:
                logger.warning("contact %s of ticket %s not loaded: %s", contact_id, payload.ticket_id, problem)
                continue
            stored_updated = updated.get(contact_id)
            mine = part.tables["contacts"][0].get("updated_at")
            if stored_updated is not None and mine is not None and mine < stored_updated:
                continue
            rows.append(part)
        return rows

    def _scrubbed(self, ticket: dict[str, Any]) -> dict[str, Any]:
        return self.scrub(ticket) if self.scrub is not None else ticket

    def publish_due(self) -> bool:
        """A batch loaded since the last publish, and the interval has passed.

        The interval is ``publish_interval_seconds``, or ten times what the last copy
        took if that is longer: a big warehouse (1.7 GB copies in ~15 s on a busy disk)
        is never copied more than a tenth of the time.
        """
        interval = max(self.settings.publish_interval_seconds, PUBLISH_DUTY_FACTOR * self._publish_seconds)
        return self._unpublished and time.monotonic() - self._published_at >= interval

    def _publish_if_due(self, *, force: bool) -> bool:
        files = self.target.files
        if files is None or not self._unpublished:
            return False
        if not force and not self.publish_due():
            return False
        self._publish_seconds = files.publish()
        self._published_at = time.monotonic()
        self._unpublished = False
        return True

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Load batches until ``stop`` is set; failures are logged and retried with backoff."""
        backoff = self.settings.batch_seconds
        waited_since = time.monotonic()
        while not stop.is_set():
            depth = self.queue.depth()
            due = depth >= self.settings.batch_tickets or (
                depth > 0 and time.monotonic() - waited_since >= self.settings.batch_seconds
            )
            try:
                if due:
                    result = self.load_batch()
                    if not result.busy:
                        waited_since = time.monotonic()
                        self.counters.last_error = None
                        backoff = self.settings.batch_seconds
                    # let a waiting scheduled sync take the lock between two batches
                    stop.wait(0.5 if depth > self.settings.batch_tickets else 0.1)
                    continue
                if self.publish_due():
                    self.publish_pending()
            except Exception as error:  # keep the receiver up; the batch stays queued
                message = f"{type(error).__name__}: {_first_line(error)}"
                self.counters.last_error = message
                logger.error("webhook batch failed, will retry in %.0f s: %s", backoff, message)
                if stop.wait(backoff):
                    break
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            stop.wait(min(0.2, self.settings.batch_seconds))
        try:
            self.publish_pending()
        except Exception as error:
            logger.error("publishing the read copy at shutdown failed: %s", _first_line(error))


def _restore(pipeline: dlt.Pipeline) -> None:
    """A pipeline with no local state (a new machine): take state and schema from the destination."""
    try:
        pipeline.sync_destination()
    except Exception as error:  # nothing there yet: a first load
        logger.debug("no destination state to restore: %s", _first_line(error))


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
