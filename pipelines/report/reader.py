"""Run the report's queries against the reporting models, on whatever SQL destination.

The report reads only the reporting dataset (`{{ reporting }}.<model>`), never the raw
tables, so every figure on the page is a figure of the models. Its queries are written
in DuckDB's dialect like the models and translated with the models' own translator, so
the same query runs on DuckDB, PostgreSQL and the other dlt SQL destinations.

Which models and columns exist is read once from the information schema: the report
uses columns that other work adds to the models (business-hours durations, the SLA
model) when they are present and falls back to today's columns when they are not.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from happyfox_sync.models import ModelsError, information_schema_rows, translate


class ReportError(Exception):
    """The report cannot be built as asked: bad arguments, or a destination without SQL."""


def _plain(value: Any) -> Any:
    """A value the page's JSON can hold: Decimal -> float, dates as they are."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


class ModelReader:
    """Queries over the models of one reporting dataset through an open dlt sql_client."""

    def __init__(self, client: Any, reporting_dataset: str) -> None:
        self.client = client
        self.reporting_dataset = reporting_dataset
        dialect = getattr(client.capabilities, "sqlglot_dialect", None)
        if not dialect:
            raise ReportError(f"destination of {type(client).__name__} declares no SQL dialect")
        self.dialect = str(dialect)
        self.columns = self._read_columns()

    def _read_columns(self) -> dict[str, set[str]]:
        """{model: {column, ...}} of every table or view in the reporting dataset."""
        client = self.client
        with client.with_alternative_dataset_name(self.reporting_dataset):
            if not client.has_dataset():
                return {}
            rows = information_schema_rows(client, "COLUMNS", "table_name, column_name")
        casefold = client.capabilities.casefold_identifier
        found: dict[str, set[str]] = {}
        for table, column in rows:
            found.setdefault(casefold(str(table)), set()).add(casefold(str(column)))
        return found

    def has(self, model: str, *columns: str) -> bool:
        """The model exists in the reporting dataset with every one of `columns`."""
        casefold = self.client.capabilities.casefold_identifier
        present = self.columns.get(casefold(model))
        return present is not None and all(casefold(c) in present for c in columns)

    def rows(self, sql: str, name: str = "report query") -> list[dict[str, Any]]:
        """Rows of one DuckDB-dialect SELECT over `{{ reporting }}.<model>` references."""

        def resolve(kind: str, table: str) -> str:
            if kind != "reporting":
                raise ModelsError(f"{name}: the report reads only the reporting models, not {{{{ raw }}}}.{table}")
            with self.client.with_alternative_dataset_name(self.reporting_dataset):
                return str(self.client.make_qualified_table_name(table))

        statement = translate(sql, self.dialect, resolve, name)
        with self.client.execute_query(statement) as cursor:
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, map(_plain, row))) for row in cursor.fetchall()]


def day_literal(day: dt.date) -> str:
    """A date as a SQL literal; built from a `date` object only, so nothing can be injected."""
    if not isinstance(day, dt.date):
        raise TypeError("day_literal takes a datetime.date")
    return f"DATE '{day.isoformat()}'"
