"""happyfox-sync against dlt's generic ``rest_api`` source, side by side, in one run.

Usage::

    python bench/run.py                 # every scenario, ~12 minutes on 2 cores
    python bench/run.py --quick         # smaller sizes, ~4 minutes
    python bench/run.py --scenario 4    # one scenario (repeatable: --scenario 1 --scenario 3)
    python bench/run.py --profile       # also sample both syncs with py-spy (pip install py-spy)

Every sync runs in a process of its own (``bench/sync_worker.py``) against a simulator
in another process (``bench/sim_server.py``), so that the sync's CPU time and peak
memory are its own (``wait4``), and every GET is counted by the simulator, the
authoritative figure for both sides. "ours" is the ``happyfox-sync`` command with the
repository's configuration; "baseline" is ``bench/baseline_rest_api.py``. The GET
scenarios run with the simulator's cap raised (pacing does not change a count);
scenario 4 runs both against capped simulators at the same time, one each, while
scenarios 1 and 3 (GET counts only) run beside it. Timings are medians of repeated
runs where the table says so; ratios compare figures of the same run.

The table goes to stdout and, with the machine it ran on, to ``.bench/latest.md``
(all figures as JSON beside it). See bench/README.md for the latest table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from procs import SimProcess, SyncRun, Worker, sync  # noqa: E402

PAGE = 50
REFERENCE_LISTS = 7
API_GETS_PER_MINUTE = 500
API_TICKETS_PER_SECOND = API_GETS_PER_MINUTE / 60 * PAGE  # ~417 tickets/s listed


@dataclass
class Sizes:
    first_sync: int = 10_000
    no_change: tuple[int, ...] = (1_000, 50_000)
    rate_tickets: int = 2_000
    rate_seconds: float = 120.0
    rate_budget: int = 120
    throughput: int = 50_000
    memory: int = 100_000
    memory_small: int = 10_000
    models: int = 100_000
    repeat: int = 3
    baseline_repeat: int = 1
    edits: int = 200


QUICK = Sizes(first_sync=2_000, no_change=(1_000, 10_000), rate_seconds=60.0, throughput=10_000, memory=20_000, memory_small=2_000,
              models=20_000, repeat=3, baseline_repeat=1)


@dataclass
class Row:
    scenario: str
    ours: str
    baseline: str
    ratio: str
    ceiling: str
    target: str = ""
    verdict: str = ""


@dataclass
class Bench:
    sizes: Sizes
    work: Path
    log_dir: Path
    profile: bool = False
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    _sims: dict[tuple[int, int, float], SimProcess] = field(default_factory=dict)
    _synced: dict[tuple[str, int, bool], Path] = field(default_factory=dict)

    # -- plumbing ---------------------------------------------------------------------

    def sim(self, tickets: int, get_limit: int = 1_000_000, latency: float = 0.0) -> SimProcess:
        key = (tickets, get_limit, latency)
        if key not in self._sims:
            say(f"starting a simulator of {tickets:,} tickets (GET limit {get_limit:,}/min, latency {latency:g} s)")
            self._sims[key] = SimProcess(tickets, get_limit=get_limit, latency=latency, log_dir=self.log_dir)
        return self._sims[key]

    def drop_sim(self, tickets: int, get_limit: int = 1_000_000, latency: float = 0.0) -> None:
        sim = self._sims.pop((tickets, get_limit, latency), None)
        if sim is not None:
            sim.close()

    def close(self) -> None:
        for sim in self._sims.values():
            sim.close()
        self._sims.clear()

    def workdir(self, label: str) -> Path:
        path = self.work / f"{label}-{time.time_ns()}"
        path.mkdir(parents=True)
        return path

    def run(self, sim: SimProcess, side: str, label: str, *, workdir: Path | None = None, **options: Any) -> SyncRun:
        started = time.perf_counter()
        result = sync(sim, side, workdir or self.workdir(f"{side}-{label}"), **options)
        say(f"  {side:8} {label}: {result.gets:,} GETs, {result.wall_seconds:.1f} s wall, "
            f"{result.cpu_seconds:.1f} CPU-s, {result.max_rss_mb:.0f} MB peak ({time.perf_counter() - started:.0f} s)")
        return result

    def add(self, row: Row) -> None:
        self.rows.append(row)

    # -- scenarios -----------------------------------------------------------------------

    def min_first_sync_gets(self, sim: SimProcess, history: bool) -> int:
        return math.ceil(sim.tickets / PAGE) + math.ceil(sim.contacts / PAGE) + REFERENCE_LISTS + (sim.tickets if history else 0)

    def scenario_1(self) -> None:
        n = self.sizes.first_sync
        say(f"scenario 1: GETs of a first sync of {n:,} tickets")
        sim = self.sim(n)
        for history in (False, True):
            runs = {side: self.run(sim, side, f"first-{n}-{'on' if history else 'off'}",
                                   workdir=self._keep(side, n, history), history=history)
                    for side in ("ours", "baseline")}
            self.figures[f"s1_history_{'on' if history else 'off'}"] = {s: asdict(r) for s, r in runs.items()}
            floor = self.min_first_sync_gets(sim, history)
            self.add(Row(
                f"1. first sync, {n:,} tickets, custom-field history {'on' if history else 'off'}: GETs",
                f"{runs['ours'].gets:,}", f"{runs['baseline'].gets:,}", ratio(runs["ours"].gets, runs["baseline"].gets),
                f"{floor:,} (min.; {floor / API_GETS_PER_MINUTE:.1f} min at 500/min)",
            ))

    def _keep(self, side: str, tickets: int, history: bool) -> Path:
        path = self.workdir(f"{side}-{tickets}-{'on' if history else 'off'}")
        self._synced[(side, tickets, history)] = path
        return path

    def _synced_dir(self, side: str, tickets: int, history: bool | None = None) -> Path | None:
        for (s, n, h), path in self._synced.items():
            if s == side and n == tickets and (history is None or h == history):
                return path
        return None

    def scenario_2(self) -> None:
        for n in self.sizes.no_change:
            say(f"scenario 2: GETs of a no-change incremental run at {n:,} tickets")
            sim = self.sim(n)
            runs = {}
            for side in ("ours", "baseline"):
                workdir = self._synced_dir(side, n)
                if workdir is None:
                    workdir = self._keep(side, n, n < 10_000)
                    self.run(sim, side, f"first-{n}", workdir=workdir, history=n < 10_000)
                runs[side] = self.run(sim, side, f"no-change-{n}", workdir=workdir, history=True)
            self.figures[f"s2_{n}"] = {s: asdict(r) for s, r in runs.items()}
            self.add(Row(
                f"2. no-change incremental run, {n:,} tickets: GETs",
                f"{runs['ours'].gets:,}", f"{runs['baseline'].gets:,}", ratio(runs["ours"].gets, runs["baseline"].gets),
                f"{1 + REFERENCE_LISTS} (1 page + {REFERENCE_LISTS} lists)", "<= 12",
                verdict(runs["ours"].gets <= 12, runs["ours"].gets, 12, higher_is_better=False),
            ))
            if n >= 50_000:
                self.drop_sim(n)

    def scenario_3(self) -> None:
        n, edits = self.sizes.first_sync, self.sizes.edits
        say(f"scenario 3: GETs of an incremental run after {edits} ticket edits ({n:,} tickets, history on)")
        sim = self.sim(n)
        dirs = {}
        for side in ("ours", "baseline"):
            workdir = self._synced_dir(side, n, True)
            if workdir is None:
                workdir = self._keep(side, n, True)
                self.run(sim, side, f"first-{n}-on", workdir=workdir, history=True)
            dirs[side] = workdir
        edited = sim.edit(edits, seed=7)
        runs = {side: self.run(sim, side, f"after-{edited}-edits", workdir=dirs[side], history=True)
                for side in ("ours", "baseline")}
        self.figures["s3"] = {s: asdict(r) for s, r in runs.items()}
        floor = math.ceil(edited / PAGE) + REFERENCE_LISTS + edited
        self.add(Row(
            f"3. incremental run after {edited} ticket edits ({n:,} tickets, history on): GETs",
            f"{runs['ours'].gets:,}", f"{runs['baseline'].gets:,}", ratio(runs["ours"].gets, runs["baseline"].gets),
            f"{floor:,} (min.: {math.ceil(edited / PAGE)} pages + {REFERENCE_LISTS} lists + {edited} details)",
        ))
        self.drop_sim(n)

    def scenario_4(self) -> None:
        s = self.sizes
        say(f"scenario 4: sustained GET rate at 1 s latency, {s.rate_budget}/min, over {s.rate_seconds:.0f} s"
            " (ours and the baseline at the same time, each against its own simulator, beside scenarios 1 and 3)")
        sims = {side: SimProcess(s.rate_tickets, get_limit=s.rate_budget, latency=1.0, log_dir=self.log_dir)
                for side in ("ours", "baseline")}
        try:
            workers = {side: Worker(sims[side], side, self.workdir(f"{side}-rate"), history=True,
                                    budget=s.rate_budget, concurrency=None) for side in ("ours", "baseline")}
            first: dict[str, float] = {}
            deadline = time.monotonic() + 120
            while len(first) < 2 and time.monotonic() < deadline:
                for side, sim in sims.items():
                    if side not in first and sim.stats()["total_gets"] > 0:
                        first[side] = time.monotonic()
                time.sleep(0.2)
            if len(first) < 2:
                raise RuntimeError("a sync sent no GET within 2 minutes")
            time.sleep(max(0.0, max(first.values()) + s.rate_seconds + 1.0 - time.monotonic()))
            runs = {side: workers[side].finish(kill=True, window=s.rate_seconds) for side in workers}
        finally:
            for sim in sims.values():
                sim.close()
        allowed = s.rate_budget * s.rate_seconds / 60.0
        share = {side: (run.gets_in_window or 0) / allowed for side, run in runs.items()}
        for side, run in runs.items():
            say(f"  {side:8} {run.gets_in_window} GETs in {s.rate_seconds:.0f} s ({share[side]:.0%} of the budget), "
                f"{run.rate_limited} x 429")
        self.figures["s4"] = {side: {**asdict(run), "share": share[side]} for side, run in runs.items()}
        self.add(Row(
            f"4. sustained GET rate, 1 s latency, {s.rate_budget}/min budget, {s.rate_seconds:.0f} s: share of budget",
            f"{share['ours']:.0%} ({runs['ours'].gets_in_window} GETs)",
            f"{share['baseline']:.0%} ({runs['baseline'].gets_in_window} GETs)",
            ratio(share["ours"], share["baseline"]), "100%", ">= 90%", verdict(share["ours"] >= 0.9, share["ours"], 0.9),
        ))
        self.add(Row(
            "4. ... HTTP 429 responses (each one locks the account out for 10 min)",
            str(runs["ours"].rate_limited), str(runs["baseline"].rate_limited), "", "0", "0",
            verdict(runs["ours"].rate_limited == 0),
        ))

    def scenario_5(self, experiments: str = "") -> None:
        s = self.sizes
        n = s.throughput
        say(f"scenario 5: local throughput, first sync of {n:,} tickets, no latency, no cap, history off")
        sim = self.sim(n)
        ours = []
        first_dir = self._keep("ours", n, False)
        for i in range(s.repeat):
            ours.append(self.run(sim, "ours", f"throughput-{n}-{i + 1}", workdir=first_dir if i == 0 else None, history=False))
        base = []
        for i in range(s.baseline_repeat):
            workdir = self._keep("baseline", n, False) if i == 0 else None
            base.append(self.run(sim, "baseline", f"throughput-{n}-{i + 1}", workdir=workdir, history=False))
        floor = self.load_floor(first_dir)
        what_if = None
        if experiments:
            what_if = self.run(sim, "ours", f"throughput-{n}-what-if", history=False, experiments=experiments)
        o_cpu = n / statistics.median(r.cpu_seconds for r in ours)
        b_cpu = n / statistics.median(r.cpu_seconds for r in base)
        o_wall = n / statistics.median(r.wall_seconds for r in ours)
        b_wall = n / statistics.median(r.wall_seconds for r in base)
        o_run = n / statistics.median(r.run_cpu_seconds or math.nan for r in ours)
        o_mem = statistics.median(r.max_rss_mb for r in ours)
        b_mem = statistics.median(r.max_rss_mb for r in base)
        self.figures["s5"] = {"ours": [asdict(r) for r in ours], "baseline": [asdict(r) for r in base],
                              "what_if": asdict(what_if) if what_if else None, "experiments": experiments}
        runs = f"median of {s.repeat}" if s.repeat > 1 else "1 run"
        bruns = f"median of {s.baseline_repeat}" if s.baseline_repeat > 1 else "1 run"
        self.add(Row(
            f"5. first sync {n:,} tickets, no latency/cap, history off: tickets per CPU-second ({runs} / {bruns})",
            f"{o_cpu:,.0f}", f"{b_cpu:,.0f}", ratio(o_cpu, b_cpu), f"{API_TICKETS_PER_SECOND:,.0f} tickets/s listed",
            ">= 4,000 (10x ceiling)", verdict(o_cpu >= 4000, o_cpu, 4000),
        ))
        self.add(Row("5. ... wall-clock tickets per second", f"{o_wall:,.0f}", f"{b_wall:,.0f}", ratio(o_wall, b_wall),
                     f"{API_TICKETS_PER_SECOND:,.0f}"))
        self.add(Row(f"5. ... peak memory at {n:,} tickets, MB", f"{o_mem:,.0f}", f"{b_mem:,.0f}", ratio(o_mem, b_mem), ""))
        self.figures["s5_load_floor"] = floor
        floor_cpu = float(floor["cpu_seconds"])
        self.add(Row(
            f"5. ... DuckDB's own share: the first run's load replayed without dlt (bench/load_floor.py), CPU-s",
            f"{floor_cpu:,.1f} ({floor_cpu / statistics.median(r.cpu_seconds for r in ours):.0%} of ours)", "", "",
            f"{n / floor_cpu:,.0f} tickets per CPU-second at most, DuckDB alone",
        ))
        startup = statistics.median(r.cpu_seconds - (r.run_cpu_seconds or 0.0) for r in ours)
        self.notes.append(
            f"Scenario 5 counts all CPU of the sync's process, interpreter start and imports included "
            f"({startup:.1f} CPU-s); the run alone is {o_run:,.0f} tickets per CPU-second for ours."
        )
        k = s.memory_small
        say(f"scenario 5: peak memory of a first sync of {k:,} tickets (ours)")
        small = self.run(self.sim(k), "ours", f"memory-{k}", history=False)
        self.figures["s5_memory_small"] = asdict(small)
        self.add(Row(f"5. ... peak memory at {k:,} tickets, MB (1 run)", f"{small.max_rss_mb:,.0f}", "not run", "", ""))
        m = s.memory
        say(f"scenario 5: peak memory of a first sync of {m:,} tickets (ours)")
        sim = self.sim(m)
        big = self.run(sim, "ours", f"memory-{m}", history=False)
        self.figures["s5_memory"] = asdict(big)
        self.add(Row(
            f"5. ... peak memory at {m:,} tickets, MB (1 run)", f"{big.max_rss_mb:,.0f}", "not run", "", "",
            "<= 400", verdict(big.max_rss_mb <= 400, big.max_rss_mb, 400, higher_is_better=False),
        ))
        self.notes.append(f"At {m:,} tickets ours ran at {m / big.cpu_seconds:,.0f} tickets per CPU-second, "
                          f"{m / big.wall_seconds:,.0f} tickets/s wall.")
        if what_if is not None:
            self.add(Row(
                f"5. what-if, ours with `{experiments}`: tickets per CPU-second at {n:,} (1 run)",
                f"{n / what_if.cpu_seconds:,.0f}", "", ratio(n / what_if.cpu_seconds, o_cpu) + " of ours", "",
                ">= 4,000", verdict(n / what_if.cpu_seconds >= 4000, n / what_if.cpu_seconds, 4000),
            ))
        if experiments:
            what_if_big = self.run(sim, "ours", f"memory-{m}-what-if", history=False, experiments=experiments)
            self.figures["s5_memory_what_if"] = asdict(what_if_big)
            self.add(Row(
                f"5. what-if, ours with `{experiments}`: peak memory at {m:,} tickets, MB (1 run)",
                f"{what_if_big.max_rss_mb:,.0f}", "", "", "", "<= 400", verdict(what_if_big.max_rss_mb <= 400, what_if_big.max_rss_mb, 400, higher_is_better=False),
            ))
        self.drop_sim(m)

    def scenario_6(self) -> None:
        n = self.sizes.models
        say(f"scenario 6: building every model, materialised, over {n:,} tickets on DuckDB (median of 3)")
        output = subprocess.run(
            [sys.executable, str(BENCH / "models_speed.py"), "--tickets", str(n), "--repeat", "3"],
            capture_output=True, text=True, check=True,
        ).stdout
        median = float(re.search(r"median ([0-9.]+)s", output).group(1))  # type: ignore[union-attr]
        self.figures["s6"] = {"median_seconds": median, "output": output}
        say(f"  models: median {median:.2f} s")
        self.add(Row(f"6. model build over {n:,} tickets (DuckDB, median of 3), s", f"{median:.1f}",
                     "n/a (no models)", "", "", "<= 10", verdict(median <= 10, median, 10, higher_is_better=False)))

    def load_floor(self, workdir: Path) -> dict[str, Any]:
        """``bench/load_floor.py`` over a finished sync's packages: what DuckDB alone spends loading them."""
        target = self.workdir("load-floor") / "floor.duckdb"
        output = subprocess.run([sys.executable, str(BENCH / "load_floor.py"), str(workdir), "--target", str(target)],
                                capture_output=True, text=True, check=True).stdout
        figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        shutil.rmtree(target.parent, ignore_errors=True)
        say(f"  DuckDB's own load: {figures['cpu_seconds']} CPU-s {figures['cpu_by_part']}")
        return figures

    def profiles(self) -> None:
        """Sample a first sync of each side with py-spy and say where the CPU goes."""
        from profile_sync import breakdown, render

        if shutil.which("py-spy") is None:
            self.notes.append("Profile skipped: py-spy is not installed (pip install py-spy).")
            return
        n = min(self.sizes.first_sync, 10_000)
        say(f"profiling a first sync of {n:,} tickets (history off) with py-spy")
        sim = self.sim(n)
        for side in ("ours", "baseline"):
            raw = self.log_dir / f"profile-{side}-{n}.raw"
            workdir = self.workdir(f"{side}-profile")
            command = ["py-spy", "record", "-r", "100", "-f", "raw", "-o", str(raw), "--",
                       sys.executable, str(BENCH / "sync_worker.py"), "--side", side, "--base-url", sim.base_url,
                       "--api-key", sim.api_key, "--auth-code", sim.auth_code, "--workdir", str(workdir),
                       "--history", "off", "--budget", "60000", "--concurrency", "4"]
            subprocess.run(command, capture_output=True, check=True)
            shares = breakdown(raw)
            self.figures[f"profile_{side}"] = shares
            self.notes.append(f"CPU profile of a first sync of {n:,} tickets, {side}: {render(shares)}.")
            say(f"  {side}: {render(shares)}")


