"""Exceptions raised by the HappyFox client.

Every error a sync can meet is one of these, so the pipeline can tell "fix your
config" (``ConfigurationError``, ``AuthenticationError``) from "try again later"
(``RateLimitLockoutError``, ``ConnectionFailedError``) from "the API misbehaved"
(``HappyFoxAPIError``) without parsing messages.

Messages name the account URL and the endpoint, never the API key or auth code:
the client never passes them to an exception, and no exception keeps a reference
to the request headers or the auth object.
"""

from __future__ import annotations

from datetime import datetime


class HappyFoxError(Exception):
    """Base class of everything the HappyFox client raises."""


class ConfigurationError(HappyFoxError, ValueError):
    """The source is configured in a way that cannot work (missing account, http URL, ...).

    A ``ValueError`` too, so generic config validation code catches it.
    """


class HappyFoxAPIError(HappyFoxError):
    """The API answered with an error we do not retry, or kept failing after every retry.

    ``status_code`` is the last HTTP status seen (``None`` when the last attempt got no
    response at all, e.g. a timeout), ``endpoint`` the endpoint template (``"ticket/<id>/"``).
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status_code = status_code


class AuthenticationError(HappyFoxAPIError):
    """HappyFox rejected the API key / auth code pair (HTTP 401 or 403).

    Not retried: a wrong pair stays wrong, and hammering the API with it only burns
    the account's shared GET budget.
    """

    def __init__(self, message: str, *, account_url: str, endpoint: str, status_code: int) -> None:
        super().__init__(message, endpoint=endpoint, status_code=status_code)
        self.account_url = account_url


class NotFoundError(HappyFoxAPIError):
    """HTTP 404: the record (or the endpoint, e.g. the optional ``priorities/``) does not exist.

    Carries the concrete ``path`` so callers can decide whether a 404 is fatal (a
    reference list) or expected (a ticket deleted between listing and detail).
    """

    def __init__(self, message: str, *, path: str, endpoint: str) -> None:
        super().__init__(message, endpoint=endpoint, status_code=404)
        self.path = path


class RateLimitLockoutError(HappyFoxError):
    """The account is locked out by the HappyFox rate limit (HTTP 429) and the client
    was told not to wait (``wait_on_lockout=False``).

    ``lifts_at`` is the UTC wall-clock instant the client expects the lockout to end,
    ``wait_seconds`` the seconds from the moment the error was raised.
    """

    def __init__(self, message: str, *, lifts_at: datetime, wait_seconds: float, endpoint: str) -> None:
        super().__init__(message)
        self.lifts_at = lifts_at
        self.wait_seconds = wait_seconds
        self.endpoint = endpoint


class ConnectionFailedError(HappyFoxError):
    """The HappyFox host could not be reached (connect error / connect timeout) after every retry."""

    def __init__(self, message: str, *, host: str, endpoint: str) -> None:
        super().__init__(message)
        self.host = host
        self.endpoint = endpoint
