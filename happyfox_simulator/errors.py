"""API errors as exceptions carrying the exact status and JSON body HappyFox sends.

The store raises these from its Python write methods, so a test calling the store
directly sees the same validation as a client going through HTTP, and the HTTP
layer only has to serialise ``status`` and ``body``.

HappyFox documents two 400 shapes and uses both:

* listed: ``{"error": [{"field": "category", "errors": ["This field is required."]}]}``
  (ticket and contact creation);
* keyed: ``{"error": {"t-cf-2": "This field should be filled ..."}}``
  (staff update and the other per-ticket writes, and bad GET parameters here).
"""

from __future__ import annotations

from typing import Any

REQUIRED = "This field is required."


class ApiError(Exception):
    """An error response: HTTP ``status`` and the JSON ``body`` to send."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}: {body!r}")
        self.status = status
        self.body = body
        self.headers = headers or {}


class ValidationError(ApiError):
    """400 with one of the two documented shapes (see module docstring)."""

    def __init__(self, errors: dict[str, list[str]], *, listed: bool) -> None:
        self.errors = errors
        if listed:
            body: Any = {"error": [{"field": name, "errors": list(msgs)} for name, msgs in errors.items()]}
        else:
            body = {"error": {name: "; ".join(msgs) for name, msgs in errors.items()}}
        super().__init__(400, body)


def keyed_error(field: str, message: str) -> ValidationError:
    """A keyed 400 for one field, e.g. a bad ``q`` term or ``staff`` on staff_update."""
    return ValidationError({field: [message]}, listed=False)


class NotFoundError(ApiError):
    """404 for an unknown or deleted record, or an unknown path."""

    def __init__(self, what: str = "Resource") -> None:
        super().__init__(404, {"error": f"{what} not found"})
