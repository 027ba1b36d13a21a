"""Settings every test shares: no telemetry, dlt quiet, a clean environment.

Credentials for the sync may come from a developer's shell; the tests must never
pick them up, so every SOURCES__HAPPYFOX__* variable is removed for each test.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")


@pytest.fixture(autouse=True)
def no_happyfox_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SOURCES__HAPPYFOX__"):
            monkeypatch.delenv(name)
    yield


from tests.support.postgres import postgres_dsn, postgres_server  # noqa: E402,F401  (shared fixtures)
