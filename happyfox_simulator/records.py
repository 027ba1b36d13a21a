"""Small shared conventions for records: tags, display ids, new contacts.

Kept out of ``model.py`` (the shared data model) so the model stays a pure
description of the data, while the store and the churn both build records the
same way.
"""

from __future__ import annotations

import re

from .model import JSON

TAG_SEPARATOR = ","


def split_tags(tags: str | None) -> list[str]:
    """A ticket's ``tags`` string as a list (HappyFox sends one comma-separated string)."""
    if not tags:
        return []
    return [tag.strip() for tag in tags.split(",") if tag.strip()]


def join_tags(tags: list[str]) -> str:
    """The inverse of :func:`split_tags`; ``""`` when there are none, as the API sends."""
    return TAG_SEPARATOR.join(tags)


def display_id(prefix: str, ticket_id: int) -> str:
    """``"#" + category prefix + 8-digit number``, e.g. ``#HFS00000001``."""
    return f"#{prefix}{ticket_id:08d}"


def fallback_prefix(category: JSON) -> str:
    """A prefix for a category the helpdesk has none for: the initials of its name."""
    words = re.findall(r"[A-Za-z0-9]+", str(category.get("name") or ""))
    initials = "".join(word[0] for word in words).upper()
    return (initials or "TK")[:4]


def phone(number: str, phone_id: int, kind: str = "m") -> JSON:
    """A phone entry as contacts carry them: ``{type, number, id}``."""
    return {"type": kind, "number": number, "id": phone_id}
