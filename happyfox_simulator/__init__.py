"""A HappyFox Helpdesk API v1.1 simulator: a real HTTP server over an in-memory account.

It serves ``/api/1.1/json/...`` with HappyFox's paging, search, rate limits and
failure modes, from a :class:`Helpdesk` whose truth tests can inspect and change
through ``sim.store``. See ``README.md`` beside this file for the behaviours the
HappyFox documentation leaves open and which reading the simulator implements.
"""

from .config import FAULT_KINDS, SimulatorConfig
from .errors import ApiError, NotFoundError, ValidationError
from .model import Helpdesk
from .simulator import Simulator
from .stats import Stats
from .store import Store

__all__ = [
    "FAULT_KINDS",
    "ApiError",
    "Helpdesk",
    "NotFoundError",
    "Simulator",
    "SimulatorConfig",
    "Stats",
    "Store",
    "ValidationError",
]
