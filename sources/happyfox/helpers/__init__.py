"""HTTP plumbing of the HappyFox source: a paced, retrying, read-only API client.

``HappyFoxClient`` is the only thing that talks to HappyFox; resources get their
data through its ``get`` / ``get_many`` and never see credentials or raw HTTP.
"""

from .client import (
    DOCUMENTED_GET_LIMIT,
    HappyFoxClient,
    default_max_concurrency,
    parse_retry_after,
)
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailedError,
    HappyFoxAPIError,
    HappyFoxError,
    NotFoundError,
    RateLimitLockoutError,
)
from .pacing import GetPacer
from .stats import RequestStats
from .urls import API_PATH, endpoint_template, resolve_base_url

__all__ = [
    "API_PATH",
    "DOCUMENTED_GET_LIMIT",
    "AuthenticationError",
    "ConfigurationError",
    "ConnectionFailedError",
    "GetPacer",
    "HappyFoxAPIError",
    "HappyFoxClient",
    "HappyFoxError",
    "NotFoundError",
    "RateLimitLockoutError",
    "RequestStats",
    "default_max_concurrency",
    "endpoint_template",
    "parse_retry_after",
    "resolve_base_url",
]
