"""Recognise HappyFox's older throttling answer: HTTP 503 with the time to wait in the body.

The current API reference answers going over the rate limit with 429 and a 10-minute
lockout; the older technical reference describes throttling as a 503 whose body says
how long to wait, without showing the body. A throttle must be waited out (resending
at once only prolongs it), while any other 503 is a transient failure worth a quick
retry. So a 503 counts as a throttle only when its body says how long to wait, in any
of the shapes a body could take:

* JSON with a numeric wait field (``retry_after``, ``wait``, ``seconds``, ... at the top
  level or inside ``error``);
* JSON whose message says it (``{"error": "... retry after 37 seconds."}``);
* plain text that says it (``Too many requests. Retry after 37 seconds.``).

A message must mention throttling or waiting (``throttl``, ``rate limit``, ``too many``,
``retry``, ``try again``, ``wait``) and give a number with a unit of seconds or
minutes, so a proxy's ``503 Service Unavailable`` page never reads as one.
"""

from __future__ import annotations

import math
import re
from typing import Any

import orjson

WAIT_FIELDS = ("retry_after", "retry_after_seconds", "retry_in", "wait", "wait_seconds", "seconds")
"""JSON fields read as seconds to wait, in this order."""

MAX_THROTTLE_WAIT_SECONDS = 3600.0
"""A wait read from a body is capped here, so a misread number cannot hold a run for days."""

_BODY_LIMIT = 4000
_MENTIONS_THROTTLE = re.compile(r"throttl|rate[\s_-]*limit|too many|retry|try again|wait", re.IGNORECASE)
_WAIT_IN_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s\b|minutes?|mins?)", re.IGNORECASE)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def wait_in_text(text: str) -> float | None:
    """Seconds to wait that a throttling message states, or ``None``."""
    if not _MENTIONS_THROTTLE.search(text):
        return None
    match = _WAIT_IN_TEXT.search(text)
    if match is None:
        return None
    seconds = float(match.group(1))
    return seconds * 60.0 if match.group(2).lower().startswith("m") else seconds


def _wait_in_json(body: Any) -> float | None:
    objects = [body] if isinstance(body, dict) else []
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        objects.append(body["error"])
    for record in objects:
        for name in WAIT_FIELDS:
            seconds = _number(record.get(name))
            if seconds is not None:
                return seconds
    messages: list[str] = []
    for record in objects:
        messages.extend(value for value in record.values() if isinstance(value, str))
        error = record.get("error")
        if isinstance(error, list):
            messages.extend(str(item) for item in error)
    if isinstance(body, str):
        messages.append(body)
    for message in messages:
        seconds = wait_in_text(message)
        if seconds is not None:
            return seconds
    return None


def throttle_wait_seconds(body: bytes) -> float | None:
    """Seconds a 503's body asks to wait (capped), or ``None`` when it is no throttle."""
    head = body[:_BODY_LIMIT]
    try:
        seconds = _wait_in_json(orjson.loads(body))
    except orjson.JSONDecodeError:
        seconds = wait_in_text(head.decode("utf-8", errors="replace"))
    if seconds is None:
        return None
    return min(seconds, MAX_THROTTLE_WAIT_SECONDS)
