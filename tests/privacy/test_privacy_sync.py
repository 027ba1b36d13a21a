"""Privacy settings end to end: the simulator, the real source, DuckDB files, the models.

Every test scans all a sync leaves behind (each table and view of the raw, staging
and reporting datasets, dlt's own tables with the state decompressed, every file
under the pipeline's working directory, Parquet decoded) for the words the
simulator's store holds: see :mod:`tests.privacy.scan`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest

from happyfox_simulator import Helpdesk, Simulator
from happyfox_sync.models import build_models
from happyfox_sync.source.privacy import PrivacyConfigError, PrivacyPolicy, policy_from_settings
from happyfox_sync.source.privacy_warehouse import (
    STATE_KEY,
    compact_after_rewrite,
    rewrite_loaded_rows,
)
from tests.privacy import scan
from tests.support.harness import HelpdeskUser, Warehouse, client_for, helpdesk, running

KEY = "5f1c0ffee0ddba11c0ffee0ddba11c0f"
OTHER_KEY = "aa" * 16
TICKETS = 120

SETTINGS = [("drop", "keep"), ("keep", "hash"), ("keep", "drop"), ("drop", "hash"), ("drop", "drop")]
PUBLIC_MODELS = (
    "ticket_metrics",
    "ticket_status_history",
    "agent_daily_activity",
    "daily_backlog",
    "ticket_custom_field_history",
    "ticket_custom_fields_current",
)


def policy(message_bodies: str, contact_pii: str, key: str = KEY) -> PrivacyPolicy:
    return policy_from_settings(message_bodies, contact_pii, key if contact_pii == "hash" else None)


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with running(helpdesk(TICKETS, seed=11)) as sim:
        yield sim


@pytest.fixture(scope="module")
def desk(simulator: Simulator) -> Helpdesk:
    return simulator.helpdesk


def synced(folder: Path, simulator: Simulator, privacy: PrivacyPolicy | None, **options: Any) -> Warehouse:
    """One sync with ``privacy`` (None: the configured default), then the models as tables,
    then the compaction the sync command makes after the models of a run that switched."""
    warehouse = Warehouse(folder)
    pipeline = warehouse.sync(client_for(simulator), privacy=privacy, **options)
    build_models(pipeline, materialize=True)
    compact_after_rewrite(pipeline)
    return warehouse


def everything(warehouse: Warehouse) -> dict[str, str]:
    texts = {f"db:{place}": text for place, text in scan.database_text(warehouse.database).items()}
    texts["raw bytes of the DuckDB file"] = scan.file_text(warehouse.database)
    working_dir = warehouse.folder / "pipelines" / warehouse.name
    texts.update({f"file:{place}": text for place, text in scan.directory_text(working_dir).items()})
    return texts


def needles(desk: Helpdesk, message_bodies: str, contact_pii: str) -> set[str]:
    return scan.needles_for(desk, bodies=message_bodies == "drop", contacts=contact_pii != "keep")


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory, simulator: Simulator) -> Warehouse:
    return synced(tmp_path_factory.mktemp("keep"), simulator, None)


@pytest.fixture(scope="module")
def synced_with(tmp_path_factory: pytest.TempPathFactory, simulator: Simulator) -> Any:
    """A first sync under each setting, made once and shared by the tests that only read it."""
    made: dict[tuple[str, str], Warehouse] = {}

    def get(message_bodies: str, contact_pii: str) -> Warehouse:
        if (message_bodies, contact_pii) not in made:
            folder = tmp_path_factory.mktemp(f"{message_bodies}-{contact_pii}")
            made[message_bodies, contact_pii] = synced(folder, simulator, policy(message_bodies, contact_pii))
        return made[message_bodies, contact_pii]

    return get


def tickets_per_contact(warehouse: Warehouse) -> dict[Any, int]:
    return dict(warehouse.query("select contact_id, count(*) from tickets group by contact_id"))


def test_the_scan_finds_what_a_sync_that_keeps_everything_loads(kept: Warehouse, desk: Helpdesk) -> None:
    texts = everything(kept)
    bodies = scan.leaks(needles(desk, "drop", "keep"), texts)
    contacts = scan.leaks(needles(desk, "keep", "drop"), texts)
    assert "db:happyfox.ticket_updates.message__text" in bodies
    assert "db:happyfox.tickets.subject" in bodies
    assert "db:happyfox_reporting.ticket_metrics.subject" in bodies
    assert "db:happyfox.contacts.email" in contacts
    assert "db:happyfox.contacts.primary_phone__number" in contacts
    assert "db:happyfox_staging.contacts.name" in contacts
    assert any(place.startswith("file:load/loaded/") and place.endswith(".parquet") for place in contacts)
    assert "raw bytes of the DuckDB file" in contacts


@pytest.mark.parametrize(("message_bodies", "contact_pii"), SETTINGS)
def test_no_dropped_or_hashed_value_is_left_anywhere(
    synced_with: Any, desk: Helpdesk, message_bodies: str, contact_pii: str
) -> None:
    warehouse = synced_with(message_bodies, contact_pii)
    wanted = needles(desk, message_bodies, contact_pii)
    assert len(wanted) > 100
    assert scan.leaks(wanted, everything(warehouse)) == {}


def test_hashed_contacts_count_the_same_tickets_as_kept_ones(synced_with: Any, kept: Warehouse) -> None:
    hashing = policy("keep", "hash")
    warehouse = synced_with("keep", "hash")
    expected = {hashing.pseudonym(contact): count for contact, count in tickets_per_contact(kept).items()}
    assert tickets_per_contact(warehouse) == expected
    by_email = "select c.email, count(*) from tickets t join contacts c on c.id = t.contact_id group by c.email"
    assert dict(warehouse.query(by_email)) == {
        hashing.hash_text("email", email): count for email, count in kept.query(by_email)
    }


def test_dropped_contact_details_keep_the_contact_ids_and_their_counts(synced_with: Any, kept: Warehouse) -> None:
    warehouse = synced_with("keep", "drop")
    assert tickets_per_contact(warehouse) == tickets_per_contact(kept)
    assert warehouse.query("select count(*) from contacts where name is not null or email is not null") == [(0,)]


def test_dropped_bodies_keep_message_counts_and_attachment_rows(synced_with: Any, kept: Warehouse) -> None:
    warehouse = synced_with("drop", "keep")
    messages = "select count(*) from ticket_updates where message__text is not null or message__html is not null"
    assert warehouse.query(messages) == kept.query(messages)
    assert warehouse.query("select count(*), count(filename) from ticket_attachments") == [
        (kept.count("ticket_attachments"), 0)
    ]
    assert warehouse.query("select count(*) from ticket_updates where message__text <> ''") == [(0,)]


def expected_model_rows(kept: Warehouse, model: str, privacy: PrivacyPolicy) -> list[tuple[Any, ...]]:
    """The model's rows under ``privacy``: the kept rows with only identity columns changed."""
    columns = [name for (name,) in kept.query(
        f"select column_name from information_schema.columns where table_schema = 'happyfox_reporting' "
        f"and table_name = '{model}' order by ordinal_position"
    )]
    rows = []
    for row in kept.query(f"select * from happyfox_reporting.{model}"):
        values = dict(zip(columns, row))
        if model == "ticket_metrics":
            if privacy.drops_bodies:
                values["subject"] = None
            if privacy.contact_pii == "hash":
                values["contact_id"] = privacy.pseudonym(values["contact_id"])
                values["contact_name"] = privacy.hash_text("name", values["contact_name"])
            elif privacy.contact_pii == "drop":
                values["contact_name"] = None
        if model == "ticket_status_history" and values["changed_by_type"] == "user" and privacy.contact_pii == "hash":
            values["changed_by_id"] = privacy.pseudonym(values["changed_by_id"])
        rows.append(tuple(values[name] for name in columns))
    return sorted(rows, key=repr)


