"""One run of the sync: the job behind `happyfox-sync`, its demo and its tests.

A run takes the pipeline's lock, loads every selected resource (a first sync commits
in checkpoints so an interrupted backfill resumes), builds the SQL reporting models,
publishes the DuckDB read copy, and returns a summary. It knows nothing of the command
line: :mod:`.cli` turns arguments into :class:`RunOptions` and failures into exit codes.
Everything else is configured the dlt way (`.dlt/config.toml`, `.dlt/secrets.toml`,
environment).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Mapping

import dlt
from contextlib import contextmanager

from happyfox_sync.source import (
    HappyFoxClient,
    TicketSyncProgress,
    backfill_in_progress,
    happyfox_source,
    make_client,
)
from happyfox_sync.source.privacy_warehouse import compact_after_rewrite
from happyfox_sync.source.settings import DEFAULT_START_DATE, REFERENCE_ENDPOINTS

from .allocators import lean_allocators
from .duckdb_defaults import apply_duckdb_memory_default, load_memory_limit
from .duckdb_files import DEFAULT_LOCK_TIMEOUT_SECONDS, WarehouseFiles
from .errors import ExitCode, SyncError
from .file_format import loader_file_format
from .gc_tuning import fewer_collections
from .interrupted_packages import drop_superseded_packages
from .progress import ProgressReporter
from .reporting_settings import load_reporting_settings
from .run_lock import RunLock
from .summary import RunSummary

logger = logging.getLogger("happyfox_sync")

DEFAULT_PIPELINE = "happyfox_sync"
DEFAULT_DATASET = "happyfox"
RESOURCES = ("tickets", "contacts", "deleted_tickets", *REFERENCE_ENDPOINTS)


@dataclass
class RunOptions:
    """What one run should do; the command line's options, with the command's defaults."""

    destination: str | None = None
    dataset_name: str | None = None
    pipeline_name: str | None = None
    resources: str | None = None
    start_date: str | None = None
    full_refresh: bool = False
    max_gets_per_minute: int | None = None
    reconcile: bool = False
    estimate: bool = False
    no_models: bool = False
    materialize_models: bool = False
    quiet: bool = False
    verbose: bool = False

    @classmethod
    def from_namespace(cls, namespace: Any) -> "RunOptions":
        names = cls.__dataclass_fields__
        return cls(**{name: getattr(namespace, name) for name in names if hasattr(namespace, name)})


def parse_resources(text: str | None) -> list[str] | None:
    if not text:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in RESOURCES]
    if unknown:
        raise SyncError(f"unknown resource(s) {', '.join(unknown)}; choose from {', '.join(RESOURCES)}", ExitCode.CONFIG)
    return names


def parse_start_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise SyncError(f"--start-date {text!r} is not a date in YYYY-MM-DD form", ExitCode.CONFIG) from None


def published_duckdb_file(destination: str | None, pipeline_name: str) -> WarehouseFiles | None:
    """The published/working file pair when the run writes the default local DuckDB file.

    Without configured credentials the DuckDB file is ``<pipeline>.duckdb`` in the
    directory the command runs in (dlt would otherwise keep writing to the folder the
    pipeline first ran in). Configured credentials are the user's own choice of file or
    service (MotherDuck, a connection string) and are written in place.
    """
    if (destination or "duckdb") != "duckdb" or _names_a_duckdb_database(dlt.config.get("destination.duckdb.credentials")):
        return None
    return WarehouseFiles(Path.cwd() / f"{pipeline_name}.duckdb")


def _names_a_duckdb_database(credentials: Any) -> bool:
    """True when configured DuckDB credentials choose a database, not only its settings.

    ``[destination.duckdb.credentials] global_config = {...}`` tunes DuckDB and leaves
    the file the command's default.
    """
    if credentials is None:
        return False
    if isinstance(credentials, Mapping):
        return bool(credentials.get("database"))
    return True


def resolve_destination(name: str | None, pipeline_name: str) -> Any:
    """The destination: the default DuckDB file means the sync's working file beside it."""
    files = published_duckdb_file(name, pipeline_name)
    if files is None:
        return name or "duckdb"
    return dlt.destinations.duckdb(str(files.working))


def make_pipeline(options: RunOptions, pipeline_name: str, dataset_name: str) -> dlt.Pipeline:
    apply_duckdb_memory_default(pipeline_name)
    return dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=resolve_destination(options.destination, pipeline_name),
        dataset_name=dataset_name,
        progress="log" if options.verbose else None,
    )


def _lock_timeout_seconds() -> float:
    configured = dlt.config.get("happyfox_sync.duckdb_lock_timeout_seconds", float)
    return DEFAULT_LOCK_TIMEOUT_SECONDS if configured is None else float(configured)


@contextmanager
def exclusive_run(options: RunOptions, pipeline: dlt.Pipeline) -> Iterator[WarehouseFiles | None]:
    """The pipeline's run lock, with the DuckDB working file ready for writing.

    On a normal exit the read copy is published; on a failure it is not, so readers keep
    the last complete run and the next run starts from what this one committed.
    """
    with RunLock(Path(pipeline.working_dir).parent, pipeline.pipeline_name):
        files = published_duckdb_file(options.destination, pipeline.pipeline_name)
        if files is not None:
            files.prepare(_lock_timeout_seconds())
        yield files
        if files is not None:
            files.publish()


