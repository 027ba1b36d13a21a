"""The sync runs with fewer cyclic collections and gives the caller's settings back."""

from __future__ import annotations

import gc

import pytest

from happyfox_sync.gc_tuning import SYNC_GEN0_THRESHOLD, fewer_collections


@pytest.fixture
def callers_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(500, 7, 9)
    yield (500, 7, 9)
    gc.set_threshold(*before)


def test_generation_0_is_collected_every_100000_allocations_inside_the_block(callers_thresholds) -> None:
    with fewer_collections():
        assert gc.get_threshold() == (SYNC_GEN0_THRESHOLD, 7, 9)
    assert SYNC_GEN0_THRESHOLD == 100_000


def test_objects_alive_at_the_start_are_frozen_inside_the_block_and_unfrozen_after(callers_thresholds) -> None:
    with fewer_collections():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_the_callers_thresholds_come_back_after_a_failure(callers_thresholds) -> None:
    with pytest.raises(RuntimeError):
        with fewer_collections():
            raise RuntimeError("sync failed")
    assert gc.get_threshold() == (500, 7, 9)
    assert gc.get_freeze_count() == 0
