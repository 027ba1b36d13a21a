"""The DuckDB memory default, applied only where the user chose nothing.

DuckDB's buffer defaults to 80% of RAM and grows with the warehouse; a sync needs
little of it (loads spill to disk), so a scheduled job should stay small beside
others: the command gives DuckDB ``memory_limit = 128MB`` (bench, 50,000 tickets: peak
617 -> 470 MB with :mod:`.allocators` and batches of 500, for 8 % more CPU than 256MB). It does so through dlt's
``DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG``, and in dlt an environment
variable wins over every file, so it is set only when no provider (environment,
``.dlt/config.toml``, ``.dlt/secrets.toml``), in the pipeline's own section or the
global one, holds a DuckDB ``global_config`` or a ``memory_limit`` already.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import dlt

DEFAULT_MEMORY_LIMIT = "128MB"
ENV_NAME = "DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"
_OURS = json.dumps({"memory_limit": DEFAULT_MEMORY_LIMIT})


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
    if os.environ.get(ENV_NAME) == _OURS:
        del os.environ[ENV_NAME]  # our own default from an earlier pipeline of this process
    if not user_set_duckdb_memory(pipeline_name):
        os.environ[ENV_NAME] = _OURS
