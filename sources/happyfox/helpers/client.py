"""A read-only, rate-limited HTTP client for the HappyFox API v1.1.

What shapes it:

* **Read-only by construction.** A sync never needs to write, and a key carries
  the full power of its staff member, so the only request method is :meth:`get`
  (and :meth:`get_many`). The ``httpx.Client`` underneath is private.
* **The GET budget is account-wide and unforgiving.** 500 GETs per minute shared
  with every other integration, and going over means 10 minutes of 429s. Every GET
  (retries included, from every thread) passes one :class:`GetPacer`, which spaces
  request starts evenly; a 429 pauses all threads, then the same request is sent
  again, so nothing is lost.
* **Real services fail transiently.** 5xx, timeouts, resets, protocol and proxy
  errors, undecodable and unreadable JSON bodies (any ``httpx.RequestError``) are
  retried with exponential backoff and jitter; 4xx are not (they will not get
  better, and they cost budget), nor a request httpx refuses to send.
* **Secrets stay secret.** The key and auth code live only inside the
  ``httpx.BasicAuth`` of the private client; no message, repr or log line is built
  from headers or the auth object.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailedError,
    HappyFoxAPIError,
    NotFoundError,
    RateLimitLockoutError,
)
from .pacing import GetPacer, PacerPaused
from .stats import RequestStats
from .urls import account_root, endpoint_template, is_loopback_host, normalize_path, resolve_base_url

logger = logging.getLogger("happyfox_sync.client")

Params = Mapping[str, Any] | None

DOCUMENTED_GET_LIMIT = 500
"""HappyFox's documented account-wide cap on GETs per minute."""

DEFAULT_MAX_LOCKOUT_WAITS = 3
"""Lockouts a run waits out before it stops (exit 5): 30 minutes at HappyFox's 10 each."""

CLOCK_SAMPLES = 51
"""``Date`` headers kept for the server clock estimate (the most recent ones)."""

LOCKOUT_MARGIN_SECONDS = 1.0
"""Added to every lockout pause, so the retried request does not land on the
lockout's last instant (the server's and our clocks start it a few ms apart)."""

_ERROR_TEXT_LIMIT = 500


def default_max_concurrency(max_gets_per_minute: float) -> int:
    """Worker threads needed so that 1 s response latencies still fill the budget.

    By Little's law, requests in flight = rate x latency. At ``max_gets_per_minute / 60``
    requests per second and 1 s latency that is ``rate`` requests; x1.5 absorbs
    latency variance (slow pages of 50 tickets), and +1 keeps a thread free while
    another is between responses: ``ceil(max_gets_per_minute / 60 * 1.5) + 1``
    (11 for the default budget of 400). More threads cannot exceed the budget, the
    pacer does that; they only cost memory.
    """
    return math.ceil(max_gets_per_minute / 60.0 * 1.5) + 1


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or ``None`` if absent or unusable.

    Accepts delay-seconds (the usual form) and, for completeness, an HTTP-date.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


class _Backoff:
    """Exponential backoff with jitter, as a tenacity ``wait``.

    Before retry ``n`` (1-based) the cap is ``min(maximum, base * 2 ** (n - 1))`` and the
    wait is drawn uniformly from ``[cap / 2, cap]``: exponential so a struggling
    service gets air, jittered so the worker threads that failed together do not
    come back together, and never below half the cap so a retry is never immediate.
    """

    def __init__(self, base: float, maximum: float) -> None:
        self.base = base
        self.maximum = maximum

    def __call__(self, state: RetryCallState) -> float:
        cap = min(self.maximum, self.base * 2.0 ** min(state.attempt_number - 1, 60))
        return random.uniform(cap / 2.0, cap)


