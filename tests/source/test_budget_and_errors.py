"""The GET budget holds under slow responses, lockouts are waited out, bad credentials say so."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from happyfox_sync.source import happyfox_source
from happyfox_sync.source.helpers import AuthenticationError, HappyFoxClient, RateLimitLockoutError
from tests.support import truth
from tests.support.harness import Warehouse, client_for, helpdesk, running


def test_slow_responses_still_use_at_least_90_percent_of_the_budget_without_a_429(tmp_path: Path) -> None:
    """1 s per response, 120 GETs/min: concurrency keeps the budget used, pacing keeps it honest."""
    desk = helpdesk(400)
    with running(desk, latency_seconds=1.0, get_limit=120, window_seconds=60.0) as simulator:
        client = HappyFoxClient(simulator.base_url, simulator.api_key, simulator.auth_code, max_gets_per_minute=120)
        warehouse = Warehouse(tmp_path)
        pipeline = warehouse.pipeline()
        source = happyfox_source(client=client, arrow_tables=False)  # items per page, so the cut lands soon after the deadline
        started = time.monotonic()
        deadline = started + 20.0

        def stop_after_the_deadline(item):  # cut at the first page after 20 s (~27 s: a page is 50 detail GETs): the rate is what is measured
            if time.monotonic() > deadline:
                raise KeyboardInterrupt
            return item

        source.tickets.add_map(stop_after_the_deadline)
        with pytest.raises(Exception):
            pipeline.extract(source)
        elapsed = time.monotonic() - started
        gets = client.stats.total_gets
        assert simulator.stats.rate_limited == 0
        assert client.stats.rate_limited == 0
        achieved_per_minute = gets * 60.0 / elapsed
        assert achieved_per_minute >= 0.9 * 120
        assert achieved_per_minute <= 120 * 1.02 + 60.0 / elapsed  # the first GET starts the clock
        client.close()


def test_a_lockout_is_waited_out_and_nothing_is_lost(tmp_path: Path) -> None:
    desk = helpdesk(60)
    with running(desk, get_limit=20, window_seconds=60.0, lockout_seconds=2.0) as simulator:
        with client_for(simulator, max_gets_per_minute=60_000, rate_limit_lockout_seconds=2.0) as client:
            warehouse = Warehouse(tmp_path)
            warehouse.sync(client)
            assert client.stats.rate_limited >= 1
        assert set(warehouse.query("select id, display_id, subject, status_id, priority_id, category_id, assignee_id, contact_id, last_modified from tickets")) == truth.tickets(simulator.helpdesk)
        assert warehouse.count("ticket_updates") == sum(len(t["updates"]) for t in simulator.helpdesk.tickets)


def test_with_waiting_switched_off_a_lockout_stops_the_run_and_the_next_run_loses_nothing(tmp_path: Path) -> None:
    desk = helpdesk(60)
    warehouse = Warehouse(tmp_path)
    with running(desk, get_limit=20, window_seconds=60.0, lockout_seconds=600.0) as simulator:
        with client_for(simulator, wait_on_lockout=False) as client:
            with pytest.raises(Exception) as failure:
                warehouse.sync(client)
        assert isinstance(_root(failure.value), RateLimitLockoutError)
        assert "locked" in str(_root(failure.value)).lower()
        simulator.config.get_limit = 1_000_000
        simulator.reset_rate_limits()
        with client_for(simulator) as client:
            warehouse.sync(client)
        assert set(warehouse.query("select id, display_id, subject, status_id, priority_id, category_id, assignee_id, contact_id, last_modified from tickets")) == truth.tickets(simulator.helpdesk)
        assert warehouse.count("ticket_updates") == sum(len(t["updates"]) for t in simulator.helpdesk.tickets)


def test_wrong_credentials_raise_an_error_naming_the_account_and_never_the_secret(tmp_path: Path) -> None:
    desk = helpdesk(5)
    secret_key, secret_code = "key-4f1c9a-not-for-logs", "code-77e2b0-not-for-logs"
    with running(desk) as simulator:
        client = HappyFoxClient(simulator.base_url, secret_key, secret_code)
        pipeline = Warehouse(tmp_path).pipeline()
        with pytest.raises(Exception) as failure:
            pipeline.run(happyfox_source(client=client))
        root = _root(failure.value)
        assert isinstance(root, AuthenticationError)
        assert simulator.base_url in str(root)
        everything = _exception_text(failure.value)
        assert secret_key not in everything
        assert secret_code not in everything
        client.close()


def _root(error: BaseException) -> BaseException:
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return error


def _exception_text(error: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(error))
