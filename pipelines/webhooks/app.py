"""The receiver's ASGI app (Starlette): ``POST /happyfox/webhook`` and ``GET /health``.

A delivery is answered only after it is safe:

1. a body over ``max_body_bytes`` is refused with 413 (by ``Content-Length`` before
   reading, or as soon as the stream passes the limit), nothing stored;
2. a missing or wrong ``X-Happyfox-Webhook-Signature`` is 401, nothing stored
   (:mod:`.verify`);
3. a signed body that holds no readable ticket is kept in the dead-letter table with
   the reason and answered 400 (HappyFox would only send it again);
4. a signed ticket is committed to the durable queue (:mod:`.queue`), then 200.

The loader (:mod:`.loader`) runs in a thread beside the server, started and stopped
with the app, so a queued delivery is loaded within ``batch_seconds``.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .counters import Counters
from .loader import WebhookLoader
from .payload import UnreadablePayload, read_payload
from .queue import DeliveryQueue
from .settings import WebhookSettings
from .verify import SIGNATURE_HEADER, signature_is_valid

logger = logging.getLogger("happyfox_sync.webhooks")

WEBHOOK_PATH = "/happyfox/webhook"
HEALTH_PATH = "/health"


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def create_app(
    settings: WebhookSettings,
    queue: DeliveryQueue,
    loader: WebhookLoader | None = None,
    counters: Counters | None = None,
) -> Starlette:
    """The receiver; with a ``loader`` its thread runs for the app's lifetime."""
    counters = counters or (loader.counters if loader is not None else Counters())

    async def receive(request: Request) -> JSONResponse:
        try:
            body = await _read_body(request, settings.max_body_bytes)
        except _TooLarge:
            counters.reject("too_large")
            return JSONResponse({"error": f"body over the {settings.max_body_bytes} byte limit"}, 413)
        if not signature_is_valid(settings.secret, body, request.headers.get(SIGNATURE_HEADER)):
            counters.reject("signature")
            return JSONResponse({"error": f"missing or wrong {SIGNATURE_HEADER}"}, 401)
        try:
            payload = read_payload(body)
        except UnreadablePayload as problem:
            await run_in_threadpool(queue.dead_letter, str(problem), body)
            counters.reject("unreadable")
            counters.add(dead_lettered=1)
            return JSONResponse({"error": str(problem)}, 400)
        modified = payload.ticket.get("last_modified")
        seq = await run_in_threadpool(
            queue.put, payload.ticket_id, body, payload.event, None if modified is None else str(modified)
        )
        counters.add(received=1)
        return JSONResponse({"queued": seq, "ticket": payload.ticket_id})

    async def health(request: Request) -> JSONResponse:
        def read() -> dict[str, Any]:
            oldest = queue.oldest_received_at()
            return {
                "status": "ok" if counters.last_error is None else "degraded",
                "queue_depth": queue.depth(),
                "loading": bool(loader is not None and loader.busy),
                "dead_letters": queue.dead_letter_count(),
                "last_load_at": _iso(queue.last_load_at()),
                "lag_seconds": 0.0 if oldest is None else round(max(0.0, time.time() - oldest), 3),
                **counters.snapshot(),
            }

        return JSONResponse(await run_in_threadpool(read))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if loader is not None:
            thread = threading.Thread(target=loader.run, args=(stop,), name="happyfox-webhook-loader", daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=120)

    return Starlette(
        routes=[Route(WEBHOOK_PATH, receive, methods=["POST"]), Route(HEALTH_PATH, health, methods=["GET"])],
        lifespan=lifespan,
    )