class _TransientFailure(Exception):
    """Internal: one attempt failed in a way worth retrying. Never leaves the client."""

    def __init__(
        self,
        reason: str,
        description: str,
        *,
        status_code: int | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description
        self.status_code = status_code
        self.unreachable = unreachable


class HappyFoxClient:
    """GET-only client for one HappyFox account, safe to share between threads.

    ``base_url`` is the account's root URL (``https://acme.happyfox.com``) or its API
    root (``.../api/1.1/json/``); use :func:`resolve_base_url` to build it from an
    account name and region. ``api_key`` / ``auth_code`` are the Basic auth pair.

    ``max_gets_per_minute`` is this client's share of the account's 500/min GET cap
    (default 400 leaves room for other integrations). ``max_concurrency`` bounds the
    worker threads of :meth:`get_many` (default: :func:`default_max_concurrency`).
    ``max_retries`` retries follow a first failed attempt, with exponential backoff
    from ``retry_backoff_seconds`` up to ``retry_backoff_max_seconds`` plus jitter.
    A 429 pauses all requests for the ``Retry-After`` header's seconds if sent, else
    ``rate_limit_lockout_seconds`` (+ :data:`LOCKOUT_MARGIN_SECONDS`), then resends;
    with ``wait_on_lockout=False`` it raises :class:`RateLimitLockoutError` instead,
    and so does the lockout after ``max_lockout_waits`` waited-out ones.
    ``transport`` is handed to httpx (tests, proxies).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        auth_code: str,
        *,
        max_gets_per_minute: int = 400,
        max_concurrency: int | None = None,
        timeout_seconds: float = 30.0,
        max_retries: int = 8,
        wait_on_lockout: bool = True,
        rate_limit_lockout_seconds: float = 600.0,
        max_lockout_waits: int = DEFAULT_MAX_LOCKOUT_WAITS,
        retry_backoff_seconds: float = 0.5,
        retry_backoff_max_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_url = resolve_base_url(None, base_url=base_url)
        """The API root, ending in ``/api/1.1/json/``."""
        self.account_url = account_root(self.api_url)
        """The account's root URL, used in messages."""
        self.host = urlsplit(self.api_url).hostname or ""
        if not api_key or not str(api_key).strip():
            raise ConfigurationError("The HappyFox API key is empty: set the source's api_key secret.")
        if not auth_code or not str(auth_code).strip():
            raise ConfigurationError("The HappyFox auth code is empty: set the source's auth_code secret.")
        if max_gets_per_minute <= 0:
            raise ConfigurationError(f"max_gets_per_minute must be positive, got {max_gets_per_minute!r}")
        if max_gets_per_minute > DOCUMENTED_GET_LIMIT and not is_loopback_host(self.host):
            # A local simulator or proxy may allow more; a HappyFox host never does.
            logger.warning(
                "max_gets_per_minute=%s is above HappyFox's documented cap of %s GETs/minute; "
                "expect 429 lockouts.",
                max_gets_per_minute,
                DOCUMENTED_GET_LIMIT,
            )
        if max_concurrency is not None and max_concurrency < 1:
            raise ConfigurationError(f"max_concurrency must be at least 1, got {max_concurrency!r}")
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {max_retries!r}")
        if max_lockout_waits < 0:
            raise ConfigurationError(f"max_lockout_waits must be >= 0, got {max_lockout_waits!r}")

        self.max_gets_per_minute = max_gets_per_minute
        self.max_concurrency = max_concurrency or default_max_concurrency(max_gets_per_minute)
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.wait_on_lockout = wait_on_lockout
        self.rate_limit_lockout_seconds = rate_limit_lockout_seconds
        self.max_lockout_waits = max_lockout_waits
        self._lockouts = 0
        self._lockouts_lock = threading.Lock()
        self._backoff = _Backoff(retry_backoff_seconds, retry_backoff_max_seconds)
        self.stats = RequestStats()
        self._clock_offsets: deque[float] = deque(maxlen=CLOCK_SAMPLES)
        self._clock_lock = threading.Lock()
        self._pacer = GetPacer(max_gets_per_minute)
        self._http = httpx.Client(
            base_url=self.api_url,
            auth=httpx.BasicAuth(api_key, auth_code),
            timeout=httpx.Timeout(timeout_seconds),
            limits=httpx.Limits(
                max_connections=self.max_concurrency + 1,
                max_keepalive_connections=self.max_concurrency + 1,
            ),
            headers={"Accept": "application/json", "User-Agent": "happyfox-sync"},
            # A redirect is never expected from the API; following one could carry the
            # request (and, same-origin, the credentials) somewhere unintended.
            follow_redirects=False,
            transport=transport,
        )

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool. The client cannot be used afterwards."""
        self._http.close()

    def __enter__(self) -> HappyFoxClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"HappyFoxClient({self.account_url!r}, max_gets_per_minute={self.max_gets_per_minute}, "
            f"max_concurrency={self.max_concurrency})"
        )

    # -- public API --------------------------------------------------------------

    def get(self, path: str, params: Params = None) -> Any:
        """GET ``path`` (relative to the API root, e.g. ``"tickets/"``) and return the parsed JSON.

        Paced, retried and lockout-aware; raises a :class:`HappyFoxError` subclass.
        """
        return self._get(path, params, None)

    def get_many(
        self,
        requests: Iterable[tuple[str, Params]],
        *,
        skip_not_found: bool = False,
    ) -> Iterator[Any]:
        """Run many GETs concurrently and yield their parsed JSON in input order.

        ``requests`` yields ``(path, params)`` pairs and is consumed lazily: at most
        ``2 x max_concurrency`` requests are submitted ahead of the consumer, so a
        100k-request generator stays bounded in memory. The first error (in time)
        stops new requests, cancels waiting ones and is re-raised once the consumer
        reaches a request that did not complete. With ``skip_not_found`` a 404
        yields ``None`` in that request's place instead (a ticket deleted between
        listing and detail). All worker threads have finished when the generator
        ends, raises or is closed.
        """
        cancel = threading.Event()
        errors: list[BaseException] = []
        errors_lock = threading.Lock()

        def work(path: str, params: Params) -> Any:
            try:
                return self._get(path, params, cancel)
            except NotFoundError:
                if skip_not_found:
                    return None
                raise
            except BaseException as exc:
                if not cancel.is_set():
                    with errors_lock:
                        errors.append(exc)
                    cancel.set()
                raise

        pending: deque[Future[Any]] = deque()
        ahead = 2 * self.max_concurrency
        source = iter(requests)
        exhausted = False
        executor = ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="happyfox-get")
        try:
            while True:
                while not exhausted and not cancel.is_set() and len(pending) < ahead:
                    try:
                        path, params = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.append(executor.submit(work, path, params))
                if not pending:
                    return
                future = pending.popleft()
                try:
                    result = future.result()
                except BaseException as exc:  # re-raised below, outside this handler
                    failed: BaseException | None = exc
                else:
                    failed = None
                if failed is not None:
                    # Raise the error that stopped the batch, not the cancellation it
                    # caused in an earlier request, and without chaining one onto the other.
                    with errors_lock:
                        first = errors[0] if errors else failed
                    raise first
                yield result
        finally:
            cancel.set()
            for future in pending:
                future.cancel()
            executor.shutdown(wait=True, cancel_futures=True)

    # -- internals ---------------------------------------------------------------

    def _get(self, path: str, params: Params, cancel: threading.Event | None) -> Any:
        path = normalize_path(path)
        endpoint = endpoint_template(path)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._backoff,
            retry=retry_if_exception_type(_TransientFailure),
            before_sleep=lambda state: self._before_retry(state, endpoint),
            sleep=cancel.wait if cancel is not None else time.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._send(path, endpoint, params, cancel)
        except _TransientFailure as failure:
            raise self._give_up(failure, path, endpoint) from failure.__cause__
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, path: str, endpoint: str, params: Params, cancel: threading.Event | None) -> Any:
        """One attempt: wait for a slot, send, and resend after each 429 (not an attempt)."""
        while True:
            try:
                self._pacer.acquire(cancel, wait_for_pause=self.wait_on_lockout)
            except PacerPaused as paused:
                raise self._lockout_error(endpoint, paused.remaining_seconds) from None
            self.stats.record_get(endpoint)
            started = time.monotonic()
            try:
                response = self._http.get(path, params=params)
            except httpx.RequestError as exc:  # every transport, proxy and decoding error httpx has
                logger.debug("GET %s -> %s after %.3fs", endpoint, type(exc).__name__, time.monotonic() - started)
                raise self._transport_failure(exc, path, endpoint) from exc
            logger.debug(
                "GET %s -> %d in %.3fs", endpoint, response.status_code, time.monotonic() - started
            )
            self._note_server_clock(response)
            if response.status_code == 429:
                self._on_rate_limited(response, endpoint)
                continue
            return self._parse(response, path, endpoint)

    def _transport_failure(self, exc: httpx.RequestError, path: str, endpoint: str) -> Exception:
        """Name a failed exchange for the retry log; connect and proxy failures mean the host is unreachable.

        A request httpx refuses to send (``LocalProtocolError``, ``UnsupportedProtocol``)
        would be refused again: it fails at once with one line. Every other
        ``httpx.RequestError`` is retried.
        """
        if isinstance(exc, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
            return HappyFoxAPIError(
                f"GET {path} on {self.account_url} could not be sent: {type(exc).__name__}: {_one_line(exc)}.",
                endpoint=endpoint,
            )
        if isinstance(exc, httpx.ProxyError):
            return _TransientFailure("proxy", f"ProxyError: {_one_line(exc)}", unreachable=True)
        if isinstance(exc, httpx.DecodingError):
            return _TransientFailure("decoding", f"undecodable body (DecodingError: {_one_line(exc)})")
        if isinstance(exc, httpx.TimeoutException):
            return _TransientFailure(
                "timeout",
                f"timed out after {self.timeout_seconds:g}s ({type(exc).__name__})",
                unreachable=isinstance(exc, httpx.ConnectTimeout),
            )
        if isinstance(exc, httpx.NetworkError):
            return _TransientFailure(
                "connection", f"{type(exc).__name__}: {exc}", unreachable=isinstance(exc, httpx.ConnectError)
            )
        if isinstance(exc, httpx.RemoteProtocolError):
            return _TransientFailure("protocol", f"RemoteProtocolError: {exc}")
        return _TransientFailure("transport", f"{type(exc).__name__}: {_one_line(exc)}")

    def _note_server_clock(self, response: httpx.Response) -> None:
        """Remember how far HappyFox's clock is from ours, from the ``Date`` header.

        ``Date`` is whole seconds, floored, and stamped before the response travelled,
        so an honest ``Date - our receipt time`` never overstates the server's clock.
        A header need not be honest (a CDN in front of the API stamps its own, from a
        clock that may run ahead), so the last :data:`CLOCK_SAMPLES` offsets are kept
        and :meth:`server_clock_offset` gives their lower median, which one fast
        header cannot move.
        """
        header = response.headers.get("Date")
        if not header:
            return
        try:
            server = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            server = server.replace(tzinfo=timezone.utc)
        offset = (server - datetime.now(timezone.utc)).total_seconds()
        with self._clock_lock:
            self._clock_offsets.append(offset)

    def server_clock_offset(self) -> float | None:
        """Seconds to add to our UTC clock to get HappyFox's, by the ``Date`` headers; None before any.

        The lower median of the recent samples: robust to a minority of fast headers.
        It is not proof on its own (every header may come from a fast clock); the
        ticket sync also caps it by what the records show (``ticket_sync``).
        """
        with self._clock_lock:
            samples = sorted(self._clock_offsets)
        if not samples:
            return None
        return samples[(len(samples) - 1) // 2]

    def _on_rate_limited(self, response: httpx.Response, endpoint: str) -> None:
        """Pause every thread for the lockout; raise instead when not waiting."""
        self.stats.record_rate_limited()
        self._count_lockout(endpoint)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        wait = (retry_after if retry_after is not None else self.rate_limit_lockout_seconds)
        wait += LOCKOUT_MARGIN_SECONDS
        until = self._pacer.pause(wait)
        self.stats.set_lockout_wait(self._pacer.paused_seconds)
        remaining = max(0.0, until - time.monotonic())
        if not self.wait_on_lockout:
            raise self._lockout_error(endpoint, remaining)
        logger.warning(
            "HappyFox rate limit hit (HTTP 429 on GET %s, Retry-After %s): account %s is locked out; "
            "holding all requests for %.0fs, until about %s UTC, then resending.",
            endpoint,
            "absent" if retry_after is None else f"{retry_after:g}s",
            self.account_url,
            remaining,
            _utc_after(remaining).strftime("%H:%M:%S"),
        )

    def _count_lockout(self, endpoint: str) -> None:
        """Count a 429 that starts a new lockout; past ``max_lockout_waits`` stop the run.

        A proxy or an account that answers 429 forever would otherwise keep the run
        waiting, lockout after lockout, while it holds the run lock and every later
        scheduled run refuses to start. 429s of requests already in flight when a
        lockout began belong to that lockout and are not counted again.
        """
        with self._lockouts_lock:
            if self._pacer.paused_remaining() > 0:
                return
            self._lockouts += 1
            if self._lockouts <= self.max_lockout_waits or not self.wait_on_lockout:
                return
        raise RateLimitLockoutError(
            f"HappyFox account {self.account_url} still answered HTTP 429 on GET {endpoint} after "
            f"{self.max_lockout_waits} lockouts were waited out (max_lockout_waits = {self.max_lockout_waits}); "
            "stopping so that later runs can start; check for another integration using the budget "
            "or a proxy that answers 429.",
            lifts_at=_utc_after(self.rate_limit_lockout_seconds),
            wait_seconds=self.rate_limit_lockout_seconds,
            endpoint=endpoint,
        )

    def _lockout_error(self, endpoint: str, remaining: float) -> RateLimitLockoutError:
        lifts_at = _utc_after(remaining)
        return RateLimitLockoutError(
            f"HappyFox account {self.account_url} is locked out by the HappyFox rate limit "
            f"(HTTP 429 on GET {endpoint}); the lockout lifts at about "
            f"{lifts_at.strftime('%Y-%m-%d %H:%M:%S')} UTC (in {remaining:.0f}s).",
            lifts_at=lifts_at,
            wait_seconds=remaining,
            endpoint=endpoint,
        )

    def _parse(self, response: httpx.Response, path: str, endpoint: str) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError as exc:
                raise _TransientFailure(
                    "invalid_json", f"unreadable JSON body ({len(response.content)} bytes: {exc})"
                ) from None
        if status in (401, 403):
            raise AuthenticationError(
                f"HappyFox at {self.account_url} rejected the API key / auth code pair "
                f"(HTTP {status} on GET {endpoint}): check the source's api_key and auth_code "
                "and that the key is active.",
                account_url=self.account_url,
                endpoint=endpoint,
                status_code=status,
            )
        if status == 404:
            raise NotFoundError(
                f"HappyFox at {self.account_url} has no {path} (HTTP 404 on GET {endpoint}).",
                path=path,
                endpoint=endpoint,
            )
        if status >= 500:
            raise _TransientFailure(
                f"http_{status}", f"HTTP {status} {response.reason_phrase}".rstrip(), status_code=status
            )
        if 300 <= status < 400:
            detail = f"unexpected redirect to {response.headers.get('Location', '?')}"
        else:
            detail = _error_text(response)
        raise HappyFoxAPIError(
            f"GET {path} on {self.account_url} failed with HTTP {status}: {detail}",
            endpoint=endpoint,
            status_code=status,
        )

    def _before_retry(self, state: RetryCallState, endpoint: str) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        reason = failure.reason if isinstance(failure, _TransientFailure) else "unknown"
        self.stats.record_retry(reason)
        logger.warning(
            "GET %s on %s failed (%s); retry %d/%d in %.1fs.",
            endpoint,
            self.account_url,
            failure,
            state.attempt_number,
            self.max_retries,
            state.next_action.sleep if state.next_action is not None else 0.0,
        )

    def _give_up(self, failure: _TransientFailure, path: str, endpoint: str) -> Exception:
        attempts = self.max_retries + 1
        if failure.unreachable:
            return ConnectionFailedError(
                f"Could not connect to the HappyFox host {self.host} (GET {endpoint}) after "
                f"{attempts} attempts: {failure.description}.",
                host=self.host,
                endpoint=endpoint,
            )
        return HappyFoxAPIError(
            f"GET {path} on {self.account_url} failed after {attempts} attempts; last error: "
            f"{failure.description}.",
            endpoint=endpoint,
            status_code=failure.status_code,
        )


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _utc_after(seconds: float) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)


def _error_text(response: httpx.Response) -> str:
    """The human part of a HappyFox error body (``{"error": ...}``), else the raw text, shortened."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, list):
        parts = []
        for item in error:
            if isinstance(item, dict) and "field" in item:
                messages = item.get("errors")
                text = "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
                parts.append(f"{item['field']}: {text}")
            else:
                parts.append(str(item))
        text = "; ".join(parts)
    elif isinstance(error, dict):
        text = "; ".join(f"{key}: {value}" for key, value in error.items())
    elif error is not None:
        text = str(error)
    else:
        text = response.text.strip() or response.reason_phrase
    return text if len(text) <= _ERROR_TEXT_LIMIT else text[:_ERROR_TEXT_LIMIT] + "..."
