"""Where the API lives, and how to name an endpoint in stats and logs.

HappyFox addresses each account under its own host (``<account>.happyfox.com`` in
the US, ``<account>.happyfox.net`` in the EU, or a custom domain), with the API
under ``/api/1.1/json/``. Credentials travel in a Basic auth header, so a plain
``http://`` URL would send them in clear text: it is refused unless the host is the
local machine (the simulator, a local proxy).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError

API_PATH = "/api/1.1/json/"

REGION_DOMAINS = {"us": "happyfox.com", "eu": "happyfox.net"}

_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")

_MISSING_ACCOUNT = (
    "No HappyFox account configured: set `sources.happyfox.account` (env var "
    "SOURCES__HAPPYFOX__ACCOUNT) to the account's subdomain, e.g. 'acme' for "
    "https://acme.happyfox.com, or `sources.happyfox.base_url` (env var "
    "SOURCES__HAPPYFOX__BASE_URL) to the account's root URL for a custom domain."
)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and any loopback IP (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _redacted(url: str) -> str:
    """The URL without any ``user:password@`` part, safe to put in an error message."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))


def _normalize_base_url(base_url: str) -> str:
    """Validate an explicit URL and return the API root (ending in ``/api/1.1/json/``)."""
    raw = base_url.strip()
    parts = urlsplit(raw)
    shown = _redacted(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"sources.happyfox.base_url {shown!r} is not an absolute https:// URL "
            "(expected e.g. 'https://support.example.com')."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            f"sources.happyfox.base_url {shown!r} contains credentials; put the API key and "
            "auth code in the source's secrets instead of the URL."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"sources.happyfox.base_url {shown!r} must not have a query string or fragment."
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"sources.happyfox.base_url {shown!r} uses plain http://, which would send the "
            "API key and auth code unencrypted; use https:// (http is only accepted for "
            "localhost / 127.0.0.0/8 / ::1)."
        )
    path = parts.path.rstrip("/")
    if not path.endswith(API_PATH.rstrip("/")):
        path = path + API_PATH.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def resolve_base_url(account: str | None, region: str = "us", base_url: str | None = None) -> str:
    """Return the API root URL (``.../api/1.1/json/``) of a HappyFox account.

    An explicit ``base_url`` wins (custom domain, or the simulator) and is the
    account's root URL; one already ending in ``/api/1.1/json`` is accepted as is.
    Otherwise ``account`` + ``region`` (``us`` -> ``happyfox.com``, ``eu`` ->
    ``happyfox.net``) give the standard host. Raises :class:`ConfigurationError`
    naming the config keys when neither is set or a value cannot be right.
    """
    if base_url is not None and base_url.strip():
        return _normalize_base_url(base_url)
    if account is None or not account.strip():
        raise ConfigurationError(_MISSING_ACCOUNT)
    account = account.strip()
    if not _ACCOUNT_RE.match(account):
        raise ConfigurationError(
            f"sources.happyfox.account {account!r} is not a bare subdomain: give only the "
            "first label (e.g. 'acme' for https://acme.happyfox.com), or set "
            "sources.happyfox.base_url (SOURCES__HAPPYFOX__BASE_URL) for a custom domain."
        )
    key = (region or "us").strip().lower()
    if key not in REGION_DOMAINS:
        raise ConfigurationError(
            f"sources.happyfox.region {region!r} is not one of {sorted(REGION_DOMAINS)}; "
            "for any other host set sources.happyfox.base_url."
        )
    return f"https://{account.lower()}.{REGION_DOMAINS[key]}{API_PATH}"


def account_root(api_url: str) -> str:
    """The account's root URL (what a person types in a browser) from the API root."""
    return api_url[: -len(API_PATH)] if api_url.endswith(API_PATH) else api_url.rstrip("/")


def normalize_path(path: str) -> str:
    """Turn ``"/ticket/12"`` or ``"/api/1.1/json/ticket/12/"`` into ``"ticket/12/"``.

    Paths are relative to the API root; every HappyFox endpoint ends in a slash.
    """
    path = path.strip()
    if path.startswith(API_PATH):
        path = path[len(API_PATH) :]
    path = path.lstrip("/")
    if not path:
        raise ValueError("empty HappyFox API path")
    if "?" in path or "#" in path:
        raise ValueError(f"pass query parameters in params, not in the path: {path!r}")
    return path if path.endswith("/") else path + "/"


def endpoint_template(path: str) -> str:
    """The endpoint a path belongs to, with record ids replaced: ``ticket/123/`` -> ``ticket/<id>/``.

    Stats and logs are keyed by this, so they stay small and comparable across runs
    (and with the simulator's own counters). Numeric segments are ids; a contact
    looked up by e-mail is ``user/<email>/``.
    """
    segments = normalize_path(path).rstrip("/").split("/")
    out = []
    for index, segment in enumerate(segments):
        if index > 0 and segment.isdigit():
            segment = "<id>"
        elif index > 0 and ("@" in segment or "%40" in segment.lower()):
            segment = "<email>"
        out.append(segment)
    return "/".join(out) + "/"
