"""The runner's record of what it built in a reporting dataset: ``_hf_models``.

A reporting dataset can hold more than the models: a user's own views, settings
tables, a BI tool's scratch tables. When a model file is removed from ``sql/`` its
view must go too, but nothing else may. So every build writes the names, kinds and
build order of the models it created into ``_hf_models`` beside them, and the next
build drops exactly the recorded ones whose files are gone, dependants first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import sqlglot

RECORD_TABLE = "_hf_models"
_TOKEN = "hf_record_token_"


@dataclass(frozen=True)
class Recorded:
    name: str
    kind: str
    """``"view"`` or ``"table"``."""
    position: int
    """Place in the build order: dependants come later."""


def _statement(sql: str, dialect: str, qualified: str) -> str:
    """``sql`` (DuckDB's dialect, the record table written as the token) in ``dialect``."""
    translated = sqlglot.transpile(sql, read="duckdb", write=dialect)[0]
    for quoted in (f'"{_TOKEN}"', f"`{_TOKEN}`", f"[{_TOKEN}]", _TOKEN):
        translated = translated.replace(quoted, qualified)
    return translated


def read_record(client: Any, dialect: str, qualified: str, exists: bool) -> dict[str, Recorded]:
    """The models the last build recorded (empty before the first recording build)."""
    if not exists:
        return {}
    rows = client.execute_sql(_statement(f"SELECT model_name, kind, position FROM {_TOKEN}", dialect, qualified)) or []
    return {str(name): Recorded(str(name), str(kind), int(position)) for name, kind, position in rows}


def record_statements(dialect: str, qualified: str, built: Iterable[Recorded]) -> list[str]:
    """Create the record table if needed and replace its content by ``built``."""
    statements = [
        _statement(f"CREATE TABLE IF NOT EXISTS {_TOKEN} (model_name TEXT, kind TEXT, position INT)", dialect, qualified),
        _statement(f"DELETE FROM {_TOKEN} WHERE TRUE", dialect, qualified),
    ]
    values = ", ".join(f"('{entry.name}', '{entry.kind}', {int(entry.position)})" for entry in built)
    if values:
        statements.append(
            _statement(f"INSERT INTO {_TOKEN} (model_name, kind, position) VALUES {values}", dialect, qualified)
        )
    return statements
