"""The :class:`Simulator`: a HappyFox account on 127.0.0.1, for syncs to run against.

Usage::

    with Simulator(helpdesk, SimulatorConfig(get_limit=100)) as sim:
        httpx.get(f"{sim.base_url}/api/1.1/json/tickets/", auth=(sim.api_key, sim.auth_code))
        sim.store.staff_update(5, staff=1, plaintext="hello")   # change the truth
        assert sim.stats.gets_by_endpoint["tickets/"] == 1

``sim.config`` is read on every request, so tests may change it between runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from .app import Application
from .churn import Churn
from .config import SimulatorConfig
from .faults import FaultInjector
from .model import Helpdesk
from .ratelimit import RateLimiter
from .render import AttachmentSigner
from .routes import API_PREFIX
from .server import SimulatorHTTPServer
from .stats import Stats
from .store import Store
from .ticket_list import TicketLists
from .date_header import DateHeader
from .tie_order import TieOrder

log = logging.getLogger(__name__)


class Simulator:
    """A running (once started) simulated HappyFox account; see the module docstring."""

    def __init__(
        self,
        helpdesk: Helpdesk,
        config: SimulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config if config is not None else SimulatorConfig()
        self.config.validate()
        self.store = Store(helpdesk, clock=self.now)
        self.stats = Stats()
        self.ticket_lists = TicketLists()
        self.tie_order = TieOrder()
        self.date_header = DateHeader()
        self.signer = AttachmentSigner()
        self.limiter = RateLimiter()
        self.churn = Churn()
        self.on_list_page: Callable[[int], None] | None = None
        """Called with the page number after each ``tickets/`` page is built, before it is sent."""
        self.on_contact_page: Callable[[int], None] | None = None
        """Called with the page number after each ``users/`` page is built, before it is sent."""
        self._faults = FaultInjector()
        self._host, self._port = host, port
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Bind (a free port unless one was given) and serve in a background thread."""
        if self._server is not None:
            return self
        app = Application(self, self.limiter, self._faults)
        server = SimulatorHTTPServer((self._host, self._port), app, self.stats)
        self._server = server
        self.signer.base_url = self.base_url
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="happyfox-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; the store keeps its state."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def open_connections(self) -> int:
        """Client connections open right now: a client that closed its pool leaves none."""
        return self._server.open_connections() if self._server is not None else 0

    # -- addresses and credentials --------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The account root, ``http://127.0.0.1:PORT``; the API lives under ``/api/1.1/json/``."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``base_url`` + ``/api/1.1/json/``."""
        return self.base_url + API_PREFIX

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def auth_code(self) -> str:
        return self.config.auth_code

    @property
    def helpdesk(self) -> Helpdesk:
        return self.store.helpdesk

    # -- hooks used by the endpoints ----------------------------------------------------------

    def now(self) -> datetime:
        """The simulated world's naive-UTC now (``config.clock`` or the real clock)."""
        return self.config.now()

    def after_list_page(self, page: int) -> None:
        """Apply the configured churn, then the test hook, after a ``tickets/`` page."""
        config = self.config
        if config.churn_per_page > 0:
            self.churn.apply(self.store, config.churn_per_page, config.churn_seed)
        hook = self.on_list_page
        if hook is not None:
            try:
                hook(page)
            except Exception:  # a broken test hook must not turn the page into a 500
                log.exception("on_list_page hook failed for page %s", page)

    def after_contact_page(self, page: int) -> None:
        """Run the ``on_contact_page`` test hook after a ``users/`` page."""
        hook = self.on_contact_page
        if hook is not None:
            try:
                hook(page)
            except Exception:  # a broken test hook must not turn the page into a 500
                log.exception("on_contact_page hook failed for page %s", page)

    def reset_rate_limits(self) -> None:
        """Forget the rate windows and lift any lockout (between test runs)."""
        self.limiter.reset()
