"""`happyfox-sync report`: one self-contained HTML page a support lead opens without a BI tool.

    from happyfox_sync.report import write_report
    write_report(pipeline)                                   # ./happyfox_report.html, last 90 days
    write_report(pipeline, "/srv/share/helpdesk.html", days=30, custom_field="Product")

The page reads only the reporting models (see `sql/README.md`) through the pipeline's
dlt `sql_client`, so it works on every SQL destination the models do and every number
on it is a number of the models. It holds headline tiles, charts drawn by Vega-Lite
(inlined: the file opens offline and makes no request), an agent table and the metric
definitions. A helpdesk with no tickets yet gets "no data" panels, not an error.

The file is written to a temporary file beside the target and moved into place, so a
page served from a shared folder is never seen half-written.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from happyfox_sync.models import ModelsError, _sql_client

from .figures import Figures, Window, collect
from .page import render
from .reader import ModelReader, ReportError

__all__ = ["DEFAULT_DAYS", "DEFAULT_REPORT_PATH", "ReportError", "ReportResult", "build_figures", "write_report"]

logger = logging.getLogger(__name__)

DEFAULT_REPORT_PATH = "happyfox_report.html"
"""Where `happyfox-sync report` writes without --output: the working directory."""
DEFAULT_DAYS = 90
MAX_DAYS = 3660


@dataclass(frozen=True)
class ReportResult:
    path: Path
    bytes: int
    seconds: float
    charts: int
    """Charts drawn (panels with data)."""
    empty_panels: int
    """Chart panels that say "no data"."""


def check_days(days: Any) -> int:
    """The window length, or ReportError naming what is wrong with it."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ReportError(f"days must be a whole number from 1 to {MAX_DAYS}, not {days!r}")
    return days


def check_output(output_path: str | os.PathLike[str]) -> Path:
    """The absolute output path, or ReportError if it cannot be a file there."""
    path = Path(output_path).expanduser()
    if not path.name or path.is_dir():
        raise ReportError(f"report path {str(path)!r} is a directory; give a file name, e.g. {DEFAULT_REPORT_PATH}")
    if not path.parent.resolve().is_dir():
        raise ReportError(f"report path {str(path)!r}: folder {str(path.parent)!r} does not exist")
    return path.resolve()


def build_figures(
    pipeline: Any,
    days: int = DEFAULT_DAYS,
    *,
    reporting_dataset: Optional[str] = None,
    custom_field: Optional[str] = None,
    as_of: Optional[dt.date] = None,
) -> Figures:
    """Every figure of the page, read from the pipeline's reporting models."""
    days = check_days(days)
    as_of = as_of or dt.datetime.now(dt.timezone.utc).date()
    reporting_dataset = reporting_dataset or f"{pipeline.dataset_name}_reporting"
    try:
        client_cm = _sql_client(pipeline)
    except ModelsError as ex:
        raise ReportError(str(ex).replace("the reporting models need", "the report needs")) from ex
    with client_cm as client:
        reader = ModelReader(client, reporting_dataset)
        return collect(reader, Window(as_of, days), custom_field)


def write_report(
    pipeline: Any,
    output_path: str | os.PathLike[str] = DEFAULT_REPORT_PATH,
    days: int = DEFAULT_DAYS,
    *,
    reporting_dataset: Optional[str] = None,
    custom_field: Optional[str] = None,
    as_of: Optional[dt.date] = None,
    title: str = "HappyFox helpdesk report",
) -> ReportResult:
    """Writes the report of the last `days` UTC days ending `as_of` (default today, UTC).

    Args:
        pipeline: a dlt pipeline with a SQL destination whose reporting models are built.
        output_path: the HTML file to (over)write.
        days: the window of the charts and the agent table; tiles use its last 7 and 30 days.
        reporting_dataset: where the models are; default `<dataset>_reporting`.
        custom_field: name (or id) of the ticket custom field to chart; default the first
            choice field.
        as_of: the last day of the window.
    """
    started = time.perf_counter()
    path = check_output(output_path)
    figures = build_figures(
        pipeline, days, reporting_dataset=reporting_dataset, custom_field=custom_field, as_of=as_of
    )
    destination = (getattr(pipeline.destination, "destination_type", "") or "").rsplit(".", 1)[-1]
    source = f"{reporting_dataset or pipeline.dataset_name + '_reporting'} ({destination or 'destination'})"
    page = render(figures, title=title, source=source, generated_at=dt.datetime.now(dt.timezone.utc))
    data = page.encode("utf-8")
    _write_atomically(path, data)
    drawn = sum(1 for s in figures.charts if s.rows)
    result = ReportResult(
        path=path,
        bytes=len(data),
        seconds=round(time.perf_counter() - started, 3),
        charts=drawn,
        empty_panels=len(figures.charts) - drawn,
    )
    logger.debug("report written to %s (%.0f kB, %d charts, %.1fs)", path, result.bytes / 1024, drawn, result.seconds)
    return result


def _write_atomically(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, then a rename: readers see the old or the new page."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # readable like any file the user writes (mkstemp makes 0600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
