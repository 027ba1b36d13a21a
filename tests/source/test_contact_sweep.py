"""The contact sweep is checked against the API's totals, like a ticket window."""

from __future__ import annotations

from pathlib import Path

from tests.support import truth
from tests.support.harness import Warehouse, client_for, helpdesk, running


def _pad_to_full_pages(simulator) -> int:
    """Create contacts until there are two or more users/ pages, the last one full; return how many."""
    store = simulator.store
    while len(store.helpdesk.contacts) % 50 or len(store.helpdesk.contacts) < 100:
        number = len(store.helpdesk.contacts)
        store.create_contact(name=f"Padding {number}", email=f"padding{number}@example.com")
    return len(store.helpdesk.contacts)


def test_a_contact_created_while_the_sweep_pages_is_loaded_by_the_same_sweep(tmp_path: Path) -> None:
    desk = helpdesk(60)
    with running(desk) as simulator:
        before = _pad_to_full_pages(simulator)
        created: list[int] = []

        def create_after_page_one(page: int) -> None:
            if page == 1 and not created:
                created.append(simulator.store.create_contact(name="Late Comer", email="late@example.com")["id"])

        simulator.on_contact_page = create_after_page_one
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            pipeline = warehouse.sync(client, resources=("contacts",))
            gets = client.stats.gets_by_endpoint["users/"]
    assert len(created) == 1
    assert set(warehouse.query("select id, name, email from contacts")) == truth.contacts(desk)
    assert warehouse.count("contacts") == before + 1
    assert gets == before // 50 + (before // 50 + 1)  # a pass that saw totals change, then a stable one
    assert pipeline.state["sources"]["happyfox"]["resources"]["contacts"].get("swept_at") is not None


def test_a_sweep_that_never_sees_stable_totals_is_not_recorded_as_done(tmp_path: Path) -> None:
    desk = helpdesk(60)
    with running(desk) as simulator:
        _pad_to_full_pages(simulator)

        def create_after_every_page_one(page: int) -> None:
            if page == 1:
                number = len(simulator.store.helpdesk.contacts)
                simulator.store.create_contact(name=f"Churn {number}", email=f"churn{number}@example.com")

        simulator.on_contact_page = create_after_every_page_one
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            pipeline = warehouse.sync(client, resources=("contacts",))
    assert pipeline.state["sources"]["happyfox"]["resources"].get("contacts", {}).get("swept_at") is None