def run_sync(
    options: RunOptions,
    *,
    client: HappyFoxClient | None = None,
    pipeline_name: str | None = None,
    dataset_name: str | None = None,
    refresh: bool | None = None,
) -> RunSummary:
    """Load, checkpoint by checkpoint, then build the models; return the summary."""
    pipeline_name = pipeline_name or options.pipeline_name or DEFAULT_PIPELINE
    dataset_name = dataset_name or options.dataset_name or DEFAULT_DATASET
    resources = parse_resources(options.resources)
    start_date = parse_start_date(options.start_date)
    if not options.no_models and _models_enabled():
        load_reporting_settings()  # a bad [happyfox_sync.reporting] setting stops the run before any GET (exit 2)
    pipeline = make_pipeline(options, pipeline_name, dataset_name)
    if options.estimate:
        with RunLock(Path(pipeline.working_dir).parent, pipeline_name):
            with _client(client, options) as run_client:
                print_estimate(options, pipeline, run_client, resources, start_date)
        return RunSummary(pipeline_name, str(pipeline.destination.destination_name), dataset_name)
    with lean_allocators(), exclusive_run(options, pipeline), _client(client, options) as run_client, fewer_collections():
        return _load(options, pipeline, run_client, resources, start_date, refresh)


@contextmanager
def _client(client: HappyFoxClient | None, options: RunOptions) -> Iterator[HappyFoxClient]:
    """The caller's client as it is, or one of the run's own, closed when the run ends."""
    if client is not None:
        yield client
        return
    overrides: dict[str, Any] = {}
    if options.max_gets_per_minute is not None:
        overrides["max_gets_per_minute"] = options.max_gets_per_minute
    with make_client(**overrides) as own:
        yield own


def _source_kwargs(options: RunOptions, start_date: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"start_date": start_date} if start_date else {}
    if getattr(options, "reconcile", False):
        kwargs["reconcile"] = True
    return kwargs


def _load(
    options: RunOptions,
    pipeline: dlt.Pipeline,
    client: HappyFoxClient,
    resources: list[str] | None,
    start_date: str | None,
    refresh: bool | None,
) -> RunSummary:
    summary = RunSummary(pipeline.pipeline_name, str(pipeline.destination.destination_name), pipeline.dataset_name)
    columns_before = contract_columns(pipeline)
    progress = TicketSyncProgress()
    checkpoint = dlt.config.get("sources.happyfox.checkpoint_tickets", int)
    cf_history = dlt.config.get("sources.happyfox.custom_field_history", bool)
    interval = dlt.config.get("happyfox_sync.progress_interval_seconds", float) or 30.0
    reporter = ProgressReporter(client, progress, cf_history is not False, interval=interval, enabled=not options.quiet).start()
    started = time.monotonic()
    with reporter, load_memory_limit():  # DuckDB's smaller limit for the loads only, not the models after them
        source = happyfox_source(client=client, progress=progress, checkpoint_tickets=checkpoint, **_source_kwargs(options, start_date))
        if resources:
            source = source.with_resources(*resources)
        full_refresh = options.full_refresh if refresh is None else refresh
        file_format = loader_file_format(pipeline)
        drop_superseded_packages(pipeline)  # a kill inside dlt's normalize commit (this run or the webhook loader)
        if pipeline.has_pending_data:
            if full_refresh:
                pipeline.drop_pending_packages()
            else:
                # An interrupted run left extracted or normalised packages: load them first,
                # since dlt's run() would load only those and extract nothing new.
                logger.info("loading what an interrupted run left behind before syncing")
                pipeline.run(loader_file_format=file_format)
                summary.add_load(_row_counts(pipeline))
        info = pipeline.run(source, refresh="drop_sources" if full_refresh else None, loader_file_format=file_format)
        summary.add_load(_row_counts(pipeline))
        logger.debug("load: %s", info)
        position = (backfill_position(pipeline), progress.tickets_listed)
        while backfill_in_progress(pipeline) and (not resources or "tickets" in resources):
            logger.info("checkpoint committed: %d tickets listed so far; continuing the backfill", progress.tickets_listed)
            source = happyfox_source(client=client, progress=progress, checkpoint_tickets=checkpoint, **_source_kwargs(options, start_date))
            pipeline.run(source.with_resources("tickets"), loader_file_format=file_format)
            summary.add_load(_row_counts(pipeline))
            position = _require_progress(position, (backfill_position(pipeline), progress.tickets_listed))
    if columns_before:  # a first run (or a fresh machine) has nothing to compare with
        known_tables = {table for table, _ in columns_before}
        summary.new_columns = sorted(
            f"{table}.{column}" for table, column in contract_columns(pipeline) - columns_before if table in known_tables
        )
    if not options.no_models and _models_enabled():
        summary.models = build_reporting_models(pipeline, materialize=options.materialize_models)
    compact_after_rewrite(pipeline)  # after a privacy rewrite: no old value left in freed blocks
    summary.finish(client, time.monotonic() - started)
    return summary


