"""The ``q`` of ``users/``: ``name:x email:y`` terms that must all match.

HappyFox documents the fields but not how they match; the simulator's reading:

* ``name`` and ``email`` (and ``phone``) match a case-insensitive substring; a
  contact with no email never matches an ``email`` term;
* ``updated_since`` / ``created_since`` (value format undocumented upstream) accept
  ``yyyy/mm/dd``, ``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm:ss`` (UTC) and match records
  whose timestamp is at or after it; a null timestamp never matches;
* a bare word matches a substring of the name or the email;
* any other field is a 400 ``{"error": {"q": ...}}``.

Terms use the same tokeniser as ticket search (quotes, ``+`` as space).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .errors import keyed_error
from .model import JSON, format_timestamp
from .search import tokenize

ContactPredicate = Callable[[JSON], bool]


def compile_contact_query(query: str) -> list[ContactPredicate]:
    """Predicates that a contact must all pass."""
    predicates: list[ContactPredicate] = []
    for term in tokenize(query):
        value = " ".join(term.values).strip()
        if term.key is None:
            if value:
                predicates.append(_substring(("name", "email"), value))
            continue
        key = term.key.strip().lower()
        if key in ("name", "email"):
            predicates.append(_substring((key,), value))
        elif key == "phone":
            needle = value.lower()
            predicates.append(lambda c: any(needle in str(p.get("number") or "").lower() for p in c.get("phones") or []))
        elif key in ("updated_since", "created_since"):
            predicates.append(_since(key.replace("_since", "_at"), _parse_since(value)))
        else:
            raise keyed_error("q", f"Unknown search field '{term.key}'.")
    return predicates


def _substring(keys: tuple[str, ...], value: str) -> ContactPredicate:
    needle = value.lower()
    return lambda c: any(needle in str(c.get(k) or "").lower() for k in keys if c.get(k) is not None)


def _parse_since(value: str) -> str:
    for pattern in ("%Y/%m/%d", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return format_timestamp(datetime.strptime(value, pattern))
        except ValueError:
            continue
    raise keyed_error("q", f"Invalid date '{value}': use yyyy/mm/dd or yyyy-mm-dd hh:mm:ss.")


def _since(column: str, bound: str) -> ContactPredicate:
    return lambda c: c.get(column) is not None and c[column] >= bound
