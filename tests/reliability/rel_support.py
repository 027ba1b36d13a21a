"""Plumbing shared by the reliability tests: mutations, figures, the CLI as a subprocess.

Kept out of conftest.py (so it can be imported by name without clashing with
other test directories' conftest modules under xdist).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from happyfox_simulator import Simulator
from tests.pipeline.cli import environment


# -- figures -------------------------------------------------------------------------------


def figures(test: str, **values: Any) -> None:
    """Print one line of figures (run pytest with -s or -rP to see them)."""
    shown = ", ".join(f"{name}={value}" for name, value in values.items())
    print(f"\nFIGURES {test}: {shown}")


# -- changing the truth --------------------------------------------------------------------


def mutate(simulator: Simulator, count: int, seed: int) -> list[str]:
    """``count`` realistic writes (replies, status changes, new tickets, deletions) through the store.

    No HTTP: the simulator's request log keeps only what the sync sent.
    """
    return simulator.churn.apply(simulator.store, count, seed)


@dataclass
class PagingChurn:
    """Writes applied after each ``tickets/`` page a sync reads, recorded by kind."""

    simulator: Simulator
    per_page: int
    seed: int
    pages: int = 0
    done: list[str] = field(default_factory=list)
    active: bool = True

    def __post_init__(self) -> None:
        self.simulator.on_list_page = self

    def __call__(self, page: int) -> None:
        self.pages += 1
        if self.active:
            self.done.extend(self.simulator.churn.apply(self.simulator.store, self.per_page, self.seed))

    def stop(self) -> None:
        self.active = False
        self.simulator.on_list_page = None

    def touched(self) -> set[int]:
        """Ids of tickets written, created or deleted by this churn."""
        return {int(entry.split()[-1]) for entry in self.done}

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.done:
            kind = entry.split()[0]
            counts[kind] = counts.get(kind, 0) + 1
        return counts


def assert_only_gets(simulator: Simulator) -> int:
    """The simulator saw no request method but GET; returns the GETs it saw."""
    methods = dict(simulator.stats.methods_seen)
    assert set(methods) <= {"GET"}, f"the sync sent {methods}"
    return methods.get("GET", 0)


# -- the CLI as a subprocess ---------------------------------------------------------------

PIPELINE = "happyfox_sync"


def cli_environment(workdir: Path, simulator: Simulator | None = None, **settings: Any) -> dict[str, str]:
    """A clean environment for ``happyfox-sync``: no inherited settings, dlt data under ``workdir``."""
    return environment(workdir, simulator, **settings)


@dataclass
class CliRun:
    """One ``happyfox-sync`` process; its output goes to files (a full pipe would block it)."""

    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    def wait(self, timeout: float = 240) -> int:
        return self.process.wait(timeout=timeout)

    @property
    def code(self) -> int | None:
        return self.process.returncode

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def kill(self) -> None:
        """SIGKILL: no cleanup, no finally blocks, no flushed buffers."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


_runs = 0


def start_cli(args: list[str], workdir: Path, env: dict[str, str]) -> CliRun:
    global _runs
    _runs += 1
    out, err = workdir / f"run{_runs}.out", workdir / f"run{_runs}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "happyfox_sync", *args],
            cwd=workdir,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    return CliRun(process, out, err)


def run_cli(args: list[str], workdir: Path, env: dict[str, str], timeout: float = 240) -> CliRun:
    run = start_cli(args, workdir, env)
    run.wait(timeout)
    return run


class CliWarehouse:
    """The DuckDB file the CLI writes in its working directory, read like the harness's Warehouse."""

    def __init__(self, workdir: Path, name: str = PIPELINE, dataset: str = "happyfox") -> None:
        self.folder = workdir
        self.name = name
        self.dataset = dataset

    @property
    def database(self) -> Path:
        return self.folder / f"{self.name}.duckdb"

    @property
    def working_dir(self) -> Path:
        return self.folder / "dlt-data" / "pipelines" / self.name

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import duckdb

        with duckdb.connect(str(self.database), read_only=True) as connection:
            connection.execute(f"set search_path = '{self.dataset}'")
            return connection.execute(sql).fetchall()

    def count(self, table: str) -> int:
        return int(self.query(f"select count(*) from {table}")[0][0])

    def tables(self) -> set[str]:
        rows = self.query(f"select table_name from information_schema.tables where table_schema = '{self.dataset}'")
        return {name for (name,) in rows if not name.startswith("_dlt")}


_LOAD_ID = re.compile(r"^\d+\.\d+$")


def pipeline_phase(working_dir: Path) -> str | None:
    """Which step the pipeline in ``working_dir`` is in, read from dlt's package folders.

    dlt extracts into ``normalize/<storage id>/<load id>``, commits the package to
    ``normalize/extracted/<load id>``, normalises it into ``load/new`` and moves it to
    ``load/normalized/<load id>`` for the loader. The latest step with a package wins.
    """

    def packages(folder: Path) -> list[str]:
        try:
            return [entry.name for entry in folder.iterdir() if _LOAD_ID.match(entry.name)]
        except (FileNotFoundError, NotADirectoryError):
            return []

    if packages(working_dir / "load" / "normalized"):
        return "load"
    if packages(working_dir / "normalize" / "extracted") or packages(working_dir / "load" / "new"):
        return "normalize"
    normalize = working_dir / "normalize"
    try:
        storages = [entry for entry in normalize.iterdir() if entry.is_dir() and entry.name != "extracted"]
    except FileNotFoundError:
        return None
    if any(packages(storage) for storage in storages):
        return "extract"
    return None


def wait_for_phase(run: CliRun, working_dir: Path, phase: str, timeout: float = 120.0, poll: float = 0.002) -> bool:
    """Poll until the pipeline is in ``phase``; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.process.poll() is not None:
            return False
        if pipeline_phase(working_dir) == phase:
            return True
        time.sleep(poll)
    raise TimeoutError(f"the pipeline never reached {phase}")