def backfill_position(pipeline: dlt.Pipeline) -> str | None:
    """Where the next backfill window starts, by the pipeline's state (None: no backfill)."""
    try:
        backfill = pipeline.state["sources"]["happyfox"]["resources"]["tickets"].get("backfill")
    except KeyError:
        return None
    return str(backfill.get("next_start")) if backfill else None


def _require_progress(before: tuple[str | None, int], after: tuple[str | None, int]) -> tuple[str | None, int]:
    """Stop a backfill loop whose checkpoint neither moved it on nor listed a ticket, instead of looping forever.

    ``before`` / ``after`` are (where the next window starts, tickets listed so far).
    """
    if after[0] is not None and after == before:
        raise SyncError(
            f"the backfill made no progress in a checkpoint (its next window still starts on {after[0]}); "
            "stopping, the next run resumes there",
            ExitCode.FAILED,
        )
    return after


def contract_columns(pipeline: dlt.Pipeline) -> set[tuple[str, str]]:
    """Every (table, column) of the pipeline's schema, dlt's own tables left out."""
    if pipeline.default_schema_name is None:
        return set()
    tables = pipeline.default_schema.tables
    return {
        (name, column)
        for name, table in tables.items()
        if not name.startswith("_dlt")
        for column in table.get("columns", {})
        if not column.startswith("_dlt")
    }


def _row_counts(pipeline: dlt.Pipeline) -> dict[str, int]:
    trace = pipeline.last_trace
    info = trace.last_normalize_info if trace is not None else None
    return dict(info.row_counts) if info is not None else {}


def _models_enabled() -> bool:
    return dlt.config.get("happyfox_sync.models", bool) is not False


def build_reporting_models(pipeline: dlt.Pipeline, materialize: bool = False) -> list[Any]:
    """Build the SQL models, or say plainly why a destination cannot hold them."""
    from .models import build_models

    if pipeline.destination.destination_name == "filesystem":
        logger.warning("models skipped: the filesystem destination has no SQL engine to hold views")
        return []
    reporting = dlt.config.get("happyfox_sync.reporting_dataset", str)
    materialize = materialize or bool(dlt.config.get("happyfox_sync.materialize_models", bool))
    return build_models(pipeline, reporting_dataset=reporting, materialize=materialize)


def print_estimate(
    options: RunOptions,
    pipeline: dlt.Pipeline,
    client: HappyFoxClient,
    resources: list[str] | None,
    start_date: str | None,
) -> None:
    from .estimate import estimate_run

    try:
        pipeline.sync_destination()
    except Exception as error:  # a destination that does not exist yet has no state: a first run
        logger.debug("no destination state to restore: %s", str(error).strip().splitlines()[:1])
    sources_state = pipeline.state.get("sources", {}).get("happyfox", {}).get("resources", {})
    config_start = dlt.config.get("sources.happyfox.start_date", str) or DEFAULT_START_DATE
    sweep_hours = dlt.config.get("sources.happyfox.contacts_sweep_hours", float)
    cf_history = dlt.config.get("sources.happyfox.custom_field_history", bool)
    estimate = estimate_run(
        client,
        {} if options.full_refresh else sources_state.get("tickets", {}),
        {} if options.full_refresh else sources_state.get("contacts", {}),
        start_date=date.fromisoformat(start_date or config_start),
        custom_field_history=cf_history is not False,
        contacts_sweep_hours=24.0 if sweep_hours is None else sweep_hours,
        resources=set(resources) if resources else None,
    )
    print(estimate.render(client.max_gets_per_minute))


def run_models_command(options: RunOptions) -> None:
    """`happyfox-sync models`: rebuild the reporting models of an existing pipeline."""
    pipeline_name = options.pipeline_name or DEFAULT_PIPELINE
    pipeline = make_pipeline(options, pipeline_name, options.dataset_name or DEFAULT_DATASET)
    with exclusive_run(options, pipeline):
        built = build_reporting_models(pipeline, materialize=options.materialize_models)
    print(f"happyfox-sync: built {len(built)} models: {', '.join(getattr(m, 'name', str(m)) for m in built)}")


RUNTIME_DEFAULTS = {
    # dlt gzips its intermediate files by default; they live for seconds on local disk,
    # and not compressing them saves ~10% of a sync's CPU (bench/README.md).
    "DATA_WRITER__DISABLE_COMPRESSION": "true",
    # DuckDB's memory limit: pipelines/duckdb_defaults.py, applied per pipeline in make_pipeline
}


def apply_runtime_defaults() -> None:
    """Defaults that any configuration (env var or .dlt/*.toml) the user sets overrides."""
    configured = dlt.config.get("data_writer.disable_compression", bool)
    for name, value in RUNTIME_DEFAULTS.items():
        if name == "DATA_WRITER__DISABLE_COMPRESSION" and configured is not None:
            continue
        os.environ.setdefault(name, value)


