"""Which redirects the client follows: the same host, over https, a few hops at most.

HappyFox answers a path without its trailing slash with 301 to the slashed path (the
client always sends the slash, see :func:`.urls.normalize_path`, so it should never
see one). A redirect could also come from a proxy or a moved account; following it
blindly would send the Basic auth credentials wherever the ``Location`` points. So a
redirect is followed only when its target has the API root's scheme, host and port
and that scheme is https (plain http only where the API root itself is a loopback
http URL: the simulator, a local proxy). Anything else stops the GET with an error
that names the other host, and nothing is sent there.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import httpx

from .errors import HappyFoxAPIError
from .urls import is_loopback_host

MAX_REDIRECTS = 3
"""Hops followed for one GET before it fails (a loop or a chain is not the API)."""

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def redirect_target(response: httpx.Response, api_url: str, *, account_url: str, endpoint: str) -> str:
    """The absolute URL a redirect points to, or :class:`HappyFoxAPIError` if it may not be followed."""
    location = response.headers.get("Location", "").strip()
    status = response.status_code
    if not location:
        raise HappyFoxAPIError(
            f"GET {endpoint} on {account_url} answered HTTP {status} without a Location header.",
            endpoint=endpoint,
            status_code=status,
        )
    target = urljoin(str(response.request.url), location)
    parts = urlsplit(target)
    scheme, host, port = _origin(target)
    api_scheme, api_host, api_port = _origin(api_url)
    secure = scheme == "https" or (scheme == api_scheme == "http" and is_loopback_host(api_host))
    if parts.username is not None or parts.password is not None or (scheme, host, port) != (api_scheme, api_host, api_port) or not secure:
        shown = f"{scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")
        raise HappyFoxAPIError(
            f"GET {endpoint} on {account_url} was redirected (HTTP {status}) to {shown}, which is not "
            f"the account's own host over https: not followed, so the credentials are not sent there.",
            endpoint=endpoint,
            status_code=status,
        )
    return target


def too_many_redirects(account_url: str, endpoint: str, status: int) -> HappyFoxAPIError:
    """The error for a GET redirected more than :data:`MAX_REDIRECTS` times."""
    return HappyFoxAPIError(
        f"GET {endpoint} on {account_url} was redirected more than {MAX_REDIRECTS} times; stopping.",
        endpoint=endpoint,
        status_code=status,
    )
