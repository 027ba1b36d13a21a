"""Build the receiver from the sync's configuration and serve it with uvicorn until stopped.

The receiver writes through the scheduled sync's pipeline (same ``--pipeline-name``,
``--dataset-name``, ``--destination`` and working folder) and shares its run lock, so
it must run on the machine (and in the directory) where the scheduled sync runs.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Any, Callable

import uvicorn

from happyfox_sync.run import (
    DEFAULT_DATASET,
    DEFAULT_PIPELINE,
    RunOptions,
    _lock_timeout_seconds,
    make_pipeline,
    published_duckdb_file,
)

from .app import create_app
from .loader import LoadTarget, WebhookLoader
from .queue import DeliveryQueue
from .settings import WebhookSettings, load_settings

logger = logging.getLogger("happyfox_sync.webhooks")


def build_loader(options: RunOptions, settings: WebhookSettings) -> WebhookLoader:
    """The loader of the scheduled sync's pipeline, with the queue beside its lock."""
    pipeline_name = options.pipeline_name or DEFAULT_PIPELINE
    dataset_name = options.dataset_name or DEFAULT_DATASET
    probe = make_pipeline(options, pipeline_name, dataset_name)
    lock_folder = Path(probe.working_dir).parent
    target = LoadTarget(
        make_pipeline=lambda: make_pipeline(options, pipeline_name, dataset_name),
        lock_folder=lock_folder,
        pipeline_name=pipeline_name,
        files=published_duckdb_file(options.destination, pipeline_name),
        lock_timeout_seconds=_lock_timeout_seconds(),
    )
    queue = DeliveryQueue(settings.queue_file(lock_folder, pipeline_name))
    return WebhookLoader(queue, target, settings, scrub=_privacy_scrub())


def _privacy_scrub() -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """The scheduled sync's privacy policy applied to each webhook ticket before its rows are made.

    The same ``[sources.happyfox]`` privacy settings as the sync (``message_bodies``,
    ``contact_pii``), through the source's own scrub, when this version of the source
    has the privacy module.
    """
    try:
        from happyfox_sync.source.privacy import load_privacy_policy
    except ImportError:
        return None
    policy = load_privacy_policy()
    return policy.scrub_ticket if policy.active else None


def serve(options: RunOptions, host: str, port: int) -> None:
    """Run the receiver in the foreground; Ctrl-C / SIGTERM finish the current batch and stop."""
    settings = load_settings()
    loader = build_loader(options, settings)
    app = create_app(settings, loader.queue, loader)
    logger.info("receiving HappyFox webhooks on http://%s:%d/happyfox/webhook (queue %s)", host, port, loader.queue.path)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM and then raises the signal again;
    # a stop request that was honoured is a normal end (exit 0), not a kill.
    stopped: list[int] = []
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda received, frame: stopped.append(received))
    try:
        uvicorn.Server(config).run()
    finally:
        loader.queue.close()
    logger.info("receiver stopped%s", " on request" if stopped else "")
