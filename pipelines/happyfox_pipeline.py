"""The HappyFox pipeline as a plain dlt script: what `dlt deploy` takes.

    dlt deploy pipelines/happyfox_pipeline.py github-action --schedule "*/30 * * * *"

It runs the same job as `happyfox-sync` (checkpointed backfill, models, the DuckDB
read copy) on the pipeline declared below; credentials and settings come the dlt way
(`.dlt/config.toml`, `.dlt/secrets.toml`, environment), so a deployment needs only the
`happyfox-sync` package in its requirements. The command line is :mod:`happyfox_sync.cli`.
"""

from __future__ import annotations

import dlt

from happyfox_sync.run import RunOptions, apply_runtime_defaults, resolve_destination, run_sync

PIPELINE_NAME = "happyfox_sync"
DATASET_NAME = "happyfox"


def load_happyfox() -> None:
    """Sync every resource into the configured destination (DuckDB by default) and build the models."""
    apply_runtime_defaults()
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=resolve_destination(None, PIPELINE_NAME),
        dataset_name=DATASET_NAME,
    )
    summary = run_sync(RunOptions(), pipeline_name=pipeline.pipeline_name, dataset_name=pipeline.dataset_name)
    print(summary.render())


if __name__ == "__main__":
    load_happyfox()
