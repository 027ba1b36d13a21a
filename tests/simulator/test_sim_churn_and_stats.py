"""Changes between pages (seeded churn, the on_list_page hook) and request accounting."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.simulator.sim_helpdesk import helpdesk_with, ids


def pages(client, count: int) -> list[list[int]]:
    return [ids(client.get("tickets/", params={"status": "_all", "page": page})) for page in range(1, count + 1)]


def test_churn_mutates_the_store_between_pages_reproducibly_per_seed(start_sim, api):
    quiet = start_sim(helpdesk_with(40))
    busy = start_sim(helpdesk_with(40), churn_per_page=5, churn_seed=1)
    again = start_sim(helpdesk_with(40), churn_per_page=5, churn_seed=1)
    still = pages(api(quiet), 4)
    churned = pages(api(busy), 4)
    assert churned == pages(api(again), 4)
    assert churned[0] == still[0]  # churn runs after a page is built
    assert churned[1:] != still[1:]
    assert quiet.store.version == 0
    assert busy.store.version >= 4 * 5


def test_churn_writes_are_real_updates_with_fresh_timestamps(start_sim, api):
    sim = start_sim(helpdesk_with(20), churn_per_page=10, churn_seed=2)
    api(sim).get("tickets/", params={"status": "_all"})
    histories = [t["updates"] for t in sim.store.helpdesk.tickets]
    appended = [u for h in histories for u in h if u["timestamp"] == "2024-03-10 12:00:00"]
    assert len(appended) + len(sim.store.deleted_tickets) >= 10


def test_on_list_page_runs_after_each_page_so_a_deletion_shifts_later_pages(start_sim, api):
    sim = start_sim(helpdesk_with(25))
    seen: list[int] = []

    def hook(page: int) -> None:
        seen.append(page)
        if page == 1:
            sim.store.delete_ticket(25, staff_id=1)

    sim.on_list_page = hook
    client = api(sim)
    assert pages(client, 2) == [list(range(25, 15, -1)), list(range(14, 4, -1))]  # 15 is never listed
    assert seen == [1, 2]


def test_stats_count_requests_by_endpoint_template_method_and_status(start_sim, api):
    sim = start_sim(helpdesk_with(2))
    client = api(sim)
    client.get("tickets/", params={"status": "_all"})
    client.get("tickets/", params={"page": 2})
    client.get("ticket/1/")
    client.get("ticket/2/")
    client.get("ticket/3/")
    client.get("user/james@example.com/")
    client.post("ticket/1/update_tags/", json={"add": "x", "staff_id": 1})
    assert sim.stats.gets_by_endpoint == {"tickets/": 2, "ticket/<id>/": 3, "user/<email>/": 1}
    assert sim.stats.posts_by_endpoint == {"ticket/<id>/update_tags/": 1}
    assert sim.stats.methods_seen == {"GET": 6, "POST": 1}
    assert sim.stats.total_gets == 6
    assert sim.stats.responses_by_status == {200: 6, 404: 1}
    sim.stats.reset()
    assert (sim.stats.total_gets, sim.stats.gets_by_endpoint, sim.stats.responses_by_status) == (0, {}, {})


def test_concurrent_requests_are_served_concurrently_and_peak_concurrency_is_recorded(start_sim, api):
    sim = start_sim(helpdesk_with(2), latency_seconds=0.4)
    client = api(sim)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=5) as pool:
        codes = list(pool.map(lambda _: client.get("staff/").status_code, range(5)))
    elapsed = time.monotonic() - started
    assert codes == [200] * 5
    assert sim.stats.peak_concurrency == 5
    assert 0.4 <= elapsed < 1.6  # five 0.4 s responses overlapped instead of taking 2 s


def test_429s_are_counted(start_sim, api):
    sim = start_sim(helpdesk_with(1), get_limit=2)
    client = api(sim)
    for _ in range(5):
        client.get("statuses/")
    assert (sim.stats.rate_limited, sim.stats.gets_by_endpoint["statuses/"]) == (3, 5)
