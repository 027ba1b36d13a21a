"""Readings of the API from HappyFox's public pages, each behind a config switch.

The two source documents show one behaviour; HappyFox's knowledge-base pages and
public clients show others (``shared/happyfox-api/README.md``, last section). Where
the truth may be either, the simulator serves each reading on request, so the sync
is proven under all of them. Every switch lives in :class:`~.config.SimulatorConfig`
and is read afresh on every request:

* ``list_updates`` (``"always"`` | ``"on_request"`` | ``"never"``): an older tickets
  page documents an ``include_updates`` (0/1) list parameter, so a list item may come
  without its ``updates`` key; ``"on_request"`` honours ``include_updates=1``
  (``true`` too), ``"never"`` ignores it. The detail always carries ``updates``.
* ``list_omits`` (any of ``custom_fields``, ``tags``, ``user``): list items without
  those keys; the detail keeps them. ``detail_omits`` (those or ``updates``) takes
  them out of the detail too: no page suggests it, but it lets the tests prove that
  a sync never erases a child table it was not sent.
* ``throttle_response``: the older reference answers throttling with HTTP 503 and
  the time to wait in the body (its shape is not shown: a JSON message, a JSON
  ``retry_after`` field, or plain text); the current one with 429.
* ``redirect_unslashed``: a GET of a known API path without its trailing slash
  answers 301 to the slashed path (before authentication, as a web framework's
  slash-appending middleware does; not rate limited).
* ``min_page_size``: ``size`` below it is raised to it (the older reference: 10).
* ``inactive_staff_listed``: whether ``staff/`` lists deactivated agents.
* ``priorities_endpoint`` (in :mod:`.read_endpoints`): ``priorities/`` or a 404.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .config import SimulatorConfig
from .errors import NotFoundError
from .model import JSON
from .web import Request, Response, ServerState, json_response

THROTTLE_MESSAGE = "Too many requests: you have been throttled. Please retry after {seconds} seconds."


def include_updates_requested(params: Mapping[str, str]) -> bool:
    """``include_updates=1`` (or ``true``) on a ``tickets/`` request."""
    return params.get("include_updates", "").strip().lower() in ("1", "true")


def list_item(item: JSON, params: Mapping[str, str], config: SimulatorConfig) -> JSON:
    """A ``tickets/`` item as the configured reading shows it (``item`` is a fresh view)."""
    drop = list(config.list_omits)
    if config.list_updates == "never" or (config.list_updates == "on_request" and not include_updates_requested(params)):
        drop.append("updates")
    for key in drop:
        item.pop(key, None)
    return item


def detail_item(item: JSON, config: SimulatorConfig) -> JSON:
    """A ``ticket/<id>/`` answer without ``config.detail_omits`` (``item`` is a fresh view)."""
    for key in config.detail_omits:
        item.pop(key, None)
    return item


def throttled(wait_seconds: float, config: SimulatorConfig) -> Response:
    """The answer to a request over the rate limit, in the configured reading."""
    seconds = max(1, math.ceil(wait_seconds))
    headers = {"Retry-After": str(seconds)} if config.retry_after_header else {}
    reading = config.throttle_response
    if reading == "429":
        return json_response({"error": "Rate limit exceeded. Try again later."}, 429, headers)
    message = THROTTLE_MESSAGE.format(seconds=seconds)
    if reading == "503_message":
        return json_response({"error": message}, 503, headers)
    if reading == "503_field":
        return json_response({"error": "Request throttled", "retry_after": seconds}, 503, headers)
    return Response(status=503, body=message.encode(), content_type="text/plain; charset=utf-8", headers=headers)


def slash_redirect(path: str, query: str, host: str | None, known: bool) -> Response | None:
    """301 to ``path + "/"`` (query kept, absolute URL on the request's host) for a known path."""
    if path.endswith("/") or not known:
        return None
    target = f"http://{host}{path}/" if host else f"{path}/"
    if query:
        target += f"?{query}"
    return Response(
        status=301,
        body=b"",
        content_type="text/html; charset=utf-8",
        headers={"Location": target},
    )


def staff_list(state: ServerState, request: Request) -> Response:
    """``staff/``: a bare array; deactivated agents only when ``inactive_staff_listed``."""
    with state.store.lock:
        staff: list[Any] = state.store.helpdesk.staff
        if not state.config.inactive_staff_listed:
            staff = [member for member in staff if member.get("active")]
        return json_response(staff)


def deactivate_staff(store: Any, staff_id: int) -> JSON:
    """Deactivate an agent as an admin would (``active`` false; past updates keep ``by.id``).

    The record is shared with every ticket it is assigned to, so they show it too.
    """
    with store.lock:
        member = next((s for s in store.helpdesk.staff if s["id"] == staff_id), None)
        if member is None:
            raise NotFoundError("Staff")
        member["active"] = False
        store.version += 1
        return member
