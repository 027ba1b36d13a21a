"""`happyfox-sync webhooks` as a user runs it: a subprocess on loopback, beside the scheduled
sync, killed with SIGKILL and restarted."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from happyfox_simulator.webhooks import WebhookSender, WebhookSettings as Delivery
from tests.reliability.rel_support import CliRun, CliWarehouse, cli_environment, figures, run_cli, start_cli
from tests.support.compare import assert_no_duplicate_keys, assert_warehouse_equals_truth
from tests.support.harness import helpdesk, running
from tests.webhooks.wh_support import SECRET, WEBHOOK_TABLES, HttpChurn, ticket_gets

FAST = {
    "SOURCES__HAPPYFOX__WEBHOOK_SECRET": SECRET,
    "HAPPYFOX_SYNC__WEBHOOKS__BATCH_SECONDS": "0.2",
    "HAPPYFOX_SYNC__WEBHOOKS__PUBLISH_INTERVAL_SECONDS": "0",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class CliReceiver:
    """A `happyfox-sync webhooks` process and its address."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.run: CliRun = start_cli(["webhooks", "--port", str(self.port)], workdir, env)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.run.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the receiver did not start: {self.run.output[-2000:]}")
            time.sleep(0.1)

    def health(self) -> dict[str, Any]:
        return httpx.get(self.url + "/health", timeout=30).json()

    def wait_loaded(self, timeout: float = 90.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.health()
            if health["queue_depth"] == 0 and not health["loading"]:
                return health
            time.sleep(0.1)
        raise TimeoutError(f"still queued: {self.health()}")

    def stop(self) -> int:
        self.run.process.terminate()
        return self.run.wait(120)


def _queue_depth(workdir: Path) -> int:
    with sqlite3.connect(workdir / "dlt-data" / "pipelines" / "happyfox_sync.webhooks.sqlite") as queue:
        return int(queue.execute("select count(*) from deliveries").fetchone()[0])


def test_without_a_webhook_secret_the_receiver_refuses_to_start_with_exit_2_and_one_line(tmp_path: Path) -> None:
    result = run_cli(["webhooks", "--port", str(_free_port())], tmp_path, cli_environment(tmp_path), timeout=60)
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("happyfox-sync: error: missing configuration: sources.happyfox.webhook_secret")
    assert "SOURCES__HAPPYFOX__WEBHOOK_SECRET" in lines[0]


def test_a_bad_batch_setting_is_exit_2_naming_it(tmp_path: Path) -> None:
    env = cli_environment(tmp_path, **{**FAST, "HAPPYFOX_SYNC__WEBHOOKS__BATCH_TICKETS": "lots"})
    result = run_cli(["webhooks", "--port", str(_free_port())], tmp_path, env, timeout=60)
    assert result.code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "happyfox-sync: error: happyfox_sync.webhooks.batch_tickets must be a number, not 'lots'"
    )
    assert SECRET not in result.output


@pytest.mark.timeout(600)
def test_a_receiver_killed_after_acknowledging_and_before_loading_loses_nothing_after_a_restart(tmp_path: Path) -> None:
    with running(helpdesk(150, seed=40)) as simulator:
        env = cli_environment(tmp_path, simulator, **FAST)
        assert run_cli(["--no-models"], tmp_path, env).code == 0
        holding = {**env, "HAPPYFOX_SYNC__WEBHOOKS__BATCH_SECONDS": "3600", "HAPPYFOX_SYNC__WEBHOOKS__BATCH_TICKETS": "100000"}
        first = CliReceiver(tmp_path, holding)
        churn = HttpChurn(simulator, seed=40)
        with WebhookSender(simulator, Delivery(url=first.url + "/happyfox/webhook", secret=SECRET, duplicate_rate=0.2,
                                               reorder_window=5, seed=40)) as sender:
            churn.write(50)
            assert sender.wait_idle(60)
        acknowledged = sender.stats.delivered
        assert first.health()["received"] == acknowledged
        first.run.kill()
        assert first.run.code == -9
        assert _queue_depth(tmp_path) == acknowledged
        gets = simulator.stats.total_gets
        second = CliReceiver(tmp_path, env)
        health = second.wait_loaded()
        assert second.stop() == 0
        churn.close()
        warehouse = CliWarehouse(tmp_path)
        assert simulator.stats.total_gets == gets
        assert _queue_depth(tmp_path) == 0
        assert health["loaded"] + health["stale_skipped"] == acknowledged
        assert_no_duplicate_keys(warehouse)
        rows = assert_warehouse_equals_truth(warehouse, simulator, tables=WEBHOOK_TABLES)
    figures("webhook kill -9", acknowledged=acknowledged, loaded_after_restart=health["loaded"],
            not_newer=health["stale_skipped"], rows_compared=rows)
    for run in (first.run, second.run):
        assert SECRET not in run.output


