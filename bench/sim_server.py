"""A simulator in its own process, driven over stdin/stdout by ``bench/run.py``.

Usage: python bench/sim_server.py --tickets N [--seed S] [--get-limit L] [--latency SECONDS]

The benchmark runs the simulator apart from the sync so that the sync's CPU time and
memory (measured on the sync's process) never include the serving work. It writes one
JSON line when it is ready (base URL, credentials, sizes), then answers one JSON line
per command read from stdin:

``{"op": "stats"}``
    ``sim.stats.snapshot()`` plus the GETs that arrived within ``window`` seconds of
    the first one (``{"op": "stats", "window": 120}``): the authoritative GET counts.
``{"op": "reset"}``
    forget the counters and the GET arrival times, lift any lockout.
``{"op": "config", "values": {...}}``
    set ``SimulatorConfig`` fields (``get_limit``, ``latency_seconds``, ...).
``{"op": "edit", "count": 200, "seed": 1}``
    make ``count`` distinct tickets change through the store's own write path
    (a public staff reply each, the way an agent's answer changes a ticket).
``{"op": "stop"}``
    stop serving and exit.

Everything else the simulator logs goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from happyfox_simulator import Simulator, SimulatorConfig  # noqa: E402
from happyfox_simulator.generator import generate_helpdesk  # noqa: E402


def _edit(sim: Simulator, count: int, seed: int) -> int:
    """Public staff replies on ``count`` distinct tickets, picked with ``seed``."""
    store = sim.store
    rng = random.Random(seed)
    ids = [ticket["id"] for ticket in sim.helpdesk.tickets]
    rng.shuffle(ids)
    staff = [member["id"] for member in sim.helpdesk.staff if member.get("active", True)]
    done = 0
    for ticket_id in ids:
        if done >= count:
            break
        try:
            store.staff_update(ticket_id, staff=rng.choice(staff), plaintext="Benchmark edit.", time_spent=1)
        except Exception as error:  # a ticket the write rules refuse: pick another
            print(f"edit of ticket {ticket_id} refused: {error}", file=sys.stderr)
            continue
        done += 1
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--get-limit", type=int, default=1_000_000)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()

    now = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    started = time.perf_counter()
    helpdesk = generate_helpdesk(args.tickets, seed=args.seed, now=now)
    generated = time.perf_counter() - started
    config = SimulatorConfig(get_limit=args.get_limit, post_limit=1_000_000, latency_seconds=args.latency)
    sim = Simulator(helpdesk, config)

    arrivals: list[float] = []
    arrivals_lock = threading.Lock()
    count_request = sim.stats.request

    def request(method: str, endpoint: str) -> None:
        if method == "GET":
            with arrivals_lock:
                arrivals.append(time.monotonic())
        count_request(method, endpoint)

    sim.stats.request = request  # type: ignore[method-assign]

    def answer(payload: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(payload) + "\n")
        sys.stdout.flush()

    with sim:
        answer({
            "ready": True,
            "base_url": sim.base_url,
            "api_key": sim.api_key,
            "auth_code": sim.auth_code,
            "tickets": len(helpdesk.tickets),
            "contacts": len(helpdesk.contacts),
            "generated_seconds": round(generated, 2),
        })
        for line in sys.stdin:
            command = json.loads(line)
            op = command.get("op")
            if op == "stats":
                snapshot = sim.stats.snapshot()
                window = command.get("window")
                if window is not None:
                    with arrivals_lock:
                        first = arrivals[0] if arrivals else 0.0
                        snapshot["gets_in_window"] = sum(1 for t in arrivals if t - first < window)
                        snapshot["first_to_last_get"] = (arrivals[-1] - first) if arrivals else 0.0
                answer(snapshot)
            elif op == "reset":
                sim.stats.reset()
                sim.reset_rate_limits()
                with arrivals_lock:
                    arrivals.clear()
                answer({"ok": True})
            elif op == "config":
                for key, value in command["values"].items():
                    setattr(sim.config, key, value)
                answer({"ok": True})
            elif op == "edit":
                answer({"edited": _edit(sim, int(command["count"]), int(command.get("seed", 1)))})
            elif op == "stop":
                answer({"ok": True})
                break
            else:
                answer({"error": f"unknown op {op!r}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
