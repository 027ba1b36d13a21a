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
    """``priorities/`` is not in the current reference; ``False`` makes it 404."""
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
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within [0, 1]")
        try:
            ZoneInfo(self.search_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown search_timezone {self.search_timezone!r}") from None