@pytest.mark.timeout(900)
def test_the_receiver_and_a_scheduled_sync_at_once_both_succeed_and_nothing_is_duplicated(tmp_path: Path) -> None:
    with running(helpdesk(600, seed=41), latency_seconds=0.002) as simulator:
        env = cli_environment(tmp_path, simulator, **FAST)
        assert run_cli(["--no-models"], tmp_path, env).code == 0
        receiver = CliReceiver(tmp_path, env)
        churn = HttpChurn(simulator, seed=41)
        stop = threading.Event()
        sender = WebhookSender(simulator, Delivery(url=receiver.url + "/happyfox/webhook", secret=SECRET,
                                                   duplicate_rate=0.2, reorder_window=4, seed=41)).start()

        def keep_writing() -> None:
            while not stop.is_set():
                churn.write(3)
                time.sleep(0.2)

        writer = threading.Thread(target=keep_writing, daemon=True)
        writer.start()
        codes = []
        overlapped = 0
        try:
            for _ in range(2):
                deadline = time.monotonic() + 60
                while not receiver.health()["loading"] and time.monotonic() < deadline:
                    time.sleep(0.01)
                overlapped += bool(receiver.health()["loading"])
                codes.append(run_cli(["--no-models", "--reconcile"], tmp_path, env).code)
        finally:
            stop.set()
            writer.join(30)
        assert sender.wait_idle(60)
        health = receiver.wait_loaded()
        sender.stop()
        churn.close()
        final = run_cli(["--no-models"], tmp_path, env)
        assert receiver.stop() == 0
        warehouse = CliWarehouse(tmp_path)
        assert codes == [0, 0]
        assert final.code == 0, final.output[-2000:]
        assert health["last_error"] is None and health["loaded"] > 0
        assert_no_duplicate_keys(warehouse)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    figures("webhook beside sync", syncs_started_during_a_batch=overlapped, writes=sum(churn.kinds.values()),
            deliveries=sender.stats.delivered, loaded=health["loaded"], batches=health["batches"], rows_compared=rows)
    assert overlapped >= 1


@pytest.mark.timeout(900)
def test_a_receiver_killed_while_its_loader_normalizes_or_loads_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    from tests.reliability.rel_support import pipeline_phase, wait_for_phase

    with running(helpdesk(400, seed=42)) as simulator:
        env = cli_environment(tmp_path, simulator, **FAST)
        assert run_cli(["--no-models"], tmp_path, env).code == 0
        holding = {**env, "HAPPYFOX_SYNC__WEBHOOKS__BATCH_SECONDS": "3600", "HAPPYFOX_SYNC__WEBHOOKS__BATCH_TICKETS": "100000"}
        first = CliReceiver(tmp_path, holding)
        churn = HttpChurn(simulator, seed=42)
        with WebhookSender(simulator, Delivery(url=first.url + "/happyfox/webhook", secret=SECRET, duplicate_rate=0.2,
                                               reorder_window=5, seed=42)) as sender:
            churn.write(300)
            assert sender.wait_idle(120)
        acknowledged = sender.stats.delivered
        first.run.kill()
        churn.close()
        warehouse = CliWarehouse(tmp_path)
        hit = []
        for target in ("normalize", "load"):
            receiver = CliReceiver(tmp_path, {**env, "HAPPYFOX_SYNC__WEBHOOKS__BATCH_TICKETS": "60"})
            reached = wait_for_phase(receiver.run, warehouse.working_dir, target)
            hit.append(pipeline_phase(warehouse.working_dir))
            receiver.run.kill()
            assert reached and receiver.run.code == -9
        last = CliReceiver(tmp_path, env)
        health = last.wait_loaded()
        assert last.stop() == 0
        assert _queue_depth(tmp_path) == 0
        assert_no_duplicate_keys(warehouse)
        rows = assert_warehouse_equals_truth(warehouse, simulator, tables=WEBHOOK_TABLES)
    figures("webhook kill -9 mid-load", acknowledged=acknowledged, killed_in=hit, rows_compared=rows,
            loaded_by_last=health["loaded"])
    assert hit == ["normalize", "load"]
