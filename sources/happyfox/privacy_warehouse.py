"""Bring rows loaded under an earlier, looser privacy policy in line with the current one.

Turning ``message_bodies=drop`` or ``contact_pii=hash|drop`` on for a warehouse that
already holds those values must not leave them there. The source records the policy
it applied in its state (``privacy_v1``, committed with each load); when the
configured policy is stricter than the recorded one, the first resource of the run
calls :func:`enforce_policy` before anything is extracted, which

* rewrites the affected columns in place with the destination's SQL client: NULL
  (or ``''`` for a dropped message text) for ``drop``, read-hash-write through a
  small mapping table for ``hash`` (one transaction where the destination has
  transactional DDL). No GET is spent: the budget is untouched;
* empties dlt's staging dataset (the last merge's rows stay there otherwise);
* deletes the loaded packages and the last trace under the pipeline's working
  directory (dlt keeps every loaded file in ``load/loaded/``).

Every step is idempotent (a hash is never hashed again, a pseudonym is never
re-pseudonymised), so a run that fails half-way repeats the rewrite next time; the
state only records the new policy with the load that follows a complete rewrite.
A looser policy (``drop`` back to ``keep``) rewrites nothing: it affects what is
loaded from then on.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import dlt
import orjson
from dlt.destinations.job_client_impl import SqlJobClientBase

from .privacy import (
    ADDRESS_LIST_KEYS,
    MESSAGE_KEPT_KEYS,
    PSEUDONYM_FLOOR,
    PrivacyConfigError,
    PrivacyPolicy,
    is_contact_pii_key,
)

logger = logging.getLogger("happyfox_sync.source")

STATE_KEY = "privacy_v1"
"""Source-state key of the applied policy; the suffix versions the record's shape."""

KEEP_RECORD: dict[str, Any] = {
    "message_bodies": "keep",
    "contact_pii": "keep",
    "pii_contact_custom_fields": [],
    "hash_key_fingerprint": None,
}

MAP_TABLE = "_hf_privacy_map"
COMPACT_MARKER = "privacy_compact_due"
"""File in the pipeline's working directory: a rewrite happened, compact after the models."""
INSERT_BATCH = 500

TABLES = (
    "tickets",
    "ticket_updates",
    "ticket_attachments",
    "contacts",
    "contact_custom_field_values",
    "contact_group_members",
)
CONTACT_OWNED = {"contacts": "id", "contact_custom_field_values": "contact_id", "contact_group_members": "contact_id"}
"""Tables keyed by the contact id: a pseudonym row left from an earlier ``hash`` period
gives way to the newer plain-id row it collides with."""

AUTHOR_IS_CONTACT = "by__type = 'user'"


@dataclass
class RewriteReport:
    """What a rewrite changed, for the run's output."""

    values: dict[str, int] = field(default_factory=dict)
    staging_tables_emptied: int = 0
    packages_removed: int = 0
    compacted: bool = False

    def add(self, table: str, count: int) -> None:
        if count:
            self.values[table] = self.values.get(table, 0) + count

    def render(self) -> str:
        changed = ", ".join(f"{table} {count:,}" for table, count in sorted(self.values.items())) or "nothing"
        compacted = "; DuckDB file compacted" if self.compacted else ""
        return (
            f"row updates: {changed}; {self.staging_tables_emptied} staging tables emptied{compacted}; "
            f"{self.packages_removed} old load packages removed (no GETs spent)"
        )


def _stricter(previous: dict[str, Any], current: dict[str, Any]) -> bool:
    if current["message_bodies"] == "drop" and previous.get("message_bodies") != "drop":
        return True
    if current["contact_pii"] == "keep":
        return False
    if current["contact_pii"] != previous.get("contact_pii"):
        return True
    return not set(current["pii_contact_custom_fields"]) <= set(previous.get("pii_contact_custom_fields") or ())


def _describe(record: dict[str, Any]) -> str:
    fields = record.get("pii_contact_custom_fields") or []
    listed = f", pii_contact_custom_fields={','.join(fields)}" if fields else ""
    return f"message_bodies={record['message_bodies']}, contact_pii={record['contact_pii']}{listed}"


