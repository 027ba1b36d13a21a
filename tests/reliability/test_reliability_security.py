"""Issue item 8: credentials stay secret, plain http leaves the machine never, GET only.

Every output the sync command can produce (stdout, stderr at -q, default and -v,
tracebacks in debug logs, progress lines, the run summary) and every file it leaves
(DuckDB, dlt's traces and state) is searched for the API key, the auth code and the
Basic auth header they make.
"""

from __future__ import annotations

import base64
import socket
from pathlib import Path

import pytest

from happyfox_simulator import Simulator, SimulatorConfig
from happyfox_sync.source.helpers import ConfigurationError, HappyFoxClient
from tests.reliability.rel_support import CliWarehouse, CliRun, assert_only_gets, cli_environment, figures, mutate, run_cli
from tests.support.compare import assert_warehouse_equals_truth
from tests.support.harness import helpdesk, running

API_KEY = "hfk-5b1e0c7a93d2-only-in-the-environment"
AUTH_CODE = "hfc-e84f22a0b6c9-only-in-the-environment"
SECRETS = {
    "api key": API_KEY,
    "auth code": AUTH_CODE,
    "basic auth header": base64.b64encode(f"{API_KEY}:{AUTH_CODE}".encode()).decode(),
    "basic auth header (wrong code)": base64.b64encode(f"{API_KEY}:{AUTH_CODE}-wrong".encode()).decode(),
}
VERBOSITIES = (["-q"], [], ["-v"])


def _leaks(text: str) -> list[str]:
    return [name for name, secret in SECRETS.items() if secret in text]


def _files_leaking(folder: Path) -> dict[str, list[str]]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            names = [name for name, secret in SECRETS.items() if secret.encode() in data]
            if names:
                found[str(path.relative_to(folder))] = names
    return found


def _error_lines(run: CliRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("happyfox-sync: error:")]


@pytest.mark.timeout(300)
def test_the_api_key_and_auth_code_appear_in_no_output_or_file_of_any_run_at_any_verbosity(tmp_path: Path) -> None:
    config = {"api_key": API_KEY, "auth_code": AUTH_CODE, "fault_rate": 0.08, "stall_seconds": 1.5, "fault_seed": 8}
    outputs: dict[str, CliRun] = {}
    with running(helpdesk(40, seed=81), **config) as simulator:
        for number, verbosity in enumerate(VERBOSITIES):
            name = " ".join(verbosity) or "default"
            workdir = tmp_path / f"v{number}"
            workdir.mkdir()
            env = cli_environment(workdir, simulator, SOURCES__HAPPYFOX__REQUEST_TIMEOUT_SECONDS=0.5)
            # a first sync with retries logged; at -v also an incremental run with --reconcile and an estimate
            for args in ([], ["--reconcile"], ["--estimate"]) if verbosity == ["-v"] else ([],):
                mutate(simulator, 10, seed=810 + number)
                run = outputs[f"{name} {' '.join(args) or 'sync'}"] = run_cli([*verbosity, *args], workdir, env)
                assert run.code == 0, run.output[-2000:]
            # wrong credentials at every verbosity; an unreachable host and a lockout at default and -v
            run = outputs[f"{name} wrong credentials"] = run_cli(verbosity, workdir, {**env, "SOURCES__HAPPYFOX__AUTH_CODE": AUTH_CODE + "-wrong"})
            assert run.code == 3, run.output[-2000:]
            if verbosity == ["-q"]:
                continue
            unreachable = {"SOURCES__HAPPYFOX__BASE_URL": f"http://127.0.0.1:{_closed_port()}", "SOURCES__HAPPYFOX__MAX_RETRIES": "1"}
            run = outputs[f"{name} unreachable"] = run_cli(verbosity, workdir, {**env, **unreachable})
            assert run.code == 4, run.output[-2000:]
            simulator.config.get_limit = 1
            run = outputs[f"{name} lockout"] = run_cli(verbosity, workdir, {**env, "SOURCES__HAPPYFOX__WAIT_ON_LOCKOUT": "false"})
            simulator.config.get_limit = 1_000_000
            simulator.reset_rate_limits()
            assert run.code == 5, run.output[-2000:]
        faults = sum(simulator.stats.faults_injected.values())
    leaks = {name: _leaks(run.output) for name, run in outputs.items() if _leaks(run.output)}
    assert leaks == {}
    assert _files_leaking(tmp_path) == {}
    assert "Traceback" in outputs["-v wrong credentials"].output  # -v prints the failure detail: searched too
    assert "retry" in outputs["-v sync"].output.lower()  # retries were logged: searched too
    figures("security/no secret in output", runs=len(outputs), verbosities=3, faults=faults,
            output_chars=sum(len(run.output) for run in outputs.values()))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_wrong_credentials_give_one_clear_line_and_exit_code_3(tmp_path: Path) -> None:
    with running(helpdesk(5, seed=82), api_key=API_KEY, auth_code=AUTH_CODE) as simulator:
        env = cli_environment(tmp_path, simulator, SOURCES__HAPPYFOX__AUTH_CODE="not-the-code")
        run = run_cli([], tmp_path, env)
        gets = simulator.stats.total_gets
        base_url = simulator.base_url
    assert run.code == 3
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines == _error_lines(run), run.stderr
    assert len(lines) == 1
    assert "rejected the API key / auth code" in lines[0] and base_url in lines[0]
    assert "not-the-code" not in run.output and API_KEY not in run.output
    assert gets <= 8  # stops at the first 401s instead of retrying them
    figures("security/wrong credentials", exit_code=run.code, gets=gets, message=lines[0][:120])


