"""The applied policy in the source state: when a rewrite is due, and the hash key's guard.

A real dlt pipeline that has loaded nothing yet stands for the warehouse: these tests
are about the decision and the state record, the rewrite itself is proven end to end
in test_privacy_sync.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import pytest

from happyfox_sync.source.privacy import PrivacyConfigError, policy_from_settings
from happyfox_sync.source.privacy_warehouse import STATE_KEY, enforce_policy

KEY = "11" * 16
OTHER_KEY = "22" * 16


@pytest.fixture
def pipeline(tmp_path: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name="privacy_state",
        pipelines_dir=str(tmp_path / "pipelines"),
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        dataset_name="happyfox",
    )


def test_the_default_policy_on_a_state_without_a_record_writes_nothing(pipeline: dlt.Pipeline) -> None:
    state: dict[str, Any] = {}
    assert enforce_policy(pipeline, state, policy_from_settings()) is None
    assert state == {}


def test_a_stricter_policy_is_recorded_after_its_rewrite(pipeline: dlt.Pipeline) -> None:
    state: dict[str, Any] = {}
    report = enforce_policy(pipeline, state, policy_from_settings("drop", "keep"))
    assert report is not None and report.values == {}
    assert state[STATE_KEY] == {
        "message_bodies": "drop",
        "contact_pii": "keep",
        "pii_contact_custom_fields": [],
        "hash_key_fingerprint": None,
    }
    assert enforce_policy(pipeline, state, policy_from_settings("drop", "keep")) is None


def test_a_looser_policy_rewrites_nothing_and_is_recorded(pipeline: dlt.Pipeline) -> None:
    state: dict[str, Any] = {}
    enforce_policy(pipeline, state, policy_from_settings("drop", "drop"))
    assert enforce_policy(pipeline, state, policy_from_settings("keep", "keep")) is None
    assert (state[STATE_KEY]["message_bodies"], state[STATE_KEY]["contact_pii"]) == ("keep", "keep")


def test_the_last_hash_key_is_remembered_while_hashing_is_off(pipeline: dlt.Pipeline) -> None:
    state: dict[str, Any] = {}
    hashing = policy_from_settings("keep", "hash", KEY)
    enforce_policy(pipeline, state, hashing)
    enforce_policy(pipeline, state, policy_from_settings("keep", "keep"))
    assert state[STATE_KEY]["hash_key_fingerprint"] == hashing.key_fingerprint
    with pytest.raises(PrivacyConfigError, match="is not the key this warehouse's contacts were hashed with"):
        enforce_policy(pipeline, state, policy_from_settings("keep", "hash", OTHER_KEY))


def test_a_configured_key_that_drop_does_not_use_is_not_compared(pipeline: dlt.Pipeline) -> None:
    state: dict[str, Any] = {}
    hashing = policy_from_settings("keep", "hash", KEY)
    enforce_policy(pipeline, state, hashing)
    enforce_policy(pipeline, state, policy_from_settings("keep", "drop", OTHER_KEY))
    assert state[STATE_KEY]["contact_pii"] == "drop"
    assert state[STATE_KEY]["hash_key_fingerprint"] == hashing.key_fingerprint


def test_adding_a_custom_field_to_the_list_is_a_stricter_policy(pipeline: dlt.Pipeline) -> None:
    state: dict[str, Any] = {}
    enforce_policy(pipeline, state, policy_from_settings("keep", "drop", None, ["Passport"]))
    report = enforce_policy(pipeline, state, policy_from_settings("keep", "drop", None, ["Passport", "Address"]))
    assert report is not None
    assert state[STATE_KEY]["pii_contact_custom_fields"] == ["Address", "Passport"]
