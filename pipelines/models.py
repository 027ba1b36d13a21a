"""Build the SQL reporting models in `sql/` on the pipeline's destination.

Each `sql/<name>.sql` file holds one model: a single SELECT (CTEs allowed) written in
DuckDB's dialect. Two placeholders name the datasets:

    {{ raw }}.tickets                    a table the dlt source loads
    {{ reporting }}.ticket_metrics       another model (this makes it a dependency)

The runner parses each model with sqlglot, points those references at the real
datasets (qualified and quoted by the destination's own SQL client, so a dataset
name with odd characters works), translates the SELECT to the destination's dialect
and creates it as a view, or as a table with `materialize=True`, in the reporting
dataset (default `<dataset>_reporting`). Models are built in dependency order,
so rebuilding is idempotent and a reader never finds a model missing: where the
destination has transactional DDL (DuckDB, PostgreSQL, Snowflake) every model is
dropped and recreated inside one transaction (a model whose columns changed is
simply recreated, and a failed build rolls back); elsewhere (BigQuery, Databricks,
ClickHouse, ...) each one is replaced in place with CREATE OR REPLACE, so the old
view answers until its new version exists. The models built are recorded in
`_hf_models` in the reporting dataset, and a recorded model whose file is gone is
dropped by the next build; other objects in the dataset are left alone.

Use from Python:

    from happyfox_sync.models import build_models
    build_models(pipeline)                      # views in <dataset>_reporting
    build_models(pipeline, materialize=True)    # tables

or from the shell:

    python -m happyfox_sync.models [--pipeline happyfox_sync] [--materialize]

which opens the pipeline the sync command runs, with the command's defaults (pipeline
`happyfox_sync`, dataset `happyfox`, the DuckDB file in the working directory), takes
the same run lock (a sync of that pipeline in progress: exit 7) and publishes the
DuckDB read copy as the command does.
"""

from __future__ import annotations

import argparse
import graphlib
import importlib.resources
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Optional, Sequence

import sqlglot
from sqlglot import exp

from happyfox_sync.source.helpers.errors import ConfigurationError

from .models_record import RECORD_TABLE, Recorded, read_record, record_statements
from .reporting_settings import ReportingSettings, load_reporting_settings
from .reporting_tables import prepare_reporting_tables

logger = logging.getLogger(__name__)

SQL_DIR = Path(str(importlib.resources.files("happyfox_sync.sql")))
"""Where the models live: one `<model name>.sql` file per model, shipped as package data of
`happyfox_sync.sql` (the repository's `sql/`), so a wheel install finds them as a checkout does."""

SOURCE_DIALECT = "duckdb"
"""The one dialect the models are written in."""