@pytest.mark.parametrize(("message_bodies", "contact_pii"), SETTINGS)
def test_the_reporting_models_give_the_same_metrics_under_every_setting(
    synced_with: Any, kept: Warehouse, message_bodies: str, contact_pii: str
) -> None:
    privacy = policy(message_bodies, contact_pii)
    warehouse = synced_with(message_bodies, contact_pii)
    for model in PUBLIC_MODELS:
        actual = sorted(warehouse.query(f"select * from happyfox_reporting.{model}"), key=repr)
        assert actual == expected_model_rows(kept, model, privacy), model


def loaded_packages(warehouse: Warehouse) -> int:
    return len(list((warehouse.folder / "pipelines" / warehouse.name / "load" / "loaded").iterdir()))


def test_switching_on_later_leaves_nothing_of_the_earlier_values(
    tmp_path: Path, simulator: Simulator, desk: Helpdesk, kept: Warehouse
) -> None:
    first = synced(tmp_path, simulator, None)
    assert scan.leaks(needles(desk, "drop", "hash"), everything(first)) != {}
    hashing = policy("drop", "hash")
    warehouse = synced(tmp_path, simulator, hashing)
    assert warehouse.loads[-1].get("tickets", 0) == 0  # nothing re-read: the rows were rewritten in place
    assert scan.leaks(needles(desk, "drop", "hash"), everything(warehouse)) == {}
    expected = {hashing.pseudonym(contact): count for contact, count in tickets_per_contact(kept).items()}
    assert tickets_per_contact(warehouse) == expected
    assert warehouse.count("contacts") == kept.count("contacts")
    for model in PUBLIC_MODELS:
        actual = sorted(warehouse.query(f"select * from happyfox_reporting.{model}"), key=repr)
        assert actual == expected_model_rows(kept, model, hashing), model


