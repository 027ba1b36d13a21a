"""``python -m happyfox_simulator`` serves a generated helpdesk and prints how to reach it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from happyfox_simulator.__main__ import _parser, config_from_args

ROOT = Path(__file__).resolve().parents[2]


def test_command_line_options_become_the_config():
    args = _parser().parse_args(
        ["--get-limit", "7", "--retry-after", "--no-priorities", "--fault-kinds", "500,reset", "--search-timezone", "Asia/Tokyo"]
    )
    config = config_from_args(args)
    assert (config.get_limit, config.retry_after_header, config.priorities_endpoint) == (7, True, False)
    assert (config.fault_kinds, config.search_timezone) == (("500", "reset"), "Asia/Tokyo")


def test_the_command_prints_its_address_and_credentials_and_serves_until_terminated():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "happyfox_simulator", "--tickets", "30", "--seed", "1", "--now", "2024-03-10T12:00:00"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        printed = {}
        while "auth_code" not in printed:
            line = process.stdout.readline()
            assert line, "the simulator exited before printing its credentials"
            key, _, value = line.partition(":")
            printed[key.strip()] = value.strip()
        assert (printed["api_key"], printed["auth_code"]) == ("sim-api-key", "sim-auth-code")
        response = httpx.get(printed["api_url"] + "tickets/", params={"status": "_all"}, auth=("sim-api-key", "sim-auth-code"))
        assert response.json()["page_info"]["last_index"] == 30
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
