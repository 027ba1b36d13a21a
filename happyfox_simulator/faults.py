"""Injected failures, so a client's retry and timeout handling is exercised for real.

Only GETs are faulted: a sync only reads, and a faulted write would leave the
truth ambiguous for the tests. The draw happens after authentication and rate
limiting, so a faulted request has spent budget, as a real one that reached the
service and failed would have. Kinds:

* ``"500"``, ``"502"``, ``"503"``: that status with an HTML body (what a proxy or
  an error page sends), ``Content-Type: text/html``;
* ``"reset"``: the TCP connection is closed with RST and no response at all;
* ``"truncated"``: ``200`` with the JSON body cut in the middle and a
  ``Content-Length`` matching the bytes actually sent, so only parsing fails;
* ``"stall"``: ``stall_seconds`` of silence, then the normal response (a client
  with a read timeout below that gives up first).
* ``"bad_encoding"`` (opt-in, not in the default kinds): ``200`` with
  ``Content-Encoding: gzip`` over a body that is not gzip, as a broken proxy or
  CDN sends it, so the client's body decoding fails.

Draws come from a ``random.Random(fault_seed)``, reseeded whenever the configured
seed changes, so a run with the same seed and request sequence faults the same way.
"""

from __future__ import annotations

import random
import socket
import struct
import threading

from .config import SimulatorConfig

HTML_ERRORS = {
    "500": (500, "Internal Server Error"),
    "502": (502, "Bad Gateway"),
    "503": (503, "Service Unavailable"),
}


class FaultInjector:
    """Decides, per admitted GET, whether and how it fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._rng = random.Random(0)

    def draw(self, config: SimulatorConfig) -> str | None:
        """A fault kind for this request, or ``None`` to serve it normally."""
        if config.fault_rate <= 0 or not config.fault_kinds:
            return None
        with self._lock:
            if self._seed != config.fault_seed:
                self._seed = config.fault_seed
                self._rng = random.Random(config.fault_seed)
            if self._rng.random() >= config.fault_rate:
                return None
            return self._rng.choice(list(config.fault_kinds))


def html_error(kind: str) -> tuple[int, bytes]:
    """Status and HTML body of a 5xx fault."""
    status, reason = HTML_ERRORS[kind]
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n"
        f"<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return status, body.encode()


def truncate(body: bytes) -> bytes:
    """The first half of a body (at least one byte short of the whole)."""
    return body[: max(0, min(len(body) - 1, len(body) // 2))]


def reset_connection(connection: socket.socket) -> None:
    """Abort a TCP connection with RST: linger 0 then close, sending no FIN and no data."""
    try:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        connection.close()
