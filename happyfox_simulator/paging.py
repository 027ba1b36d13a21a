"""Page parameters and the ``page_info`` envelope of ``tickets/`` and ``users/``.

``page_info`` semantics (the docs show only a full first page, ``count 50,
last_index 440, page_count 9, start_index 1, end_index 50``; the rest is this
simulator's reading, chosen so every number is derivable from the others):

* ``count``: items on this page;
* ``last_index``: items in the whole result (all pages);
* ``page_count``: ``ceil(last_index / size)``, so ``0`` for an empty result;
* ``start_index`` / ``end_index``: 1-based positions of the first and last item
  on this page within the whole result, both ``0`` when the page is empty.

So 0 items -> ``{count 0, last_index 0, page_count 0, start_index 0, end_index 0}``;
51 items at size 50 -> page 2 is ``{1, 51, 2, 51, 51}``; page 3 (past the end)
is ``{0, 51, 2, 0, 0}`` with an empty ``data``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import keyed_error

DEFAULT_SIZE = 10
MAX_SIZE = 50


@dataclass(frozen=True)
class PageRequest:
    """A validated ``page`` (1-based) and ``size`` (1..50)."""

    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def parse_paging(params: Mapping[str, str], min_size: int = 1) -> PageRequest:
    """Read ``page``/``size``: default size 10, sizes above 50 capped to 50, below
    ``min_size`` raised to it (``config.min_page_size``), bad values 400."""
    size = _positive(params, "size", DEFAULT_SIZE)
    page = _positive(params, "page", 1)
    return PageRequest(page=page, size=max(min_size, min(size, MAX_SIZE)))


def _positive(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise keyed_error(name, f"Enter a whole number greater than 0, not '{raw}'.")
    return int(raw)


def page_info(total: int, request: PageRequest) -> dict[str, int]:
    """The envelope for page ``request.page`` of a ``total``-item result (see module docstring)."""
    count = max(0, min(request.size, total - request.offset))
    start = request.offset + 1 if count else 0
    return {
        "count": count,
        "last_index": total,
        "page_count": -(-total // request.size),
        "start_index": start,
        "end_index": start + count - 1 if count else 0,
    }
