"""The run summary: what was loaded, where the GET budget went, how long it took."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from happyfox_sync.source import HappyFoxClient


@dataclass
class RunSummary:
    """Accumulates over the loads of one run (a checkpointed backfill makes several)."""

    pipeline_name: str
    destination: str
    dataset_name: str
    rows_by_table: Counter[str] = field(default_factory=Counter)
    loads: int = 0
    models: list[Any] = field(default_factory=list)
    new_columns: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0
    requests: dict[str, Any] = field(default_factory=dict)
    max_gets_per_minute: int = 0

    def add_load(self, row_counts: dict[str, int]) -> None:
        self.loads += 1
        for table, count in row_counts.items():
            if not table.startswith("_dlt"):
                self.rows_by_table[table] += count

    def finish(self, client: HappyFoxClient, duration_seconds: float) -> None:
        self.requests = client.stats.summary()
        self.max_gets_per_minute = client.max_gets_per_minute
        self.duration_seconds = duration_seconds

    @property
    def budget_share(self) -> float:
        """GETs sent as a share of what the budget allowed over the run's duration."""
        minutes = self.duration_seconds / 60.0
        allowed = self.max_gets_per_minute * minutes
        return self.requests.get("total_gets", 0) / allowed if allowed > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline_name,
            "destination": self.destination,
            "dataset": self.dataset_name,
            "loads": self.loads,
            "rows_by_table": dict(sorted(self.rows_by_table.items())),
            "requests": self.requests,
            "duration_seconds": round(self.duration_seconds, 1),
            "budget_share": round(self.budget_share, 3),
            "models": [getattr(model, "name", str(model)) for model in self.models],
            "new_columns": list(self.new_columns),
        }

    def render(self) -> str:
        requests = self.requests
        lines = [
            f"happyfox-sync: pipeline {self.pipeline_name} -> {self.destination} dataset {self.dataset_name}"
            f" in {self.duration_seconds:.1f}s ({self.loads} load{'s' if self.loads != 1 else ''})",
            "rows loaded:",
        ]
        if self.rows_by_table:
            width = max(len(name) for name in self.rows_by_table)
            lines += [f"  {name:<{width}}  {count:>9,}" for name, count in sorted(self.rows_by_table.items())]
        else:
            lines.append("  (nothing changed)")
        lines.append(
            f"GETs: {requests.get('total_gets', 0)} "
            f"({self.budget_share:.0%} of the {self.max_gets_per_minute}/min budget over the run), "
            f"retries {requests.get('total_retries', 0)}, 429s {requests.get('rate_limited', 0)}"
            + (f", waited {requests['lockout_wait_seconds']:.0f}s in lockout" if requests.get("lockout_wait_seconds") else "")
        )
        for endpoint, count in (requests.get("gets_by_endpoint") or {}).items():
            lines.append(f"  {endpoint:<24} {count:>7,}")
        if self.new_columns:
            lines.append(
                f"new columns (schema evolution; existing rows kept, null until their record changes): "
                f"{', '.join(self.new_columns)}"
            )
        if self.models:
            lines.append(f"models built: {', '.join(getattr(m, 'name', str(m)) for m in self.models)}")
        return "\n".join(lines)
