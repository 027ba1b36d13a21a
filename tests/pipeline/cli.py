"""Run `happyfox-sync` the way a user or a scheduler does: a subprocess with env vars."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from happyfox_simulator import Simulator

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def environment(workdir: Path, simulator: Simulator | None = None, **settings: Any) -> dict[str, str]:
    """A clean environment: no inherited HappyFox or destination settings, dlt data in ``workdir``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOURCES__", "DESTINATION__", "HAPPYFOX_SYNC__", "PYTEST", "RUNTIME__"))
    }
    env["DLT_DATA_DIR"] = str(workdir / "dlt-data")
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    env["PYTHONPATH"] = str(REPO)
    if simulator is not None:
        env["SOURCES__HAPPYFOX__BASE_URL"] = simulator.base_url
        env["SOURCES__HAPPYFOX__API_KEY"] = simulator.api_key
        env["SOURCES__HAPPYFOX__AUTH_CODE"] = simulator.auth_code
        env["SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE"] = "60000"
    for name, value in settings.items():
        env[name] = str(value)
    return env


def start(args: list[str], workdir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "happyfox_sync", *args],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(args: list[str], workdir: Path, env: dict[str, str], timeout: float = 240) -> Result:
    process = start(args, workdir, env)
    stdout, stderr = process.communicate(timeout=timeout)
    return Result(process.returncode, stdout, stderr)
