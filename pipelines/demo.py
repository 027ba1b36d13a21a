"""`happyfox-sync --demo`: the whole product on a simulated helpdesk, no account needed.

It starts the bundled simulator with a generated helpdesk, syncs it into a DuckDB
file of its own (never the real pipeline's), builds the models and shows a few
numbers a support lead would ask for. The simulator's GET cap is raised for the
demo so it finishes in about a minute; a real account allows 500 GETs/minute.
"""

from __future__ import annotations

import json
import os

from happyfox_simulator import Simulator, SimulatorConfig
from happyfox_simulator.generator import generate_helpdesk
from happyfox_sync.source import HappyFoxClient

from .run import RunOptions, resolve_destination, run_sync

DEMO_PIPELINE = "happyfox_demo"
DEMO_DATASET = "happyfox"
DEMO_SEED = 7
DEMO_GETS_PER_MINUTE = 120_000

HEADLINES = {
    "tickets": "select count(*) from {r}.ticket_metrics",
    "resolved": "select count(*) from {r}.ticket_metrics where is_resolved",
    "median first response (min)": "select median(first_response_minutes) from {r}.ticket_metrics",
    "median resolution (min)": "select median(resolution_minutes) from {r}.ticket_metrics where is_resolved",
    "tickets reopened at least once": "select count(*) from {r}.ticket_metrics where reopen_count > 0",
    "open at the end of the last day": (
        "select sum(tickets_open_at_end_of_day) from {r}.daily_backlog "
        "where day = (select max(day) from {r}.daily_backlog)"
    ),
    "median first response (business)": "select median(first_response_business_minutes) from {r}.ticket_metrics",
    "median resolution (business min)": (
        "select median(resolution_business_minutes) from {r}.ticket_metrics where is_resolved"
    ),
    "resolved the same day": "select count(*) from {r}.ticket_metrics where is_resolved_same_day",
    "first-response SLA breached": "select count(*) from {r}.ticket_sla where metric = 'first_response' and is_breached",
    "resolution SLA breached": "select count(*) from {r}.ticket_sla where metric = 'resolution' and is_breached",
}

DEMO_REPORTING = {
    # the demo team's week (README: [happyfox_sync.reporting]); an environment variable set
    # by the user wins
    "TIMEZONE": "America/New_York",
    "BUSINESS_HOURS": "mon-fri 09:00-17:00",
    "SLA__FIRST_RESPONSE_MINUTES": json.dumps({"default": 240, "Urgent": 60}),
    "SLA__RESOLUTION_MINUTES": json.dumps({"default": 1440, "Urgent": 480}),
}


def run_demo(options: RunOptions, tickets: int = 3000) -> None:
    """Sync a generated helpdesk of ``tickets`` tickets from the bundled simulator."""
    for key, value in DEMO_REPORTING.items():
        os.environ.setdefault(f"HAPPYFOX_SYNC__REPORTING__{key}", value)
    print(f"happyfox-sync demo: generating a helpdesk of {tickets} tickets and starting the simulator ...")
    helpdesk = generate_helpdesk(tickets, seed=DEMO_SEED)
    config = SimulatorConfig(get_limit=DEMO_GETS_PER_MINUTE * 2, post_limit=DEMO_GETS_PER_MINUTE * 2)
    with Simulator(helpdesk, config) as simulator:
        print(f"simulator: {simulator.base_url} (GET cap raised to {config.get_limit}/min for the demo)")
        client = HappyFoxClient(
            simulator.base_url,
            simulator.api_key,
            simulator.auth_code,
            max_gets_per_minute=DEMO_GETS_PER_MINUTE,
            max_concurrency=4,
        )
        with client:
            summary = run_sync(
                options,
                client=client,
                pipeline_name=options.pipeline_name or DEMO_PIPELINE,
                dataset_name=options.dataset_name or DEMO_DATASET,
                refresh=True,
            )
    print(summary.render())
    if summary.models:
        print_headlines(options.pipeline_name or DEMO_PIPELINE, summary.dataset_name)
        print(f"\nreport: {write_demo_report(options, summary.dataset_name)}")
    for command in query_commands(options.pipeline_name or DEMO_PIPELINE, summary.dataset_name):
        print(command)


def write_demo_report(options: RunOptions, dataset_name: str) -> str:
    """The demo's HTML report, beside its DuckDB file (never the real pipeline's page)."""
    import dataclasses

    from .report.command import ReportSettings, write_for

    pipeline_name = options.pipeline_name or DEMO_PIPELINE
    demo = dataclasses.replace(options, pipeline_name=pipeline_name, dataset_name=dataset_name)
    return str(write_for(demo, ReportSettings.resolve(f"{pipeline_name}_report.html", None)).path)


def query_commands(pipeline_name: str, dataset_name: str) -> list[str]:
    """What the demo suggests next; every line runs after the README's set-up (a test runs each)."""
    database = f"{pipeline_name}.duckdb"
    reporting = f"{dataset_name}_reporting"
    return [
        "\nquery it:",
        f'  happyfox-sync query --pipeline-name {pipeline_name} "select * from {reporting}.ticket_metrics limit 10"',
        f"  python -c \"import duckdb; print(duckdb.connect('{database}', read_only=True)"
        f".sql('select * from {reporting}.daily_backlog order by day desc limit 10'))\"",
        f"  dlt pipeline {pipeline_name} info",
    ]


def print_headlines(pipeline_name: str, dataset_name: str) -> None:
    import dlt

    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name, destination=resolve_destination("duckdb", pipeline_name), dataset_name=dataset_name
    )
    reporting = f"{dataset_name}_reporting"
    print(f"\nheadline numbers (business hours: {os.environ.get('HAPPYFOX_SYNC__REPORTING__BUSINESS_HOURS')},"
          f" {os.environ.get('HAPPYFOX_SYNC__REPORTING__TIMEZONE')}):")
    with pipeline.sql_client() as client:
        for label, query in HEADLINES.items():
            value = client.execute_sql(query.format(r=reporting))[0][0]
            shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if value is not None else "-"
            print(f"  {label:<34} {shown}")
