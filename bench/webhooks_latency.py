"""What the webhook receiver does per second and how fresh it keeps the warehouse.

Usage: python bench/webhooks_latency.py [--tickets 2000] [--deliveries 2000] [--writes 40] [--workdir DIR]

The simulator runs in this process; `happyfox-sync` (one sync first) and
`happyfox-sync webhooks` run as subprocesses on the default DuckDB warehouse, as a
user runs them. Three figures:

1. **acknowledge**: signed deliveries posted one after another on a keep-alive
   connection to a receiver whose loader is held back: acknowledgements per second and
   p50/p95 latency (each one a committed SQLite transaction);
2. **drain**: the same receiver restarted with its loader on: tickets per second
   loaded from the queue into the warehouse (batches of ``batch_tickets``);
3. **freshness**: writes to the helpdesk every 0.5 s, delivered by the simulator's
   webhooks: seconds from each write until the published DuckDB file shows it
   (``batch_seconds`` 2 and ``publish_interval_seconds`` 1 here), p50/p95/max.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from happyfox_simulator import Simulator, SimulatorConfig  # noqa: E402
from happyfox_simulator.generator import generate_helpdesk  # noqa: E402
from happyfox_simulator.webhooks import WebhookSender, WebhookSettings, signature  # noqa: E402

SECRET = "bench-webhook-secret"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(workdir: Path, sim: Simulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "HAPPYFOX_SYNC__", "DESTINATION__"))}
    env.update({
        "DLT_DATA_DIR": str(workdir / "dlt-data"), "RUNTIME__DLTHUB_TELEMETRY": "false",
        "SOURCES__HAPPYFOX__BASE_URL": sim.base_url, "SOURCES__HAPPYFOX__API_KEY": sim.api_key,
        "SOURCES__HAPPYFOX__AUTH_CODE": sim.auth_code, "SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE": "60000",
        "SOURCES__HAPPYFOX__WEBHOOK_SECRET": SECRET,
    })
    env.update(extra)
    return env


class Receiver:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{_port()}"
        log = open(workdir / "receiver.log", "a")
        self.proc = subprocess.Popen([sys.executable, "-m", "happyfox_sync", "webhooks", "--port", self.url.rsplit(":", 1)[1]],
                                     cwd=workdir, env=env, stdout=log, stderr=log)
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)

    def health(self) -> dict:
        return httpx.get(self.url + "/health", timeout=30).json()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(120)


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hf-webhooks-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    desk = generate_helpdesk(args.tickets, seed=1)
    with Simulator(desk, SimulatorConfig(get_limit=1_000_000, post_limit=1_000_000)) as sim:
        sync = subprocess.run([sys.executable, "-m", "happyfox_sync", "-q", "--no-models"], cwd=workdir,
                              env=_env(workdir, sim), capture_output=True, text=True)
        if sync.returncode != 0:
            print(sync.stderr)
            return 1
        sender = WebhookSender(sim, WebhookSettings(url="unused", secret=SECRET))
        tickets = desk.tickets[: args.deliveries]
        with sim.store.lock:
            bodies = [sender.payload("ticket-updated", t) for t in tickets]
        held = Receiver(workdir, _env(workdir, sim, HAPPYFOX_SYNC__WEBHOOKS__BATCH_SECONDS="3600",
                                      HAPPYFOX_SYNC__WEBHOOKS__BATCH_TICKETS="10000000"))
        latencies = []
        with httpx.Client(timeout=30) as client:
            started = time.perf_counter()
            for body in bodies:
                t0 = time.perf_counter()
                response = client.post(held.url + "/happyfox/webhook", content=body,
                                       headers={"X-Happyfox-Webhook-Signature": signature(SECRET, body, "hex")})
                latencies.append(time.perf_counter() - t0)
                assert response.status_code == 200, response.text
            elapsed = time.perf_counter() - started
        held.stop()
        size = statistics.mean(len(b) for b in bodies)
        print(f"acknowledge: {len(bodies)} deliveries ({size / 1024:.1f} KB avg) in {elapsed:.2f} s = "
              f"{len(bodies) / elapsed:.0f}/s, p50 {_pct(latencies, 0.5) * 1000:.1f} ms, p95 {_pct(latencies, 0.95) * 1000:.1f} ms")

        started = time.perf_counter()
        receiver = Receiver(workdir, _env(workdir, sim, HAPPYFOX_SYNC__WEBHOOKS__PUBLISH_INTERVAL_SECONDS="1"))
        while True:
            health = receiver.health()
            if health["queue_depth"] == 0 and not health["loading"]:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        print(f"drain: {len(bodies)} queued deliveries loaded in {elapsed:.2f} s (receiver start included) = "
              f"{len(bodies) / elapsed:.0f} tickets/s, {health['batches']} batches")

        delays = []
        staff = next(s["id"] for s in desk.staff if s.get("active"))
        published = workdir / "happyfox_sync.duckdb"
        with WebhookSender(sim, WebhookSettings(url=receiver.url + "/happyfox/webhook", secret=SECRET)):
            for number in range(args.writes):
                ticket = desk.tickets[number % len(desk.tickets)]
                sim.store.staff_update(ticket["id"], staff=staff, html=f"<p>bench {number}</p>", time_spent=1)
                wrote, expected = time.perf_counter(), len(ticket["updates"])
                while True:
                    try:
                        with duckdb.connect(str(published), read_only=True) as connection:
                            held_count = connection.execute(
                                f"select count(*) from happyfox.ticket_updates where ticket_id = {ticket['id']}").fetchone()[0]
                    except duckdb.Error:
                        held_count = -1
                    if held_count == expected:
                        break
                    time.sleep(0.05)
                delays.append(time.perf_counter() - wrote)
                time.sleep(max(0.0, 0.5 - delays[-1]))
        receiver.stop()
        print(f"freshness: {len(delays)} writes, write -> queryable in the published file: "
              f"p50 {_pct(delays, 0.5):.2f} s, p95 {_pct(delays, 0.95):.2f} s, max {max(delays):.2f} s "
              f"(batch_seconds 2, publish_interval_seconds 1, {args.tickets} tickets)")
        print(f"GETs to tickets/ while receiving: 0 by construction; simulator total after the sync: "
              f"{sim.stats.gets_by_endpoint.get('tickets/', 0)} (all from the one scheduled sync)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
