"""Process plumbing for ``bench/run.py``: a simulator process and measured sync processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable


class SimProcess:
    """``bench/sim_server.py`` in a child process; see that module for the commands."""

    def __init__(self, tickets: int, *, seed: int = 1, get_limit: int = 1_000_000, latency: float = 0.0,
                 log_dir: Path) -> None:
        self.tickets = tickets
        log_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(log_dir / f"sim-{tickets}-{get_limit}-{latency:g}.log", "w")
        self._proc = subprocess.Popen(
            [PYTHON, str(BENCH / "sim_server.py"), "--tickets", str(tickets), "--seed", str(seed),
             "--get-limit", str(get_limit), "--latency", str(latency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1,
        )
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if not line:
            raise RuntimeError(f"simulator for {tickets} tickets did not start; see {self._log.name}")
        ready = json.loads(line)
        self.base_url: str = ready["base_url"]
        self.api_key: str = ready["api_key"]
        self.auth_code: str = ready["auth_code"]
        self.contacts: int = ready["contacts"]

    def call(self, op: str, **arguments: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the simulator process died")
        return json.loads(line)

    def stats(self, window: float | None = None) -> dict[str, Any]:
        return self.call("stats", window=window)

    def reset(self) -> None:
        self.call("reset")

    def edit(self, count: int, seed: int = 1) -> int:
        return int(self.call("edit", count=count, seed=seed)["edited"])

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self.call("stop")
                self._proc.wait(timeout=10)
            except Exception:
                self._proc.kill()
                self._proc.wait()
        self._log.close()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class SyncRun:
    """What one sync process did, measured from outside (CPU, memory) and by the simulator (GETs)."""

    side: str
    wall_seconds: float
    cpu_seconds: float
    """user + sys of the sync's process tree (``wait4``), interpreter start and imports included."""
    max_rss_mb: float
    run_cpu_seconds: float | None
    """CPU of the run itself as the worker measured it (imports excluded); None if killed."""
    rows: dict[str, int] = field(default_factory=dict)
    gets: int = 0
    gets_by_endpoint: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    gets_in_window: int | None = None


class Worker:
    """A started ``bench/sync_worker.py``; :meth:`finish` waits (or kills) and measures it."""

    def __init__(self, sim: SimProcess, side: str, workdir: Path, *, history: bool, budget: int = 60_000,
                 concurrency: int | None = 4, profile: Path | None = None, reset: bool = True,
                 env: dict[str, str] | None = None, experiments: str = "") -> None:
        self.sim, self.side, self.workdir = sim, side, workdir
        workdir.mkdir(parents=True, exist_ok=True)
        if reset:
            sim.reset()
        command = [PYTHON, str(BENCH / "sync_worker.py"), "--side", side, "--base-url", sim.base_url,
                   "--api-key", sim.api_key, "--auth-code", sim.auth_code, "--workdir", str(workdir),
                   "--history", "on" if history else "off", "--budget", str(budget)]
        if concurrency:
            command += ["--concurrency", str(concurrency)]
        if profile is not None:
            command += ["--profile", str(profile)]
        if experiments:
            command += ["--experiments", experiments]
        self._out = workdir / "worker.out"
        self._err = open(workdir / "worker.err", "a")
        self.started = time.perf_counter()
        with open(self._out, "w") as out:
            self._proc = subprocess.Popen(command, stdout=out, stderr=self._err, env={**os.environ, **(env or {})})

    @property
    def pid(self) -> int:
        return self._proc.pid

    def finish(self, *, kill: bool = False, window: float | None = None) -> SyncRun:
        if kill:
            os.kill(self._proc.pid, signal.SIGKILL)
        _, status, usage = os.wait4(self._proc.pid, 0)
        self._proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - self.started
        self._err.close()
        stats = self.sim.stats(window=window)
        report: dict[str, Any] = {}
        if not kill:
            if self._proc.returncode != 0:
                raise RuntimeError(f"{self.side} sync failed (exit {self._proc.returncode}); see {self.workdir / 'worker.err'}")
            report = json.loads(self._out.read_text().strip().splitlines()[-1])
        return SyncRun(
            side=self.side,
            wall_seconds=wall,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            max_rss_mb=usage.ru_maxrss / 1024.0,
            run_cpu_seconds=report.get("cpu_seconds"),
            rows=report.get("rows", {}),
            gets=int(stats["total_gets"]),
            gets_by_endpoint=dict(stats["gets_by_endpoint"]),
            rate_limited=int(stats["rate_limited"]),
            gets_in_window=stats.get("gets_in_window"),
        )


def sync(sim: SimProcess, side: str, workdir: Path, **options: Any) -> SyncRun:
    """Run one sync to the end and measure it."""
    return Worker(sim, side, workdir, **options).finish()