def enforce_policy(
    pipeline: Any, state: dict[str, Any], policy: PrivacyPolicy, schema: Any = None
) -> RewriteReport | None:
    """Rewrite what an earlier, looser policy loaded; record ``policy`` in ``state``.

    ``state`` is the source state (committed with the run's load) and ``schema`` the
    schema this extract writes into: one without loaded tables (a first run, or
    ``--full-refresh``, which drops the tables anyway) needs no rewrite. Refuses a
    ``pii_hash_key`` other than the one the warehouse was hashed with: old and new
    hashes of one address would differ and every join by contact would break.
    """
    previous = {**KEEP_RECORD, **(state.get(STATE_KEY) or {})}
    current = policy.record()
    if policy.contact_pii != "hash":  # the key only matters while hashing; remember the last one
        current["hash_key_fingerprint"] = previous.get("hash_key_fingerprint")
    elif previous.get("hash_key_fingerprint") not in (None, current["hash_key_fingerprint"]):
        raise PrivacyConfigError(
            "sources.happyfox.pii_hash_key is not the key this warehouse's contacts were hashed with: "
            "restore that key, or reload everything with --full-refresh"
        )
    if previous == current:
        return None
    report = None
    if _stricter(previous, current):
        if schema is None or _holds_rows(schema):
            report = rewrite_loaded_rows(pipeline, policy)
        else:
            report = RewriteReport()
        report.packages_removed = remove_loaded_packages(Path(pipeline.working_dir))
        if report.compacted:
            (Path(pipeline.working_dir) / COMPACT_MARKER).touch()
        if report.values or report.packages_removed:
            logger.info("privacy: %s applied to rows loaded earlier: %s", _describe(current), report.render())
        else:
            logger.info("privacy: %s (nothing loaded earlier to rewrite)", _describe(current))
    else:
        logger.info(
            "privacy: now %s (was %s); rows already loaded stay as they are, only records loaded "
            "from now on keep more",
            _describe(current),
            _describe(previous),
        )
    state[STATE_KEY] = current
    return report


class PolicyEnforcement:
    """Runs :func:`enforce_policy` once per source instance, before any resource extracts.

    Every resource calls :meth:`ensure` first: the reconciliation re-emits stored
    ticket rows and must read them scrubbed, and parallel resources wait on the lock.
    """

    def __init__(self, policy: PrivacyPolicy) -> None:
        self.policy = policy
        self._lock = threading.Lock()
        self._done = False

    def ensure(self) -> None:
        with self._lock:
            if self._done:
                return
            enforce_policy(
                dlt.current.pipeline(), dlt.current.source_state(), self.policy, dlt.current.source_schema()
            )
            self._done = True


# -- the rewrite ---------------------------------------------------------------------


def _holds_rows(schema: Any) -> bool:
    """Whether the extract's schema knows loaded rows of a table the policy rewrites."""
    from dlt.common.schema.utils import has_table_seen_data

    return any(name in schema.tables and has_table_seen_data(schema.tables[name]) for name in TABLES)


def remove_loaded_packages(working_dir: Path) -> int:
    """Delete dlt's loaded packages and last trace: they hold the rows as they were loaded."""
    loaded = working_dir / "load" / "loaded"
    removed = 0
    if loaded.is_dir():
        for package in loaded.iterdir():
            if package.is_dir():
                shutil.rmtree(package, ignore_errors=True)
                removed += 1
    trace = working_dir / "trace.pickle"
    if trace.exists():
        trace.unlink()
    return removed


def rewrite_loaded_rows(pipeline: Any, policy: PrivacyPolicy) -> RewriteReport:
    """Apply ``policy`` to every row the destination holds (see the module docstring)."""
    report = RewriteReport()
    if pipeline.default_schema_name is None:
        return report  # nothing was ever loaded
    try:
        client_context = pipeline.destination_client()
    except Exception as error:  # no destination configured or reachable yet: nothing loaded
        logger.debug("privacy: no destination to rewrite: %s", error)
        return report
    with client_context as client:
        if not isinstance(client, SqlJobClientBase):
            raise PrivacyConfigError(
                f"the {pipeline.destination.destination_name} destination cannot rewrite the rows it already "
                "holds under the stricter privacy settings: run once with --full-refresh to reload them "
                "(a full backfill's GETs: see --estimate)"
            )
        sql = client.sql_client
        if not sql.has_dataset():
            return report
        storage = {name: set(columns) for name, columns in client.get_storage_tables(TABLES) if columns}
        writer = _Rewriter(sql, storage, policy, report)
        if sql.capabilities.supports_ddl_transactions:
            with sql.begin_transaction():
                writer.run()
        else:
            writer.run()
        report.staging_tables_emptied = _empty_staging(client)
        database = _duckdb_file(client)
    if database is not None and report.values:
        compact_duckdb_file(database)
        report.compacted = True
    return report


