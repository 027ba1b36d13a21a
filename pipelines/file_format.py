"""The loader file format a sync or a webhook batch asks dlt for, per destination.

Why this is a choice of its own: the format decides whether an empty string survives.
dlt loads CSV into PostgreSQL with ``COPY ... (FORMAT CSV, NULL '', FORCE_NULL(<every
nullable column>))``; ``FORCE_NULL`` turns a quoted ``""`` into NULL as well, so every
``''`` (``tickets.tags`` of a ticket without tags, ``ticket_custom_field_changes.from_value``
of a first value, an empty subject) arrives as NULL. dlt picks CSV on its own for Arrow
items (this source's fast path, :mod:`happyfox_sync.source.arrow_tables`) whenever the
requested Parquet is not really available: PostgreSQL lists Parquet, but only loads it
with the optional ADBC driver, and without it dlt silently drops Parquet and falls back
to the first format with a native Arrow writer, CSV.

So: Parquet where the destination really loads it (DuckDB: ~20x faster than INSERTs),
else ``insert_values`` where the destination takes it (values go as SQL literals, ``''``
stays ``''``; dlt writes Arrow items to it with its Arrow-to-INSERT writer), else dlt's
own choice.
"""

from __future__ import annotations

from typing import Any, Sequence

import dlt

PARQUET = "parquet"
INSERT_VALUES = "insert_values"


def loader_file_format(pipeline: dlt.Pipeline) -> str | None:
    """The format to pass to ``pipeline.run``; ``None`` leaves it to dlt."""
    usable = usable_formats(pipeline.destination.capabilities())
    if PARQUET in usable:
        return PARQUET
    if INSERT_VALUES in usable:
        return INSERT_VALUES
    return None


def usable_formats(capabilities: Any) -> Sequence[str]:
    """The formats the destination will load, after its own selector has had its say.

    ``supported_loader_file_formats`` is what the destination could load; a
    ``loader_file_format_selector`` (PostgreSQL's) removes what it cannot load here and
    now (Parquet without the ADBC driver), and dlt's normalizer asks it per table.
    """
    preferred = capabilities.preferred_loader_file_format
    supported = list(capabilities.supported_loader_file_formats or ())
    selector = getattr(capabilities, "loader_file_format_selector", None)
    if selector is None:
        return supported
    _, usable = selector(preferred, supported, table_schema={"name": "happyfox_file_format_probe"})
    return list(usable)
