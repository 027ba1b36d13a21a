"""The privacy settings through `happyfox-sync` itself: environment in, exit code and output out."""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg2
import pytest

from happyfox_sync.source.privacy import policy_from_settings
from tests.pipeline.cli import environment, run
from tests.privacy import scan
from tests.support.harness import helpdesk, running

TICKETS = 60
KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
HASH_AND_DROP = {
    "SOURCES__HAPPYFOX__MESSAGE_BODIES": "drop",
    "SOURCES__HAPPYFOX__CONTACT_PII": "hash",
    "SOURCES__HAPPYFOX__PII_HASH_KEY": KEY,
}


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (
            {"SOURCES__HAPPYFOX__MESSAGE_BODIES": "redact"},
            "happyfox-sync: error: sources.happyfox.message_bodies must be one of keep, drop, not 'redact'",
        ),
        (
            {"SOURCES__HAPPYFOX__CONTACT_PII": "hash"},
            "happyfox-sync: error: sources.happyfox.contact_pii = hash needs the secret sources.happyfox.pii_hash_key",
        ),
        (
            {"SOURCES__HAPPYFOX__CONTACT_PII": "hash", "SOURCES__HAPPYFOX__PII_HASH_KEY": "hunter2-not-hex"},
            "happyfox-sync: error: sources.happyfox.pii_hash_key must be hexadecimal",
        ),
    ],
)
def test_unusable_privacy_settings_stop_the_command_with_exit_2_and_one_line(
    tmp_path: Path, settings: dict[str, str], line: str
) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        result = run([], tmp_path, environment(tmp_path, simulator, **settings))
        gets = simulator.stats.total_gets
    assert result.code == 2, result.output
    errors = [text for text in result.stderr.splitlines() if "error" in text.lower()]
    assert len(errors) == 1 and errors[0].startswith(line), result.stderr
    assert "hunter2" not in result.output
    assert gets == 0
    assert not (tmp_path / "happyfox_sync.duckdb").exists()


def test_switching_on_later_says_so_in_the_run_s_output_and_leaves_nothing(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        first = run([], tmp_path, environment(tmp_path, simulator))
        second = run([], tmp_path, environment(tmp_path, simulator, **HASH_AND_DROP))
        desk = simulator.helpdesk
    assert first.code == 0 and second.code == 0, second.output
    said = [line for line in second.stderr.splitlines() if "privacy:" in line]
    assert len(said) == 2, second.stderr
    assert "message_bodies=drop, contact_pii=hash applied to rows loaded earlier: row updates: " in said[0]
    assert "DuckDB file compacted; 1 old load packages removed (no GETs spent)" in said[0]
    assert said[1].endswith("privacy: happyfox_sync.sync.duckdb compacted after the models were rebuilt")
    assert "privacy:" not in first.stderr
    assert KEY not in second.output
    texts = scan.database_text(tmp_path / "happyfox_sync.duckdb")
    texts.update(scan.directory_text(tmp_path / "dlt-data"))
    for name in ("happyfox_sync.duckdb", "happyfox_sync.sync.duckdb"):
        texts[f"raw bytes of {name}"] = scan.file_text(tmp_path / name)
    assert scan.leaks(scan.needles_for(desk, bodies=True, contacts=True), texts) == {}


def test_switching_on_later_on_postgres_leaves_nothing_of_the_earlier_values(
    tmp_path: Path, postgres_dsn: str
) -> None:
    dataset = "hf_privacy"
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, DESTINATION__POSTGRES__CREDENTIALS=postgres_dsn)
        args = ["--destination", "postgres", "--dataset-name", dataset, "--materialize-models"]
        first = run(args, tmp_path, env)
        with psycopg2.connect(postgres_dsn) as connection, connection.cursor() as cursor:
            cursor.execute(f"select contact_id, count(*) from {dataset}.tickets group by contact_id")
            kept_counts = dict(cursor.fetchall())
        second = run(args, tmp_path, {**env, **HASH_AND_DROP})
        desk = simulator.helpdesk
    assert first.code == 0 and second.code == 0, second.output
    texts: dict[str, str] = {}
    with psycopg2.connect(postgres_dsn) as connection, connection.cursor() as cursor:
        cursor.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema like %s order by 1, 2, 3",
            (f"{dataset}%",),
        )
        for schema, table, column in cursor.fetchall():
            cursor.execute(f'select "{column}"::text from "{schema}"."{table}" where "{column}" is not null')
            texts[f"{schema}.{table}.{column}"] = "\n".join(value for (value,) in cursor.fetchall())
        cursor.execute(f"select contact_id, count(*) from {dataset}.tickets group by contact_id")
        hashed_counts = dict(cursor.fetchall())
    assert f"{dataset}_staging.contacts.email" in texts and f"{dataset}_reporting.ticket_metrics.subject" in texts
    texts.update(scan.directory_text(tmp_path / "dlt-data"))
    assert scan.leaks(scan.needles_for(desk, bodies=True, contacts=True), texts) == {}
    hashing = policy_from_settings("drop", "hash", KEY)
    assert hashed_counts == {hashing.pseudonym(contact): count for contact, count in kept_counts.items()}


def test_a_duckdb_file_synced_with_privacy_settings_builds_every_model(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        result = run([], tmp_path, environment(tmp_path, simulator, **{**HASH_AND_DROP, "SOURCES__HAPPYFOX__CONTACT_PII": "drop"}))
    assert result.code == 0, result.output
    with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
        metrics = connection.execute("select count(*), count(subject), count(contact_name) from happyfox_reporting.ticket_metrics").fetchall()
    assert metrics == [(TICKETS, 0, 0)]


def test_a_filesystem_destination_asks_for_a_full_refresh_which_then_leaves_nothing(tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, DESTINATION__FILESYSTEM__BUCKET_URL=bucket.as_uri())
        first = run(["--destination", "filesystem"], tmp_path, env)
        refused = run(["--destination", "filesystem"], tmp_path, {**env, **HASH_AND_DROP})
        reloaded = run(["--destination", "filesystem", "--full-refresh"], tmp_path, {**env, **HASH_AND_DROP})
        desk = simulator.helpdesk
    assert first.code == 0, first.output
    assert refused.code == 2, refused.output
    assert refused.stderr.strip().splitlines()[-1].startswith(
        "happyfox-sync: error: the filesystem destination cannot rewrite the rows it already holds"
    )
    assert "--full-refresh" in refused.stderr
    assert reloaded.code == 0, reloaded.output
    texts = scan.directory_text(bucket)
    texts.update(scan.directory_text(tmp_path / "dlt-data"))
    assert any(place.startswith("happyfox/tickets/") for place in texts)
    assert scan.leaks(scan.needles_for(desk, bodies=True, contacts=True), texts) == {}
