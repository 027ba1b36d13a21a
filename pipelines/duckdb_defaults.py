"""The DuckDB memory defaults, applied only where the user chose nothing.

DuckDB's buffer defaults to 80% of RAM and grows with the warehouse; a sync needs
little of it (loads spill to disk), so a scheduled job should stay small beside
others. The command gives DuckDB ``memory_limit = 256MB`` for everything that queries
the warehouse (models, report, demo, ``query``) and ``128MB`` while dlt loads (bench,
50,000 tickets: peak 617 -> 502 MB, up to 8 % more CPU in the load): a load spills
what does not fit, but some reporting queries cannot, and the demo's ``ticket_sla``
query already fails under 128MB. It does so through dlt's
``DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG``, which dlt reads again for every
``pipeline.run``; in dlt an environment variable wins over every file, so it is set
only when no provider (environment, ``.dlt/config.toml``, ``.dlt/secrets.toml``), in
the pipeline's own section or the global one, holds a DuckDB ``global_config`` or a
``memory_limit`` already.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dlt

DEFAULT_MEMORY_LIMIT = "256MB"
"""DuckDB's limit for queries: the models, the report, the demo's figures, ``query``."""
LOAD_MEMORY_LIMIT = "128MB"
"""DuckDB's limit while dlt loads (:func:`load_memory_limit`)."""
ENV_NAME = "DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"


def _ours(limit: str) -> str:
    return json.dumps({"memory_limit": limit})


_OURS = _ours(DEFAULT_MEMORY_LIMIT)
_OURS_WHILE_LOADING = _ours(LOAD_MEMORY_LIMIT)


def _configured(key: str) -> Any:
    try:
        return dlt.config.get(key)
    except Exception:  # an unparsable value is the user's setting too; dlt reports it when it reads it
        return True


def user_set_duckdb_memory(pipeline_name: str) -> bool:
    """True when any of dlt's means configures DuckDB's global config or memory limit."""
    for section in (f"{pipeline_name}.destination.duckdb.credentials", "destination.duckdb.credentials"):
        if _configured(f"{section}.global_config") is not None:
            return True
        local = _configured(f"{section}.local_config")
        if isinstance(local, Mapping) and "memory_limit" in local:
            return True
        pragmas = _configured(f"{section}.pragmas")
        if isinstance(pragmas, (list, tuple)) and any("memory_limit" in str(pragma) for pragma in pragmas):
            return True
    return False


def apply_duckdb_memory_default(pipeline_name: str) -> None:
    """Give DuckDB the command's memory limit unless the user configured one."""
    if os.environ.get(ENV_NAME) in (_OURS, _OURS_WHILE_LOADING):
        del os.environ[ENV_NAME]  # our own default from an earlier pipeline of this process
    if not user_set_duckdb_memory(pipeline_name):
        os.environ[ENV_NAME] = _OURS


@contextmanager
def load_memory_limit() -> Iterator[None]:
    """:data:`LOAD_MEMORY_LIMIT` for the loads in the block, where the command's default applies."""
    if os.environ.get(ENV_NAME) != _OURS:  # the user's own setting: left as it is
        yield
        return
    os.environ[ENV_NAME] = _OURS_WHILE_LOADING
    try:
        yield
    finally:
        if os.environ.get(ENV_NAME) == _OURS_WHILE_LOADING:
            os.environ[ENV_NAME] = _OURS
