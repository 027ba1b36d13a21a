"""Knobs of a running simulator.

One mutable dataclass, read afresh on every request, so a test can flip a switch
(credentials, limits, faults, churn, time zone) between two runs of a sync without
restarting the server and losing the store it has built up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .tie_order import TIE_ORDERS

FAULT_KINDS: tuple[str, ...] = ("500", "502", "503", "reset", "truncated", "stall")
"""The failures the simulator injects into a GET by default (see :mod:`.faults`)."""
OPT_IN_FAULT_KINDS: tuple[str, ...] = ("bad_encoding",)
"""Failures injected only when listed in ``fault_kinds``."""

MINIFY_STYLES: tuple[str, ...] = ("objects", "ids")

LIST_UPDATES_READINGS: tuple[str, ...] = ("always", "on_request", "never")
"""Whether ``tickets/`` items carry ``updates`` (see :mod:`.readings`)."""
LIST_OMITTABLE: tuple[str, ...] = ("custom_fields", "tags", "user")
THROTTLE_READINGS: tuple[str, ...] = ("429", "503_message", "503_field", "503_text")
"""How going over a rate limit is answered (see :mod:`.readings`)."""


def utc_now() -> datetime:
    """Real naive-UTC now, the default clock (the model's timestamps are naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class SimulatorConfig:
    """How the simulated account behaves; every field has a production-like default."""

    api_key: str = "sim-api-key"
    auth_code: str = "sim-auth-code"

    get_limit: int = 500
    """GET requests admitted per sliding ``window_seconds`` (HappyFox: 500/minute)."""
    post_limit: int = 300
    """POST requests admitted per sliding ``window_seconds`` (HappyFox: 300/minute)."""
    window_seconds: float = 60.0
    lockout_seconds: float = 600.0
    """After going over a cap, every call of that method gets 429 for this long."""
    retry_after_header: bool = False
    """HappyFox does not document ``Retry-After``; off by default so clients can't rely on it."""

    search_timezone: str = "UTC"
    """IANA zone in which ``q`` date terms cut days (undocumented upstream)."""
    minify_style: str = "objects"
    """``minify_response=true`` items: ``"objects"`` -> ``{"id": n}``, ``"ids"`` -> ``n``."""
    priorities_endpoint: bool = True
    """``priorities/`` is served (it is in the current reference); ``False`` makes it 404."""

    # Readings of HappyFox's public pages (see :mod:`.readings` and the README).
    list_updates: str = "always"
    """``tickets/`` items: ``"always"`` carry ``updates``; ``"on_request"`` only with
    ``include_updates=1``; ``"never"`` not even then (the parameter is not honoured)."""
    list_omits: tuple[str, ...] = ()
    """Keys of :data:`LIST_OMITTABLE` that ``tickets/`` items leave out (detail keeps them)."""
    detail_omits: tuple[str, ...] = ()
    """Keys of :data:`LIST_OMITTABLE` or ``"updates"`` that even ``ticket/<id>/`` leaves out.
    No page suggests this; it proves what a sync does when a detail comes incomplete."""
    throttle_response: str = "429"
    """Over a rate limit: ``"429"``, or 503 with the wait in a JSON ``error`` message
    (``"503_message"``), in a JSON ``retry_after`` field (``"503_field"``) or in a
    plain-text body (``"503_text"``)."""
    redirect_unslashed: bool = False
    """``True``: a GET of an API path without its trailing slash answers 301 to the slashed path."""
    min_page_size: int = 1
    """``size`` below this is raised to it (the older reference: 10)."""
    inactive_staff_listed: bool = True
    """``staff/`` lists deactivated agents (``active`` false); ``False`` leaves them out."""
    embedded_contact: str = "full"
    """The contact inside a ticket: ``"full"`` (documented: with ``custom_fields`` and
    ``contact_groups``) or ``"bare"`` (without those two keys)."""
    search_tie_order: str = "id"
    """Order of tickets tied on last updated under ``q``: ``"id"`` or ``"alternating"`` (:mod:`.tie_order`)."""

    date_skew_seconds: float = 0.0
    """Added to the ``Date`` header of every ``date_skew_every``-th response: a fast CDN clock (:mod:`.date_header`)."""
    date_skew_every: int = 1

    latency_seconds: float = 0.0
    """Added to every response, so concurrency and timeouts can be observed."""
    fault_rate: float = 0.0
    """Probability that an admitted GET fails with one of ``fault_kinds``."""
    fault_kinds: tuple[str, ...] = field(default=FAULT_KINDS)
    stall_seconds: float = 30.0
    fault_seed: int = 0

    churn_per_page: int = 0
    """Random writes applied after each ``tickets/`` page, like a busy helpdesk."""
    churn_seed: int = 0

    clock: Callable[[], datetime] | None = None
    """Returns naive-UTC now for write timestamps; ``None`` means the real clock."""

    def now(self) -> datetime:
        """The simulated world's current instant (naive UTC, whole seconds)."""
        moment = self.clock() if self.clock is not None else utc_now()
        return moment.replace(microsecond=0)

    def validate(self) -> None:
        """Reject settings that would make the server misbehave in confusing ways."""
        if self.embedded_contact not in ("full", "bare"):
            raise ValueError(f"embedded_contact must be 'full' or 'bare', not {self.embedded_contact!r}")
        if self.search_tie_order not in TIE_ORDERS:
            raise ValueError(f"search_tie_order must be one of {TIE_ORDERS}, not {self.search_tie_order!r}")
        if self.minify_style not in MINIFY_STYLES:
            raise ValueError(f"minify_style must be one of {MINIFY_STYLES}, not {self.minify_style!r}")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS) - set(OPT_IN_FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS + OPT_IN_FAULT_KINDS}")
        if self.list_updates not in LIST_UPDATES_READINGS:
            raise ValueError(f"list_updates must be one of {LIST_UPDATES_READINGS}, not {self.list_updates!r}")
        if set(self.list_omits) - set(LIST_OMITTABLE):
            raise ValueError(f"list_omits must be within {LIST_OMITTABLE}, not {self.list_omits!r}")
        if set(self.detail_omits) - {"updates", *LIST_OMITTABLE}:
            raise ValueError(f"detail_omits must be within {('updates', *LIST_OMITTABLE)}, not {self.detail_omits!r}")
        if self.throttle_response not in THROTTLE_READINGS:
            raise ValueError(f"throttle_response must be one of {THROTTLE_READINGS}, not {self.throttle_response!r}")
        if not 1 <= self.min_page_size <= 50:
            raise ValueError("min_page_size must be within [1, 50]")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within [0, 1]")
        try:
            ZoneInfo(self.search_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown search_timezone {self.search_timezone!r}") from None
