"""Serve time of one 50-ticket ``tickets/`` page from a 100,000-ticket simulator.

Usage: python bench/simulator_speed.py [tickets] [--requests N]

Generates a helpdesk (``generate_helpdesk``), starts a simulator, warms each query
once (the first request of a query filters and sorts every ticket; later pages are
slices of the cached order), then times N requests over keep-alive HTTP for pages
spread across the whole result and prints the median and the 95th percentile.
The target is a median of 20 ms or less for a full page of full tickets.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from happyfox_simulator import Simulator, SimulatorConfig  # noqa: E402
from happyfox_simulator.generator import generate_helpdesk  # noqa: E402

QUERIES = {
    "all tickets, default order": {"status": "_all"},
    "pending (no status parameter)": {},
    "incremental search": {"status": "_all", "q": 'last-modified-on-or-after:"2024/01/01"'},
    "sort=last_modified_a": {"status": "_all", "sort": "last_modified_a"},
}


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tickets = int(args[0]) if args else 100_000
    requests = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 200
    started = time.perf_counter()
    helpdesk = generate_helpdesk(tickets, seed=0, now=datetime(2025, 6, 1, 12, 0))
    print(f"generated {len(helpdesk.tickets)} tickets in {time.perf_counter() - started:.1f} s")
    with Simulator(helpdesk, SimulatorConfig(get_limit=10**9)) as sim, httpx.Client(
        base_url=sim.api_url, auth=(sim.api_key, sim.auth_code), timeout=30
    ) as client:
        for label, params in QUERIES.items():
            started = time.perf_counter()
            first = client.get("tickets/", params={**params, "size": 50}).json()
            warm = time.perf_counter() - started
            pages = max(1, first["page_info"]["page_count"])
            times = []
            size = 0
            for n in range(requests):
                page = 1 + (n * 7919) % pages
                started = time.perf_counter()
                response = client.get("tickets/", params={**params, "size": 50, "page": page})
                times.append(time.perf_counter() - started)
                size = max(size, len(response.content))
            times.sort()
            print(
                f"{label:32} first {warm * 1000:7.1f} ms | median {statistics.median(times) * 1000:5.2f} ms"
                f" | p95 {times[int(len(times) * 0.95) - 1] * 1000:5.2f} ms | max page {size / 1024:.0f} KiB"
                f" | {first['page_info']['last_index']} matches"
            )


if __name__ == "__main__":
    main()
