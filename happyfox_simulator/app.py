"""The request pipeline, in HappyFox's order: count, authenticate, rate-limit, fault, serve.

1. Every request is counted in :class:`~happyfox_simulator.stats.Stats` on arrival.
2. HTTP Basic auth (username = API key, password = auth code) on every API path;
   otherwise 401 with a JSON error and ``WWW-Authenticate``.
3. GET and POST each pass their own sliding-window limiter; over the cap -> 429
   (with ``Retry-After`` only when configured).
4. Admitted GETs may draw an injected fault (see :mod:`.faults`).
5. The endpoint runs; :class:`~happyfox_simulator.errors.ApiError` becomes its
   status and JSON body, anything else a 500 (and a logged traceback).

The result is an :class:`Outcome` telling the socket layer what to send and how
long to wait first (latency, stall), or to reset the connection.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from . import faults
from .errors import ApiError, NotFoundError, keyed_error
from .ratelimit import RateLimiter
from .routes import resolve
from .web import JSON_TYPE, Request, Response, ServerState, json_response

log = logging.getLogger(__name__)

ATTACHMENT_PREFIX = "/attachments/"
LIMITED_METHODS = ("GET", "POST")


@dataclass
class Outcome:
    """What the socket layer does: wait ``delay`` seconds, then send ``response`` or reset."""

    response: Response | None
    delay: float = 0.0


class Application:
    """Turns one raw request into an :class:`Outcome` (no socket code here)."""

    def __init__(self, state: ServerState, limiter: RateLimiter, injector: faults.FaultInjector) -> None:
        self.state = state
        self.limiter = limiter
        self.injector = injector

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Outcome:
        """Run the pipeline for ``method`` on ``target`` (path + query string)."""
        config = self.state.config
        split = urlsplit(target)
        path = unquote(split.path)
        if path.startswith(ATTACHMENT_PREFIX):
            self.state.stats.attachment_download(method)
            return Outcome(self._attachment(path, split.query), config.latency_seconds)
        resolved = resolve(method, path)
        self.state.stats.request(method, resolved.template)
        fault: str | None = None
        if not self._authorized(headers.get("Authorization")):
            response = json_response(
                {"error": "Authentication failed: invalid API key or auth code."},
                401,
                {"WWW-Authenticate": 'Basic realm="HappyFox API"'},
            )
        elif method in LIMITED_METHODS and (wait := self._over_limit(method)) is not None:
            headers_out = {"Retry-After": str(max(1, math.ceil(wait)))} if config.retry_after_header else {}
            response = json_response({"error": "Rate limit exceeded. Try again later."}, 429, headers_out)
        else:
            fault = self.injector.draw(config) if method == "GET" else None
            if fault is not None:
                self.state.stats.fault(fault)
            if fault == "reset":
                return Outcome(None, config.latency_seconds)
            if fault in faults.HTML_ERRORS:
                status, html = faults.html_error(fault)
                response = Response(status=status, body=html, content_type="text/html; charset=utf-8")
            else:
                response = self._serve(method, resolved, split.query, headers, body)
        delay = config.latency_seconds
        if fault == "truncated" and response.status == 200:
            response.body = faults.truncate(response.body)
        if fault == "bad_encoding" and response.status == 200:
            response.headers["Content-Encoding"] = "gzip"  # the body stays plain JSON
        if fault == "stall":
            delay += config.stall_seconds
        return Outcome(response, delay)

    # -- steps ----------------------------------------------------------------------------

    def _authorized(self, header: str | None) -> bool:
        config = self.state.config
        if not header or not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        username, _, password = decoded.partition(":")
        return hmac.compare_digest(username, config.api_key) & hmac.compare_digest(password, config.auth_code)

    def _over_limit(self, method: str) -> float | None:
        config = self.state.config
        limit = config.get_limit if method == "GET" else config.post_limit
        return self.limiter.admit(method, limit, config.window_seconds, config.lockout_seconds)

    def _serve(self, method: str, resolved: Any, query: str, headers: Mapping[str, str], body: bytes) -> Response:
        try:
            if resolved.endpoint is None:
                if resolved.path_known:
                    return json_response({"error": f"Method {method} not allowed."}, 405)
                raise NotFoundError("Page")
            params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
            decoded = _decode_body(body, headers.get("Content-Type", "")) if method == "POST" else None
            return resolved.endpoint(self.state, Request(method, resolved.args, params, decoded))
        except ApiError as error:
            return json_response(error.body, error.status, error.headers)
        except Exception:
            log.exception("simulator endpoint failed: %s %s", method, resolved.template)
            return json_response({"error": "Internal server error"}, 500)

    def _attachment(self, path: str, query: str) -> Response:
        """Serve a signed attachment URL: 403 once expired or tampered, like S3."""
        parts = path[len(ATTACHMENT_PREFIX) :].split("/", 1)
        params = {key: values[0] for key, values in parse_qs(query).items()}
        problem = self.state.signer.check(
            parts[0], params.get("Expires", ""), params.get("n", ""), params.get("Signature", ""), self.state.now()
        )
        if problem is not None:
            xml = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>{problem}</Message></Error>"
            return Response(status=403, body=xml.encode(), content_type="application/xml")
        return Response(body=f"simulated attachment {parts[0]}\n".encode(), content_type="application/octet-stream")


def _decode_body(body: bytes, content_type: str) -> Any:
    """JSON or form-encoded body (forms: one value per key unless a key repeats)."""
    if not body.strip():
        return None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        return {key: values[0] if len(values) == 1 else values for key, values in form.items()}
    if kind.startswith("multipart/"):
        raise keyed_error("attachments", "multipart/form-data is not supported by the simulator; send JSON or a form.")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise keyed_error("body", "Request body is not valid JSON.") from None


__all__ = ["Application", "JSON_TYPE", "Outcome"]
