"""The receiver's settings, read once from dlt's configuration and checked before it starts.

``sources.happyfox.webhook_secret`` (a secret: `.dlt/secrets.toml` or
``SOURCES__HAPPYFOX__WEBHOOK_SECRET``) is the webhook's signing key; without it the
receiver refuses to start (exit code 2), as it could verify nothing. The rest live
under ``[happyfox_sync.webhooks]`` (``HAPPYFOX_SYNC__WEBHOOKS__<KEY>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt

from happyfox_sync.errors import ExitCode, SyncError

SECTION = "happyfox_sync.webhooks"
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_BATCH_TICKETS = 1000
DEFAULT_PUBLISH_INTERVAL_SECONDS = 10.0


@dataclass(frozen=True)
class WebhookSettings:
    """Every receiver setting with its default; ``secret`` is never shown in a repr."""

    secret: str = field(repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Bodies larger than this are refused with 413 before they are read in full."""
    batch_seconds: float = DEFAULT_BATCH_SECONDS
    """The loader loads what is queued at least this often."""
    batch_tickets: int = DEFAULT_BATCH_TICKETS
    """A load starts early once this many deliveries wait; one load takes at most this many."""
    publish_interval_seconds: float = DEFAULT_PUBLISH_INTERVAL_SECONDS
    """The DuckDB read copy is published at most this often (a copy of the whole file)."""
    queue_path: str | None = None
    """The queue's SQLite file; default ``<pipelines dir>/<pipeline>.webhooks.sqlite``."""

    def queue_file(self, lock_folder: Path, pipeline_name: str) -> Path:
        if self.queue_path:
            return Path(self.queue_path).expanduser()
        return lock_folder / f"{pipeline_name}.webhooks.sqlite"


def _number(name: str, kind: type, default: Any, minimum: float) -> Any:
    raw = dlt.config.get(f"{SECTION}.{name}")
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise SyncError(f"{SECTION}.{name} must be a number, not {raw!r}", ExitCode.CONFIG) from None
    if value < minimum:
        raise SyncError(f"{SECTION}.{name} must be at least {minimum:g}, not {raw!r}", ExitCode.CONFIG)
    return value


def load_settings() -> WebhookSettings:
    """Read and check every setting; a missing secret or a bad value is a one-line exit 2."""
    secret = dlt.secrets.get("sources.happyfox.webhook_secret")
    if secret is None or not str(secret).strip():
        raise SyncError(
            "missing configuration: sources.happyfox.webhook_secret (the webhook's signing key; set it in "
            ".dlt/secrets.toml or as SOURCES__HAPPYFOX__WEBHOOK_SECRET); the receiver cannot verify "
            "deliveries without it and does not start",
            ExitCode.CONFIG,
        )
    queue_path = dlt.config.get(f"{SECTION}.queue_path")
    return WebhookSettings(
        secret=str(secret),
        max_body_bytes=_number("max_body_bytes", int, DEFAULT_MAX_BODY_BYTES, 1),
        batch_seconds=_number("batch_seconds", float, DEFAULT_BATCH_SECONDS, 0.05),
        batch_tickets=_number("batch_tickets", int, DEFAULT_BATCH_TICKETS, 1),
        publish_interval_seconds=_number("publish_interval_seconds", float, DEFAULT_PUBLISH_INTERVAL_SECONDS, 0),
        queue_path=str(queue_path) if queue_path else None,
    )
