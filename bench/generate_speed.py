"""Time (and peak memory of) generating a 100,000-ticket helpdesk.

Usage: python bench/generate_speed.py [tickets] [--tracemalloc]

Peak memory is the process's maximum resident set size (``ru_maxrss``); with
``--tracemalloc`` the Python-level peak is measured instead (slower: tracing
roughly doubles the generation time, so the time printed then is not the figure
to compare against the 60 s budget).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from datetime import datetime

from happyfox_simulator.generator import generate_helpdesk


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tickets = int(args[0]) if args else 100_000
    trace = "--tracemalloc" in sys.argv
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    helpdesk = generate_helpdesk(tickets, seed=0, now=datetime(2025, 6, 1, 12, 0))
    elapsed = time.perf_counter() - started
    updates = sum(len(t["updates"]) for t in helpdesk.tickets)
    print(f"tickets={len(helpdesk.tickets)} contacts={len(helpdesk.contacts)} staff={len(helpdesk.staff)} "
          f"updates={updates} attachments={helpdesk.next_attachment_id - 1}")
    print(f"generation time: {elapsed:.1f} s")
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        print(f"peak traced Python memory: {peak / 2**20:.0f} MiB")
    else:
        rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS: {rss_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