def applied_record(pipeline: Any) -> dict[str, Any] | None:
    """The privacy policy recorded in the pipeline's local state (None before any)."""
    try:
        return pipeline.state["sources"]["happyfox"].get(STATE_KEY)
    except (KeyError, TypeError, AttributeError):
        return None


def compact_after_rewrite(pipeline: Any) -> bool:
    """Compact a DuckDB destination again after a rewrite, once the models are rebuilt.

    The run calls this after building the reporting models: materialized models of
    the earlier policy were dropped by that build, and their freed blocks would
    otherwise still hold the old values. A marker in the working directory, left by
    the rewrite, says a compaction is due (it survives a run that fails in between).
    True when a file was compacted.
    """
    marker = Path(pipeline.working_dir) / COMPACT_MARKER
    if not marker.exists():
        return False
    try:
        with pipeline.destination_client() as client:
            database = _duckdb_file(client)
    except Exception as error:  # nothing loaded, or not a local destination
        logger.debug("privacy: nothing to compact: %s", error)
        database = None
    if database is not None:
        compact_duckdb_file(database)
        logger.info("privacy: %s compacted after the models were rebuilt", database.name)
    marker.unlink()
    return database is not None


def _duckdb_file(client: Any) -> Path | None:
    """The local file of a DuckDB destination (None for any other destination)."""
    if getattr(getattr(client, "config", None), "destination_type", "").split(".")[-1] != "duckdb":
        return None
    database = getattr(getattr(client.config, "credentials", None), "database", None)
    if not database or str(database).startswith(":"):
        return None
    path = Path(str(database))
    return path if path.is_file() else None


def compact_duckdb_file(path: Path) -> None:
    """Rewrite a DuckDB file with only its live data.

    An UPDATE leaves the old values in the file's freed blocks, readable by anyone who
    opens the bytes (and copied by every file copy of it). A logical copy into a new
    file (``COPY FROM DATABASE``), renamed over the old one, leaves nothing of them.
    """
    import os

    import duckdb

    fresh = path.with_name(f".{path.name}.compact.tmp")
    if fresh.exists():
        fresh.unlink()
    connection = duckdb.connect(str(path))
    try:
        (name,) = connection.execute("SELECT current_database()").fetchone()
        connection.execute("CHECKPOINT")
        quoted = str(fresh).replace("'", "''")
        connection.execute(f"ATTACH '{quoted}' AS hf_compacted")
        connection.execute(f'COPY FROM DATABASE "{name}" TO hf_compacted')
        connection.execute("DETACH hf_compacted")
    finally:
        connection.close()
    stale_wal = path.with_name(path.name + ".wal")
    if stale_wal.exists():
        stale_wal.unlink()
    os.replace(fresh, path)


def _empty_staging(client: Any) -> int:
    """Delete every row of dlt's staging copies (kept after a merge) of this source's tables."""
    try:
        with client.with_staging_dataset():
            sql = client.sql_client
            if not sql.has_dataset():
                return 0
            present = [name for name, columns in client.get_storage_tables(TABLES) if columns]
            if present:
                sql.truncate_tables(*present)
            return len(present)
    except Exception as error:  # a destination without a staging dataset
        logger.debug("privacy: no staging dataset to empty: %s", error)
        return 0


