"""The socket layer: a threaded HTTP/1.1 keep-alive server around :class:`~.app.Application`.

One thread per connection (stdlib ``ThreadingHTTPServer``), so concurrent clients are
served concurrently and ``latency_seconds`` overlaps between them, as on a real
service. The server tracks open connections so :meth:`SimulatorHTTPServer.close`
can end idle keep-alive connections instead of leaving threads blocked on them.
"""

from __future__ import annotations

import email.utils
import logging
import socket
import threading
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .app import Application
from .faults import reset_connection
from .stats import Stats
from .web import Response

log = logging.getLogger(__name__)


class SimulatorHTTPServer(ThreadingHTTPServer):
    """Threaded server that knows its open connections and stays quiet about client hang-ups."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Application, stats: Stats) -> None:
        self.app = app
        self.stats = stats
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def open_connections(self) -> int:
        """Client connections the server holds open right now (keep-alive ones included)."""
        with self._open_lock:
            return len(self._open)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects (e.g. after a read timeout on a stall) are normal here."""
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close(self) -> None:
        """Stop serving: wake waiting handlers, end open connections, close the listener."""
        self.stopping.set()
        self.shutdown()
        with self._open_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HappyFoxSimulator/1.0"
    sys_version = ""
    server: SimulatorHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        """``Date`` from the simulated clock, so clients that read the server's time see the
        same world as the records (a fixed test clock included)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        state = self.server.app.state
        now = state.date_header.instant(state.config, state.now())
        return email.utils.format_datetime(now.replace(tzinfo=UTC), usegmt=True)

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_OPTIONS(self) -> None:
        self._serve("OPTIONS")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        log.debug("%s - " + format, self.address_string(), *args)

    def _read_body(self) -> bytes:
        """The request body, by ``Content-Length`` or chunked transfer encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, method: str) -> None:
        body = self._read_body()
        server = self.server
        with server.stats.in_flight():
            outcome = server.app.handle(method, self.path, self.headers, body)
            if outcome.delay > 0 and server.stopping.wait(outcome.delay):
                self.close_connection = True
                return
            if outcome.response is None:
                self._reset()
                return
            server.stats.response(outcome.response.status)
            self._send(outcome.response, include_body=method != "HEAD")

    def _send(self, response: Response, *, include_body: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        # Headers and body in one write: two small writes would meet Nagle's algorithm
        # and the client's delayed ACK and add ~40 ms to every small response.
        self._headers_buffer.append(b"\r\n")
        if include_body:
            self._headers_buffer.append(response.body)
        self.flush_headers()

    def _reset(self) -> None:
        """Send RST and nothing else: release the read buffer's hold, then abort the socket."""
        self.close_connection = True
        self.rfile.close()
        reset_connection(self.connection)