def test_plain_http_to_a_host_other_than_loopback_is_refused_before_any_request(tmp_path: Path) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to listen on")
    config = SimulatorConfig(api_key=API_KEY, auth_code=AUTH_CODE)
    with Simulator(helpdesk(5, seed=83), config, host=address) as simulator:
        env = cli_environment(tmp_path, simulator)
        assert env["SOURCES__HAPPYFOX__BASE_URL"].startswith(f"http://{address}:")
        run = run_cli([], tmp_path, env)
        with pytest.raises(ConfigurationError):
            HappyFoxClient(simulator.base_url, API_KEY, AUTH_CODE)
        seen = dict(simulator.stats.methods_seen)
    assert run.code == 2, run.output[-2000:]
    lines = _error_lines(run)
    assert len(lines) == 1 and "http://" in lines[0] and "https://" in lines[0]
    assert seen == {}  # the listening host never heard from the sync
    assert _leaks(run.output) == []
    figures("security/plain http refused", host=address, exit_code=run.code, requests_seen=sum(seen.values()))


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_simulator_sees_nothing_but_get_from_every_kind_of_run(tmp_path: Path) -> None:
    with running(helpdesk(50, seed=84), fault_rate=0.05, fault_kinds=("500", "reset", "truncated"), fault_seed=9) as simulator:
        env = cli_environment(tmp_path, simulator, SOURCES__HAPPYFOX__CONTACTS_SWEEP_HOURS=0)
        runs = [["--estimate"], [], ["--resources", "tickets,contacts"], ["models"], ["--full-refresh"], ["--reconcile"]]
        for number, args in enumerate(runs):
            mutate(simulator, 15, seed=840 + number)
            run = run_cli(args, tmp_path, env)
            assert run.code == 0, (args, run.output[-2000:])
        gets = assert_only_gets(simulator)
        downloads = simulator.stats.attachment_downloads
        rows = assert_warehouse_equals_truth(CliWarehouse(tmp_path), simulator)
    assert downloads == 0  # nor does it follow the signed attachment URLs
    figures("security/GET only", runs=len(runs), gets=gets, other_methods=0, rows_compared=rows)