class _Rewriter:
    """The statements of one rewrite, over the tables and columns that exist."""

    def __init__(self, sql: Any, storage: dict[str, set[str]], policy: PrivacyPolicy, report: RewriteReport) -> None:
        self.sql = sql
        self.storage = storage
        self.policy = policy
        self.report = report

    def run(self) -> None:
        if self.policy.drops_bodies:
            self._drop_bodies()
        if self.policy.contact_pii == "drop":
            self._drop_contacts()
        elif self.policy.contact_pii == "hash":
            self._hash_contacts()

    # -- helpers -----------------------------------------------------------------

    def columns(self, table: str, accept: Callable[[str], bool]) -> list[str]:
        return sorted(column for column in self.storage.get(table, ()) if accept(column))

    def table(self, name: str) -> str:
        return self.sql.make_qualified_table_name(name)

    def col(self, name: str) -> str:
        return self.sql.escape_column_name(name)

    def _count(self, table: str, where: str) -> int:
        rows = self.sql.execute_sql(f"SELECT COUNT(*) FROM {self.table(table)} WHERE {where}")
        return int(rows[0][0]) if rows else 0

    def set_null(self, table: str, columns: list[str], where: str | None = None, text_column: str | None = None) -> None:
        """NULL ``columns``; ``text_column`` becomes '' where a message had a body (text or html)."""
        present = [f"{self.col(column)} IS NOT NULL" for column in columns]
        assignments = [f"{self.col(column)} = NULL" for column in columns]
        if text_column is not None:
            text = self.col(text_column)
            had_body = [f"{text} IS NOT NULL"]
            if "message__html" in columns:
                had_body.append(f"{self.col('message__html')} IS NOT NULL")
            present.append(f"({text} IS NOT NULL AND {text} <> '')")
            # SET expressions read the row as it was, so html is still there to test
            assignments.append(f"{text} = CASE WHEN {' OR '.join(had_body)} THEN '' END")
        if not assignments:
            return
        condition = "(" + " OR ".join(present) + ")"
        if where:
            condition = f"{condition} AND {where}"
        count = self._count(table, condition)
        if count:
            self.sql.execute_sql(f"UPDATE {self.table(table)} SET {', '.join(assignments)} WHERE {condition}")
            self.report.add(table, count)

    def map_values(
        self,
        table: str,
        column: str,
        convert: Callable[[Any], Any],
        where: str | None = None,
        json_column: bool = False,
        owner_key: bool = False,
    ) -> None:
        """Replace each distinct value of ``column`` by ``convert(value)`` via a mapping table.

        JSON values are matched on their text (PostgreSQL's ``json`` has no equality).
        """
        if column not in self.storage.get(table, ()):
            return
        qualified, name = self.table(table), self.col(column)
        matched = f"CAST({name} AS VARCHAR)" if json_column else name
        condition = f"{name} IS NOT NULL" + (f" AND {where}" if where else "")
        rows = self.sql.execute_sql(f"SELECT DISTINCT {matched} FROM {qualified} WHERE {condition}") or []
        pairs = []
        for (old,) in rows:
            if json_column:
                decoded = orjson.loads(old)
                converted = convert(decoded)
                if converted == decoded:
                    continue
                new = orjson.dumps(converted).decode()
            else:
                new = convert(old)
                if new == old:
                    continue
            pairs.append((old, new))
        if not pairs:
            return
        if owner_key:
            self._drop_colliding_owners(table, column, [new for _, new in pairs])
        mapping = self.table(MAP_TABLE)
        self.sql.execute_sql(f"DROP TABLE IF EXISTS {mapping}")
        self.sql.execute_sql(
            f"CREATE TABLE {mapping} AS SELECT {matched} AS old_value, {name} AS new_value "
            f"FROM {qualified} WHERE 1 = 0"
        )
        for start in range(0, len(pairs), INSERT_BATCH):
            batch = pairs[start : start + INSERT_BATCH]
            placeholders = ", ".join(["(%s, %s)"] * len(batch))
            self.sql.execute_sql(
                f"INSERT INTO {mapping} (old_value, new_value) VALUES {placeholders}",
                *[value for pair in batch for value in pair],
            )
        count = self._count(table, f"{matched} IN (SELECT old_value FROM {mapping})" + (f" AND {where}" if where else ""))
        target = f"CAST({qualified}.{name} AS VARCHAR)" if json_column else f"{qualified}.{name}"
        self.sql.execute_sql(
            f"UPDATE {qualified} SET {name} = {mapping}.new_value FROM {mapping} "
            f"WHERE {target} = {mapping}.old_value" + (f" AND {where}" if where else "")
        )
        self.sql.execute_sql(f"DROP TABLE {mapping}")
        self.report.add(table, count)

    def _drop_colliding_owners(self, table: str, column: str, new_ids: Iterable[Any]) -> None:
        """Rows of an older ``hash`` period keyed by a pseudonym a plain id now maps to."""
        wanted = set(new_ids)
        rows = self.sql.execute_sql(
            f"SELECT DISTINCT {self.col(column)} FROM {self.table(table)} WHERE {self.col(column)} >= {PSEUDONYM_FLOOR}"
        ) or []
        stale = sorted(value for (value,) in rows if value in wanted)
        for start in range(0, len(stale), INSERT_BATCH):
            listed = ", ".join(str(int(value)) for value in stale[start : start + INSERT_BATCH])
            self.sql.execute_sql(f"DELETE FROM {self.table(table)} WHERE {self.col(column)} IN ({listed})")

    # -- message_bodies = drop -------------------------------------------------------

    def _drop_bodies(self) -> None:
        self.set_null("tickets", self.columns("tickets", _starts("subject", "first_message")))
        kept = {f"message__{key}" for key in MESSAGE_KEPT_KEYS}
        message_columns = self.columns(
            "ticket_updates", lambda c: c.startswith("message__") and c not in kept and c != "message__text"
        )
        if "message__text" in self.storage.get("ticket_updates", ()):
            self.set_null("ticket_updates", message_columns, text_column="message__text")
        else:
            self.set_null("ticket_updates", message_columns)
        self.set_null("ticket_updates", self.columns("ticket_updates", _starts("satisfaction_survey__comment")))
        self.set_null("ticket_attachments", self.columns("ticket_attachments", _starts("filename")))

    # -- contact_pii = drop ------------------------------------------------------------

    def _contact_columns(self) -> list[str]:
        return self.columns("contacts", _contact_detail_column)

    def _author_columns(self) -> list[str]:
        return self.columns("ticket_updates", lambda c: c.startswith("by__") and _contact_detail_column(c[4:]))

    def _address_columns(self) -> list[str]:
        return self.columns("ticket_updates", _starts(*(f"message__{key}" for key in ADDRESS_LIST_KEYS)))

    def _pii_field_condition(self) -> str | None:
        fields = sorted(self.policy.pii_contact_custom_fields)
        if not fields:
            return None
        ids = [value for value in fields if value.lstrip("-").isdigit()]
        names = [value.replace("'", "''") for value in fields]
        parts = []
        if ids:
            parts.append(f"field_id IN ({', '.join(ids)})")
        parts.append("field_name IN (" + ", ".join(f"'{name}'" for name in names) + ")")
        return "(" + " OR ".join(parts) + ")"

    def _drop_contacts(self) -> None:
        self.set_null("contacts", self._contact_columns())
        self.set_null("ticket_updates", self._author_columns(), where=AUTHOR_IS_CONTACT)
        self.set_null("ticket_updates", self._address_columns())
        condition = self._pii_field_condition()
        if condition:
            values = self.columns("contact_custom_field_values", _starts("value", "value_id"))
            self.set_null("contact_custom_field_values", values, where=condition)

    # -- contact_pii = hash --------------------------------------------------------------

    def _hash_contacts(self) -> None:
        policy = self.policy
        for table, key in CONTACT_OWNED.items():
            self.map_values(table, key, policy.pseudonym, owner_key=True)
        self.map_values("tickets", "contact_id", policy.pseudonym)
        self.map_values("ticket_updates", "by__id", policy.pseudonym, where=AUTHOR_IS_CONTACT)
        for column in self._contact_columns():
            if column == "phones" or column.endswith("__v_json"):
                self.map_values("contacts", column, lambda value: policy._hash_any("phone", value), json_column=True)
            else:
                self.map_values("contacts", column, _hasher(policy, column))
        for column in self._author_columns():
            self.map_values("ticket_updates", column, _hasher(policy, column[4:]), where=AUTHOR_IS_CONTACT)
        for column in self._address_columns():
            self.map_values("ticket_updates", column, policy.address_list)
        condition = self._pii_field_condition()
        if condition:
            for column in self.columns("contact_custom_field_values", _starts("value", "value_id")):
                self.map_values(
                    "contact_custom_field_values",
                    column,
                    lambda value: policy.hash_text("custom_field", value),
                    where=condition,
                )


def _starts(*prefixes: str) -> Callable[[str], bool]:
    """A column named ``prefix`` or one of its dlt variants (``prefix__v_text``)."""
    return lambda column: any(column == prefix or column.startswith(f"{prefix}__v_") for prefix in prefixes)


def _contact_detail_column(column: str) -> bool:
    """A loaded column of a contact that holds a detail (``primary_phone__number``, not its id)."""
    top = column.split("__", 1)[0]
    if not is_contact_pii_key(top):
        return False
    return not column.endswith(("__id", "__type"))


def _hasher(policy: PrivacyPolicy, column: str) -> Callable[[Any], Any]:
    top = column.split("__", 1)[0]
    kind = "email" if "email" in top else "phone" if "phone" in top else "name"
    return lambda value: policy.hash_text(kind, value)
