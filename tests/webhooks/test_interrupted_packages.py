"""A process killed inside dlt's normalize commit (package renamed to load/normalized, its
extracted copy not yet deleted) must not wedge every later run of the pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import dlt
import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from happyfox_sync.interrupted_packages import drop_superseded_packages


def _killed_in_the_commit_window(tmp_path: Path) -> dlt.Pipeline:
    pipeline = dlt.pipeline("p", pipelines_dir=str(tmp_path / "pipelines"),
                            destination=dlt.destinations.duckdb(str(tmp_path / "p.duckdb")), dataset_name="d")
    pipeline.run(dlt.resource([{"id": 1}], name="things", primary_key="id", write_disposition="merge"))
    pipeline.extract(dlt.resource([{"id": 1}, {"id": 2}], name="things", primary_key="id", write_disposition="merge"))
    extracted = Path(pipeline.working_dir) / "normalize" / "extracted"
    [package] = list(extracted.iterdir())
    shutil.copytree(package, tmp_path / "kept")
    pipeline.normalize()
    shutil.copytree(tmp_path / "kept", package)  # the state a SIGKILL between rename and delete leaves
    return pipeline


def test_without_the_cleanup_the_next_run_fails_on_the_stale_copy(tmp_path: Path) -> None:
    pipeline = _killed_in_the_commit_window(tmp_path)
    with pytest.raises(PipelineStepFailed, match="normalize"):
        pipeline.run()


def test_after_the_cleanup_the_committed_package_loads_once(tmp_path: Path) -> None:
    pipeline = _killed_in_the_commit_window(tmp_path)
    assert len(drop_superseded_packages(pipeline)) == 1
    pipeline.run()
    with duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True) as connection:
        assert connection.execute("select id from d.things order by id").fetchall() == [(1,), (2,)]
    assert not pipeline.has_pending_data
    assert drop_superseded_packages(pipeline) == []