_PLACEHOLDER_RE = re.compile(r"\{\{\s*(raw|reporting|settings)\s*\}\}")
_REFERENCE_RE = re.compile(r"\{\{\s*(raw|reporting|settings)\s*\}\}\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_MODEL_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
# sentinel schema names the placeholders become before sqlglot parses the SQL
# ({{ settings }}.<table> is a settings table of reporting_tables.py, in the reporting dataset)
_SENTINEL = {"raw": "hf_sentinel_raw", "reporting": "hf_sentinel_reporting", "settings": "hf_sentinel_settings"}
_SENTINEL_KIND = {v: k for k, v in _SENTINEL.items()}


class ModelsError(Exception):
    """A model could not be loaded, translated or built."""


class SqlDestinationRequired(ModelsError):
    """The pipeline's destination has no SQL engine to build the models in."""


@dataclass(frozen=True)
class Model:
    name: str
    path: Path
    sql: str
    depends_on: tuple[str, ...] = ()
    """Other models this one reads through `{{ reporting }}.<name>`."""
    raw_tables: tuple[str, ...] = ()
    """Raw tables this one reads through `{{ raw }}.<name>`."""


@dataclass
class ModelBuild:
    name: str
    kind: Literal["view", "table"]
    seconds: float
    rows: Optional[int] = None
    """Row count, only when the model was materialised as a table."""
    skipped: Optional[str] = None
    """Why the model was not built (a raw table it reads is missing), else None."""


@dataclass
class _Rendered:
    model: Model
    select_sql: str
    qualified_name: str = field(default="")


# ---------------------------------------------------------------------------
# Loading models
# ---------------------------------------------------------------------------


def load_models(sql_dir: Path | str | None = None) -> list[Model]:
    """Reads every `*.sql` file of `sql_dir` and returns the models in dependency order."""
    directory = Path(sql_dir) if sql_dir is not None else SQL_DIR
    if not directory.is_dir():
        raise ModelsError(f"model directory {directory} does not exist")
    models: dict[str, Model] = {}
    for path in sorted(directory.glob("*.sql")):
        name = path.stem
        if not _MODEL_NAME_RE.match(name):
            raise ModelsError(
                f"{path.name}: a model's file name must be lower_snake_case (it is the view name)"
            )
        sql = path.read_text(encoding="utf-8")
        refs = _REFERENCE_RE.findall(sql)
        deps = tuple(sorted({t for kind, t in refs if kind == "reporting"}))
        raw = tuple(sorted({t for kind, t in refs if kind == "raw"}))
        models[name] = Model(name=name, path=path, sql=sql, depends_on=deps, raw_tables=raw)
    if not models:
        raise ModelsError(f"no *.sql model files in {directory}")
    for model in models.values():
        unknown = [d for d in model.depends_on if d not in models]
        if unknown:
            raise ModelsError(
                f"model {model.name} reads {{{{ reporting }}}}.{unknown[0]}, which is not a model in"
                f" {directory}"
            )
        if model.name in model.depends_on:
            raise ModelsError(f"model {model.name} reads itself")
    sorter = graphlib.TopologicalSorter({m.name: set(m.depends_on) for m in models.values()})
    try:
        # static_order is deterministic for a given input; sort ties by name for readability
        sorter.prepare()
        order: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            order.extend(ready)
            sorter.done(*ready)
    except graphlib.CycleError as ex:
        raise ModelsError(f"models depend on each other in a cycle: {ex.args[1]}") from ex
    return [models[n] for n in order]


# ---------------------------------------------------------------------------
# Translating
# ---------------------------------------------------------------------------


def _fix_for_dialect(tree: exp.Expression, dialect: str) -> exp.Expression:
    """Patches the few constructs sqlglot does not translate for a target dialect."""
    if dialect == "bigquery":
        # EXTRACT(EPOCH FROM ts) does not exist in BigQuery: UNIX_MICROS(ts) / 1e6
        def _epoch(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Extract) and node.this.name.upper() == "EPOCH":
                return exp.Div(
                    this=exp.Anonymous(this="UNIX_MICROS", expressions=[node.expression]),
                    expression=exp.Literal.number(1000000),
                )
            return node

        tree = tree.transform(_epoch)
    return tree


def translate(
    sql: str,
    dialect: str,
    resolve: Callable[[str, str], str],
    model_name: str = "<model>",
) -> str:
    """Translates one model's SELECT from DuckDB's dialect to `dialect`.

    `resolve(kind, table)` returns the destination's fully qualified, quoted name of
    `table` in the raw (`kind == "raw"`) or the reporting (`kind == "reporting"`) dataset.
    """
    prepared = _PLACEHOLDER_RE.sub(lambda m: _SENTINEL[m.group(1)], sql)
    try:
        statements = [s for s in sqlglot.parse(prepared, read=SOURCE_DIALECT) if s is not None]
    except sqlglot.errors.ParseError as ex:
        raise ModelsError(f"model {model_name}: cannot parse its SQL: {ex}") from ex
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ModelsError(f"model {model_name}: a model file must hold exactly one SELECT query")
    tree = statements[0]

    # replace references to the sentinel schemas by unique tokens, substituted after
    # generation with the client's own qualified names
    tokens: dict[str, str] = {}

    def _qualify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.db in _SENTINEL_KIND:
            if node.catalog:
                raise ModelsError(f"model {model_name}: write {{{{ raw }}}}.table, not a.b.c")
            token = f"hf_token_{len(tokens)}_"
            tokens[token] = resolve(_SENTINEL_KIND[node.db], node.name)
            new = node.copy()
            new.set("db", None)
            new.set("catalog", None)
            new.set("this", exp.to_identifier(token))
            return new
        return node

    tree = tree.transform(_qualify)
    leftover = [s for s in _SENTINEL_KIND if s in tree.sql(dialect=SOURCE_DIALECT)]
    if leftover:
        raise ModelsError(
            f"model {model_name}: a placeholder is used somewhere other than as"
            " `{{ raw }}.<table>` / `{{ reporting }}.<model>`"
        )
    tree = _fix_for_dialect(tree, dialect)
    try:
        out = tree.sql(dialect=dialect, pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as ex:
        raise ModelsError(f"model {model_name}: cannot translate to {dialect}: {ex}") from ex
    # longest tokens first, so hf_token_1_ never eats the start of hf_token_11_
    for token in sorted(tokens, key=len, reverse=True):
        out = re.sub(r"[`\"\[]?" + re.escape(token) + r"[`\"\]]?", lambda _m: tokens[token], out)
    return out


def render_models(
    dialect: str,
    raw_dataset: str = "happyfox",
    reporting_dataset: str | None = None,
    sql_dir: Path | str | None = None,
) -> dict[str, str]:
    """The SELECT of every model translated to `dialect`, with simple double-quoted names.

    For looking at what would run (`--print-sql`) and for tests; the build itself uses
    the destination client's own quoting.
    """
    reporting_dataset = reporting_dataset or f"{raw_dataset}_reporting"

    def resolve(kind: str, table: str) -> str:
        dataset = raw_dataset if kind == "raw" else reporting_dataset
        q = "`" if dialect in ("bigquery", "databricks", "clickhouse") else '"'
        return f"{q}{dataset}{q}.{q}{table}{q}"

    return {m.name: translate(m.sql, dialect, resolve, m.name) for m in load_models(sql_dir)}


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


def _sql_client(pipeline: Any) -> Any:
    destination_type = getattr(pipeline.destination, "destination_type", "") or ""
    name = destination_type.rsplit(".", 1)[-1]
    if name in ("filesystem", "dummy", "destination") or pipeline.destination is None:
        raise SqlDestinationRequired(
            f"the reporting models need a SQL destination (duckdb, postgres, bigquery,"
            f" snowflake, motherduck, ...); pipeline {pipeline.pipeline_name} loads to"
            f" '{name or 'no destination'}', which has no SQL engine to build views in"
        )
    try:
        return pipeline.sql_client()
    except Exception as ex:  # SqlClientNotAvailable and friends
        raise SqlDestinationRequired(
            f"the reporting models need a SQL destination; pipeline {pipeline.pipeline_name}"
            f" destination '{name}' gives no SQL client: {ex}"
        ) from ex


def information_schema_rows(client: Any, view: str, columns: str) -> list[Sequence[Any]]:
    """``columns`` of ``INFORMATION_SCHEMA.<view>`` for the client's current dataset."""
    catalog = client.catalog_name(quote=False)
    schema = client.make_qualified_table_name_path(None, quote=False)[-1]
    qualify = getattr(client, "_qualify_info_schema_table_name", None)
    info = qualify(view) if qualify else f"INFORMATION_SCHEMA.{view}"
    query = f"SELECT {columns} FROM {info} WHERE table_schema = %s"
    args: list[Any] = [schema]
    if catalog is not None:
        query += " AND table_catalog = %s"
        args.append(catalog)
    return client.execute_sql(query, *args) or []


def _existing_objects(client: Any) -> dict[str, str]:
    """{casefolded name: 'VIEW' | 'BASE TABLE' | ...} of the client's current dataset."""
    casefold = client.capabilities.casefold_identifier
    rows = information_schema_rows(client, "TABLES", "table_name, table_type")
    return {casefold(str(r[0])): str(r[1]).upper() for r in rows}


def _missing_raw_tables(client: Any, needed: Iterable[str]) -> list[str]:
    existing = _existing_objects(client)
    casefold = client.capabilities.casefold_identifier
    return sorted(t for t in set(needed) if casefold(t) not in existing)


def _dialect_of(client: Any) -> str:
    dialect = getattr(client.capabilities, "sqlglot_dialect", None)
    if not dialect:
        raise ModelsError(
            f"destination of {type(client).__name__} declares no SQL dialect to translate to"
        )
    return str(dialect)


def build_models(
    pipeline: Any,
    reporting_dataset: str | None = None,
    materialize: bool = False,
    sql_dir: Path | str | None = None,
    reporting_settings: ReportingSettings | None = None,
) -> list[ModelBuild]:
    """Creates (or recreates) every model as a view, or a table with `materialize=True`.

    Args:
        pipeline: a dlt pipeline whose destination holds the raw tables in
            `pipeline.dataset_name`.
        reporting_dataset: where the models go; default `<pipeline.dataset_name>_reporting`.
        materialize: create tables (`CREATE TABLE AS`) instead of views, for big BI workloads.
        sql_dir: the model directory, default the repository's `sql/`.
        reporting_settings: time zone, business hours, SLA targets...; default read from
            `[happyfox_sync.reporting]` (a bad value raises ReportingSettingsError).

    Returns one ModelBuild per model, in build order, then the skipped ones: a model
    that reads a raw table missing from the destination (dlt creates no table for a
    resource that never had a row), or depends on such a model, is not built, any old
    version of it is dropped, and its ModelBuild says why in `skipped`. If every model
    would be skipped, ModelsError is raised.
    """
    models = load_models(sql_dir)
    settings = reporting_settings or load_reporting_settings()
    if not pipeline.dataset_name:
        raise ModelsError(f"pipeline {pipeline.pipeline_name} has no dataset name")
    reporting_dataset = reporting_dataset or f"{pipeline.dataset_name}_reporting"
    if reporting_dataset == pipeline.dataset_name:
        raise ModelsError("the reporting dataset must differ from the raw dataset")
    kind: Literal["view", "table"] = "table" if materialize else "view"

    with _sql_client(pipeline) as client:
        dialect = _dialect_of(client)
        raw_dataset = client.dataset_name
        # dlt creates no table for a resource that never yielded a row (e.g. no custom
        # field changes yet): models reading a missing raw table, and their dependants,
        # are skipped (and any old version dropped) rather than failing the whole build
        missing = set(_missing_raw_tables(client, {t for m in models for t in m.raw_tables}))
        skipped: dict[str, str] = {}
        for m in models:  # dependency order: dependencies are decided first
            lacking = sorted(set(m.raw_tables) & missing)
            if lacking:
                skipped[m.name] = f"raw table(s) missing in {raw_dataset}: {', '.join(lacking)}"
            elif any(d in skipped for d in m.depends_on):
                deps = sorted(d for d in m.depends_on if d in skipped)
                skipped[m.name] = f"depends on skipped model(s): {', '.join(deps)}"
        if len(skipped) == len(models):
            raise ModelsError(
                f"raw tables missing in dataset {raw_dataset}: {', '.join(sorted(missing))};"
                " load the helpdesk before building the models"
            )
        for name, reason in skipped.items():
            logger.warning("model %s not built: %s", name, reason)

        def resolve(ref_kind: str, table: str) -> str:
            dataset = raw_dataset if ref_kind == "raw" else reporting_dataset
            with client.with_alternative_dataset_name(dataset):
                return client.make_qualified_table_name(table)

        rendered = []
        for m in models:
            if m.name in skipped:
                continue
            r = _Rendered(model=m, select_sql=translate(m.sql, dialect, resolve, m.name))
            r.qualified_name = resolve("reporting", m.name)
            rendered.append(r)

        with client.with_alternative_dataset_name(reporting_dataset):
            if not client.has_dataset():
                client.create_dataset()
            existing = _existing_objects(client)
        casefold = client.capabilities.casefold_identifier
        record_name = resolve("reporting", RECORD_TABLE)
        recorded = read_record(client, dialect, record_name, casefold(RECORD_TABLE) in existing)

        def drop(name: str) -> str | None:
            current = existing.get(casefold(name))
            if current is None:
                return None
            what = "VIEW" if "VIEW" in current else "TABLE"
            return f"DROP {what} IF EXISTS {resolve('reporting', name)}"

        settings_tables = prepare_reporting_tables(client, settings, resolve, missing)
        # recorded models whose files are gone, dependants (later builds) first; a user's
        # own objects in the dataset are never in the record, so never dropped
        current_names = {m.name for m in models}
        obsolete = sorted((r for r in recorded.values() if r.name not in current_names), key=lambda r: -r.position)
        drops = [statement for r in obsolete if (statement := drop(r.name))]
        caps = client.capabilities
        transactional = bool(caps.supports_ddl_transactions)
        create = "TABLE" if materialize else "VIEW"
        if transactional:
            # one transaction: readers see the old set until the new one commits, and a
            # failed build rolls back to it; drop-and-create also lets Postgres change a
            # view's columns, which CREATE OR REPLACE VIEW cannot
            drops += [statement for m in reversed(models) if (statement := drop(m.name))]
            replace = ""
        else:
            # no transactional DDL: never drop what is rebuilt, replace it in dependency
            # order, so every view answers throughout and a failure leaves the old ones;
            # only a model that changes kind (view <-> table) or is skipped is dropped
            wanted = "VIEW" if not materialize else "TABLE"
            for m in reversed(models):
                current = existing.get(casefold(m.name))
                if current is not None and (m.name in skipped or ("VIEW" in current) != (wanted == "VIEW")):
                    drops.append(drop(m.name))  # type: ignore[arg-type]
            replace = "OR REPLACE "

        builds: list[ModelBuild] = []
        started = time.perf_counter()

        def run() -> None:
            for statement in drops:
                client.execute_sql(statement)
            settings_tables.write(client, dialect, resolve)
            for r in rendered:
                t0 = time.perf_counter()
                try:
                    client.execute_sql(f"CREATE {replace}{create} {r.qualified_name} AS\n{r.select_sql}")
                    rows = None
                    if materialize:
                        rows = int(client.execute_sql(f"SELECT COUNT(*) FROM {r.qualified_name}")[0][0])
                except Exception as ex:
                    raise ModelsError(
                        f"model {r.model.name} ({r.model.path.name}) failed on {dialect}: {ex}"
                    ) from ex
                builds.append(
                    ModelBuild(r.model.name, kind, round(time.perf_counter() - t0, 4), rows)
                )
            built = [Recorded(r.model.name, kind, position) for position, r in enumerate(rendered)]
            for statement in record_statements(dialect, record_name, built):
                client.execute_sql(statement)

        if transactional:
            with client.begin_transaction():
                run()
        else:
            run()
        builds.extend(ModelBuild(name, kind, 0.0, None, reason) for name, reason in skipped.items())
        logger.info(
            "built %d models as %ss in %s in %.2fs",
            len(builds),
            kind,
            reporting_dataset,
            time.perf_counter() - started,
        )
        return builds


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="happyfox-sync models",
        description="Build the SQL reporting models on an existing pipeline's destination.",
    )
    parser.add_argument("--pipeline", default=None, help="dlt pipeline name to attach to (default: the command's, happyfox_sync)")
    parser.add_argument("--pipelines-dir", default=None, help="dlt pipelines dir (default ~/.dlt)")
    parser.add_argument("--destination", default=None, help="dlt destination name, as the command takes it (default duckdb)")
    parser.add_argument("--dataset-name", default=None, help="raw dataset (default happyfox)")
    parser.add_argument("--reporting-dataset", default=None, help="default <dataset>_reporting")
    parser.add_argument("--materialize", action="store_true", help="create tables, not views")
    parser.add_argument(
        "--print-sql",
        metavar="DIALECT",
        default=None,
        help="print every model translated to DIALECT (duckdb, postgres, bigquery, ...) and exit",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    if args.print_sql:
        for name, sql in render_models(args.print_sql, reporting_dataset=args.reporting_dataset).items():
            print(f"-- {name}\n{sql};\n")
        return 0

    import dlt

    from .errors import ExitCode
    from .run import DEFAULT_DATASET, DEFAULT_PIPELINE, RunOptions, exclusive_run, resolve_destination
    from .run_lock import AlreadyRunningError

    # the command's own pipeline, destination, lock and read-copy publishing
    options = RunOptions(destination=args.destination, dataset_name=args.dataset_name, pipeline_name=args.pipeline)
    name = args.pipeline or DEFAULT_PIPELINE
    try:
        pipeline = dlt.pipeline(
            pipeline_name=name,
            pipelines_dir=args.pipelines_dir,
            destination=resolve_destination(args.destination, name),
            dataset_name=args.dataset_name or DEFAULT_DATASET,
        )
        with exclusive_run(options, pipeline):
            builds = build_models(pipeline, args.reporting_dataset, args.materialize)
    except AlreadyRunningError as ex:
        print(f"error: {ex}", file=sys.stderr)
        return ExitCode.ALREADY_RUNNING
    except ConfigurationError as ex:  # a bad [happyfox_sync.reporting] setting
        print(f"error: {ex}", file=sys.stderr)
        return ExitCode.CONFIG
    except Exception as ex:  # one line, as the command prints it
        print(f"error: {(str(ex).strip().splitlines() or [type(ex).__name__])[0]}", file=sys.stderr)
        return 1
    for b in builds:
        if b.skipped:
            print(f"{b.name}: skipped, {b.skipped}")
            continue
        rows = "" if b.rows is None else f" {b.rows} rows"
        print(f"{b.name}: {b.kind} in {b.seconds:.2f}s{rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