def test_the_rewrite_runs_once_per_change_of_settings(tmp_path: Path, simulator: Simulator) -> None:
    synced(tmp_path, simulator, None)
    warehouse = synced(tmp_path, simulator, policy("drop", "hash"))
    assert loaded_packages(warehouse) == 1  # the earlier package was removed by the rewrite
    pipeline = warehouse.sync(client_for(simulator), privacy=policy("drop", "hash"))
    assert loaded_packages(warehouse) == 2  # same settings: nothing rewritten, nothing removed
    assert pipeline.state["sources"]["happyfox"][STATE_KEY] == {
        "message_bodies": "drop",
        "contact_pii": "hash",
        "pii_contact_custom_fields": [],
        "hash_key_fingerprint": policy("drop", "hash").key_fingerprint,
    }


def test_a_different_hash_key_is_refused_before_anything_is_loaded(tmp_path: Path, simulator: Simulator) -> None:
    warehouse = synced(tmp_path, simulator, policy("keep", "hash"))
    before = warehouse.query("select id, name from contacts order by id")
    with pytest.raises(Exception) as failed:
        warehouse.sync(client_for(simulator), privacy=policy("keep", "hash", OTHER_KEY))
    chain = [failed.value]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    refusal = next(error for error in chain if isinstance(error, PrivacyConfigError))
    assert str(refusal).startswith("sources.happyfox.pii_hash_key is not the key this warehouse's contacts were hashed with")
    assert OTHER_KEY not in str(refusal) and KEY not in str(refusal)
    assert warehouse.query("select id, name from contacts order by id") == before


def test_turning_bodies_back_on_affects_only_what_is_loaded_from_then_on(
    tmp_path: Path, simulator: Simulator
) -> None:
    warehouse = synced(tmp_path, simulator, policy("drop", "keep"))
    user = HelpdeskUser(simulator)
    try:
        created = user.create_ticket(subject="Printer on fire", text="It is really on fire")
    finally:
        user.close()
    synced(tmp_path, simulator, None)
    new_id = created["id"]
    assert warehouse.query(f"select subject from tickets where id = {new_id}") == [("Printer on fire",)]
    assert warehouse.query(f"select message__text from ticket_updates where ticket_id = {new_id}") == [("It is really on fire",)]
    assert warehouse.query(f"select count(*) from tickets where id <> {new_id} and subject is not null") == [(0,)]


def test_hash_then_keep_then_hash_leaves_one_row_per_contact(tmp_path: Path, simulator: Simulator, desk: Helpdesk) -> None:
    synced(tmp_path, simulator, policy("keep", "hash"))
    synced(tmp_path, simulator, None, contacts_sweep_hours=0)  # every contact loaded again, plain
    warehouse = synced(tmp_path, simulator, policy("keep", "hash"))
    hashing = policy("keep", "hash")
    assert sorted(id_ for (id_,) in warehouse.query("select id from contacts")) == sorted(
        hashing.pseudonym(contact["id"]) for contact in desk.contacts
    )
    members = warehouse.query("select contact_id, contact_group_id from contact_group_members")
    assert len(members) == len(set(members)) == sum(len(c["contact_groups"]) for c in desk.contacts)


def test_a_rewrite_repeated_after_an_interruption_changes_nothing_more(
    tmp_path: Path, simulator: Simulator
) -> None:
    warehouse = synced(tmp_path, simulator, None)
    pipeline = warehouse.pipeline()
    hashing = policy("drop", "hash")
    rewrite_loaded_rows(pipeline, hashing)
    tables = ("tickets", "ticket_updates", "contacts", "contact_custom_field_values", "contact_group_members")
    once = {table: sorted(warehouse.query(f"select * exclude (_dlt_load_id, _dlt_id) from {table}"), key=repr) for table in tables}
    report = rewrite_loaded_rows(pipeline, hashing)
    twice = {table: sorted(warehouse.query(f"select * exclude (_dlt_load_id, _dlt_id) from {table}"), key=repr) for table in tables}
    assert twice == once
    assert report.values == {}
