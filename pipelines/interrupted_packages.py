"""Clean up after a process killed inside dlt's normalize commit, so the next run can load.

dlt commits a normalized package by renaming ``load/new/<id>`` to
``load/normalized/<id>`` and then deleting the extracted package
``normalize/extracted/<id>`` ("Committing storage, do not kill this process"). A SIGKILL
between the two leaves the package in both places; the next run normalizes the
extracted copy again and fails on every run after with ``Directory not empty`` when it
renames it over the committed one. The committed copy is complete (the rename is
atomic), so the stale copies are removed before dlt looks at pending packages.
Both the scheduled sync and the webhook loader call this; both can be killed there.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import dlt

logger = logging.getLogger("happyfox_sync")

COMMITTED = (("load", "normalized"), ("load", "loaded"))
STALE = (("normalize", "extracted"), ("load", "new"))


def drop_superseded_packages(pipeline: dlt.Pipeline) -> list[str]:
    """Remove extracted or half-normalized copies of packages dlt already committed; return their ids."""
    root = Path(pipeline.working_dir)
    committed = {
        entry.name
        for parts in COMMITTED
        if (root.joinpath(*parts)).is_dir()
        for entry in root.joinpath(*parts).iterdir()
        if entry.is_dir()
    }
    removed: list[str] = []
    for parts in STALE:
        folder = root.joinpath(*parts)
        for load_id in sorted(committed):
            stale = folder / load_id
            if stale.is_dir():
                shutil.rmtree(stale)
                removed.append(load_id)
    if removed:
        logger.info("removed stale copies of packages already committed by an interrupted run: %s",
                    ", ".join(sorted(set(removed))))
    return removed
