"""Coercion of write payload values, which arrive as JSON or as form-encoded strings.

HappyFox accepts both JSON and form bodies, so an id may come as ``3`` or ``"3"``
and a list of tags as ``"a, b"`` or ``["a", "b"]``. These helpers turn either into
one canonical Python value and report bad input as the field-level message the
caller wraps in a :class:`~happyfox_simulator.errors.ValidationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

JSON = dict[str, Any]


class FieldProblem(ValueError):
    """A value that can't be coerced; ``str(exc)`` is the message for the client."""


def merge(payload: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> JSON:
    """Combine a positional payload mapping with keyword fields (keywords win).

    Store methods take both so Python callers can write ``staff_update(5, staff=1)``
    and still pass keys that aren't identifiers, like ``{"t-cf-3": "x"}``.
    """
    merged: JSON = dict(payload or {})
    merged.update(fields)
    return merged


def single(value: Any) -> Any:
    """Unwrap the one-element lists a form body produces for every key."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def is_blank(value: Any) -> bool:
    """Absent, null, empty string or the literal ``"null"`` (forms can't send a JSON null)."""
    value = single(value)
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none"))


def as_int(value: Any) -> int:
    """An integer id or count, from an int or a decimal string."""
    value = single(value)
    if isinstance(value, bool):
        raise FieldProblem("Enter a whole number.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise FieldProblem("Enter a whole number.")


def as_bool(value: Any) -> bool:
    """``true``/``false`` as JSON booleans or the strings forms send."""
    value = single(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off", ""):
        return False
    raise FieldProblem("Enter true or false.")


def as_text(value: Any) -> str:
    """A string field; ``None`` becomes empty."""
    value = single(value)
    return "" if value is None else str(value)


def as_csv(value: Any) -> list[str]:
    """A comma-separated list (``"a, b"``) or a JSON list, stripped, empties dropped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def as_id_list(value: Any) -> list[int]:
    """A list of ids (multiple choice), from a JSON list, repeated form keys or ``"1,2"``."""
    if isinstance(value, list):
        return [as_int(item) for item in value]
    return [as_int(item) for item in as_csv(value)]


def as_due_date(value: Any) -> str | None:
    """A due date in either documented format, ``yyyy-mm-dd`` or ``dd/mm/yyyy``, as ``YYYY-MM-DD``."""
    if is_blank(value):
        return None
    text = as_text(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise FieldProblem("Enter a valid date (yyyy-mm-dd or dd/mm/yyyy).")


def as_iso_date(value: Any) -> str:
    """A ``yyyy-mm-dd`` date (custom field values)."""
    text = as_text(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise FieldProblem("Enter a valid date (yyyy-mm-dd).") from None


def as_created_at(value: Any) -> datetime:
    """Ticket ``created_at`` on create: ``yyyy-mm-ddThh:mm:ss`` with optional ``.ms``."""
    text = as_text(value).strip()
    for pattern in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f"):
        try:
            return datetime.strptime(text, pattern).replace(microsecond=0)
        except ValueError:
            continue
    raise FieldProblem("Enter a valid date/time (yyyy-mm-ddThh:mm:ss).")


def as_number(value: Any) -> int | float:
    """A number custom field: integer, or float rounded to the documented 2 decimals."""
    value = single(value)
    if isinstance(value, bool):
        raise FieldProblem("Enter a number.")
    if isinstance(value, int | float):
        number = value
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise FieldProblem("Enter a number.") from None
    if isinstance(number, float):
        return int(number) if number.is_integer() else round(number, 2)
    return number
