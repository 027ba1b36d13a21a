"""Exit codes of `happyfox-sync` and the error that carries one.

Every failure of a run ends in one line and one of these codes, so a scheduler can
tell "fix the configuration" (2) from "try again later" (4, 5, 7) without parsing text.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    FAILED = 1
    CONFIG = 2
    AUTH = 3
    UNREACHABLE = 4
    RATE_LIMIT = 5
    DESTINATION = 6
    ALREADY_RUNNING = 7


class SyncError(Exception):
    """A failure with a one-line explanation and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
