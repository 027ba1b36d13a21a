"""Installed = checked out: the wheel, in a fresh virtualenv, from any working directory.

These tests build the distribution's wheel, install it (with its dependencies, from the
package index as a user would) into a new virtualenv, and run the command from
directories that have nothing of the repository on the import path.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.harness import helpdesk, running

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (built,) = out.glob("happyfox_sync-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtualenv with only the wheel (and what it depends on) installed; its bin dir."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True, capture_output=True, text=True, timeout=900,
    )
    yield venv / "bin"


def user_environment(bin_dir: Path, workdir: Path) -> dict[str, str]:
    """A user's shell: the venv's bin first on PATH, nothing of the checkout importable."""
    env = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("SOURCES__", "DESTINATION__", "HAPPYFOX_SYNC__", "PYTEST", "RUNTIME__", "PYTHON"))
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["DLT_DATA_DIR"] = str(workdir / "dlt-data")
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return env


def sh(command: str, workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True, timeout=600)


def demo_commands(stdout: str) -> list[str]:
    """The commands the demo prints after "query it:", one per indented line."""
    lines = stdout.split("\nquery it:\n", 1)[1].splitlines()
    return [line.strip() for line in lines if line.startswith("  ") and line.strip()]


def a_users_own_dlt_project(folder: Path) -> Path:
    """A dlt project of the user's own, with `sources` and `pipelines` packages of its own."""
    for package in ("sources", "pipelines"):
        (folder / package).mkdir(parents=True)
        (folder / package / "__init__.py").write_text(f'"""The user\'s own {package}."""\nOWNER = "user"\n')
    (folder / "sources" / "happyfox.py").write_text('raise ImportError("the user\'s own module, not ours")\n')
    return folder


def test_the_wheel_installs_no_top_level_sources_or_pipelines_and_ships_the_models(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names if "/" in name and ".dist-info" not in name}
    assert top_level == {"happyfox_sync", "happyfox_simulator"}
    shipped_models = {Path(name).name for name in names if name.startswith("happyfox_sync/sql/") and name.endswith(".sql")}
    assert shipped_models == {path.name for path in (REPO / "sql").glob("*.sql")}
    assert "happyfox_sync/sql/README.md" in names


def test_version_prints_the_distributions_version(installed: Path, tmp_path: Path) -> None:
    result = sh("happyfox-sync --version", tmp_path, user_environment(installed, tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "happyfox-sync 0.1.0"


def test_demo_from_an_empty_directory_and_every_command_it_prints_exit_0(installed: Path, tmp_path: Path) -> None:
    env = user_environment(installed, tmp_path)
    demo = sh("happyfox-sync --demo --demo-tickets 300", tmp_path, env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    commands = demo_commands(demo.stdout)
    assert len(commands) == 3
    for command in commands:
        result = sh(command, tmp_path, env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert result.stdout.strip(), command


def test_demo_runs_inside_a_users_project_with_its_own_sources_and_pipelines(installed: Path, tmp_path: Path) -> None:
    project = a_users_own_dlt_project(tmp_path / "project")
    demo = sh("happyfox-sync --demo --demo-tickets 200", project, user_environment(installed, project))
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "tickets                            200" in demo.stdout


def test_a_users_pipeline_script_imports_the_source_the_readme_way(installed: Path, tmp_path: Path) -> None:
    project = a_users_own_dlt_project(tmp_path / "project")
    (project / "my_pipeline.py").write_text(textwrap.dedent(
        """
        import dlt
        import sources  # the user's own package, still importable beside ours
        from happyfox_sync.source import happyfox_source

        assert sources.OWNER == "user"
        pipeline = dlt.pipeline("my_happyfox", destination=dlt.destinations.duckdb("mine.duckdb"), dataset_name="hf")
        pipeline.run(happyfox_source())
        with pipeline.sql_client() as client:
            print(client.execute_sql("select count(*) from tickets")[0][0])
        """
    ))
    with running(helpdesk(40)) as simulator:
        env = user_environment(installed, project)
        env.update(SOURCES__HAPPYFOX__BASE_URL=simulator.base_url, SOURCES__HAPPYFOX__API_KEY=simulator.api_key,
                   SOURCES__HAPPYFOX__AUTH_CODE=simulator.auth_code, SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE="60000")
        result = sh(f"python {shlex.quote(str(project / 'my_pipeline.py'))}", project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "40"
