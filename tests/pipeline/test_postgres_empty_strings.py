"""An empty string is not NULL: on PostgreSQL '' must load as '' on every run of the sync.

The path that broke: a run after the first one knows every column's type, so the source
sends re-synced tickets as Arrow tables; dlt wrote them as CSV for PostgreSQL (Parquet
needs its optional ADBC driver) and its ``COPY ... FORCE_NULL`` read each ``""`` as NULL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg2

from tests.pipeline.cli import environment, run
from tests.support import truth
from tests.support.harness import HelpdeskUser, helpdesk, running


def _rows(dsn: str, dataset: str, sql: str) -> set[tuple[Any, ...]]:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"set search_path = {dataset}")
        cursor.execute(sql)
        rows = {tuple(row) for row in cursor.fetchall()}
    connection.close()
    return rows


def test_an_empty_string_round_trips_as_empty_on_postgres_through_a_second_scheduled_sync(tmp_path: Path, postgres_dsn: str) -> None:
    dataset = f"hf_empty_{tmp_path.name[-12:].lower().replace('-', '_')}"
    args = ["--destination", "postgres", "--dataset-name", dataset, "--no-models"]
    with running(helpdesk(40, seed=31)) as simulator:
        env = environment(tmp_path, simulator, DESTINATION__POSTGRES__CREDENTIALS=postgres_dsn)
        first = run(args, tmp_path, env)
        assert first.code == 0, first.output
        untagged = [t["id"] for t in simulator.helpdesk.tickets if t["tags"] == ""]
        user = HelpdeskUser(simulator)
        for ticket_id in untagged[:3]:  # re-synced by the next run, the Arrow way
            user.post(f"ticket/{ticket_id}/staff_update/", {"staff": user.staff_id(), "html": "<p>again</p>", "time_spent": 1})
        user.close()
        second = run(args, tmp_path, env)
        assert second.code == 0, second.output
        desk = simulator.helpdesk
        tags = {(t["id"], t["tags"]) for t in desk.tickets}
        changes = truth.custom_field_changes(desk)
    assert len(untagged) >= 3 and any(change[3] == "" for change in changes)
    assert _rows(postgres_dsn, dataset, "select id, tags from tickets") == tags
    assert _rows(postgres_dsn, dataset, "select ticket_id, update_index, field_id, from_value, to_value "
                                         "from ticket_custom_field_changes") == changes