def ratio(ours: float, baseline: float) -> str:
    if not baseline or math.isnan(ours) or math.isnan(baseline):
        return ""
    return f"{ours / baseline:.2f}x"


def verdict(met: bool, value: float | None = None, target: float | None = None, higher_is_better: bool = True) -> str:
    """``met``, or by how much the figure misses its target."""
    if met:
        return "met"
    if value is None or not target:
        return "MISSED"
    if higher_is_better:
        return f"MISSED ({value / target:.0%} of target)"
    return f"MISSED (+{value / target - 1:.0%} over)"


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def machine() -> str:
    import dlt

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, dlt {dlt.__version__}")


def table(rows: list[Row]) -> str:
    header = ("scenario", "ours", "baseline (rest_api)", "ours/baseline", "API ceiling", "target", "")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join((row.scenario, row.ours, row.baseline, row.ratio, row.ceiling, row.target,
                                         row.verdict)) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes)")
    parser.add_argument("--scenario", type=int, action="append", choices=range(1, 7), help="run only these")
    parser.add_argument("--profile", action="store_true", help="sample a first sync of each side with py-spy")
    parser.add_argument("--what-if", default="",
                        help="scenario 5 also runs ours with these sync_worker experiments, e.g. "
                        "rows (the row-dict path of before issue 16), checkpoint=10000, duckdb-memory=100MB")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of ours in scenario 5 (default 3): 1 when a loaded machine makes each run slow")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (pipelines, DuckDB files, logs)")
    args = parser.parse_args(argv)

    sizes = QUICK if args.quick else Sizes()
    if args.repeat:
        sizes = replace(sizes, repeat=args.repeat)
    chosen = sorted(set(args.scenario or range(1, 7)))
    out_dir = ROOT / ".bench"
    out_dir.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="hf-bench-"))
    bench = Bench(sizes, work, out_dir / "logs", profile=args.profile)
    started = time.perf_counter()
    say(f"work directory {work}; logs in {bench.log_dir}")
    steps: dict[int, Callable[[], None]] = {
        1: bench.scenario_1, 2: bench.scenario_2, 3: bench.scenario_3,
        5: lambda: bench.scenario_5(args.what_if), 6: bench.scenario_6,
    }
    # 3 continues 1's warehouses; 2 reuses 5's 50,000-ticket first syncs; 6 stands alone.
    # 4 (two minutes of paced GETs, little CPU) runs beside 1 and 3, which count GETs
    # only; it is over before 5 measures CPU and time.
    order = [step for step in (1, 3, 5, 2, 6) if step in chosen]
    rate_errors: list[BaseException] = []

    def rate_scenario() -> None:
        try:
            bench.scenario_4()
        except BaseException as error:  # re-raised in the main thread
            rate_errors.append(error)

    rate = threading.Thread(target=rate_scenario, name="scenario-4", daemon=True) if 4 in chosen else None
    try:
        if rate is not None:
            rate.start()
        for step in order:
            if step not in (1, 3) and rate is not None:
                rate.join()
                rate = None
            steps[step]()
        if rate is not None:
            rate.join()
        if rate_errors:
            raise rate_errors[0]
        if args.profile:
            bench.profiles()
    finally:
        bench.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    bench.rows.sort(key=lambda row: int(row.scenario.split(".", 1)[0]))
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n".join([
        f"- Machine: {machine()}",
        f"- Run: {when}, {'--quick' if args.quick else 'default sizes'}, scenarios {','.join(map(str, chosen))}, "
        f"{elapsed / 60:.1f} min",
        "",
        table(bench.rows),
        "",
        *(f"- {note}" for note in bench.notes),
    ])
    print(report)
    (out_dir / "latest.md").write_text(report + "\n")
    (out_dir / "latest.json").write_text(json.dumps(
        {"machine": machine(), "when": when, "quick": args.quick, "scenarios": chosen,
         "rows": [asdict(row) for row in bench.rows], "notes": bench.notes, "figures": bench.figures},
        indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
