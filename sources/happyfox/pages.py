"""One page of a paged list (``tickets/``, ``users/``), checked before it is trusted.

Paging decisions rest on the envelope: ``page_info.last_index`` says how many records
a window holds and ``page_count`` how many pages to ask for. A page whose envelope is
missing or contradicts its own data (a proxy's error object sent with 200, ``data``
null, 50 items under a total of 0) would otherwise end a read early and skip every
page after it without a word. Such a page is fetched again; if it stays malformed
the run stops with :class:`MalformedPageError`, never skipping it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from .helpers.errors import HappyFoxAPIError

logger = logging.getLogger("happyfox_sync.source")

MALFORMED_PAGE_ATTEMPTS = 4
"""Times a page is fetched before a malformed answer stops the run."""


class Getter(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any: ...


class MalformedPageError(HappyFoxAPIError, ValueError):
    """A page of a paged list stayed malformed after every attempt.

    A :class:`HappyFoxAPIError`, so the sync command finds it anywhere in the chain
    dlt wraps around it and prints its message.
    """


@dataclass(frozen=True)
class Page:
    body: dict[str, Any]
    total: int
    page_count: int
    items: list[Any]


def check_page(body: Any, page: int) -> Page:
    """The page's envelope and items, or ``MalformedPageError`` saying what is wrong."""
    if not isinstance(body, dict):
        raise MalformedPageError(f"the answer is a JSON {type(body).__name__}, not the paging envelope")
    items = body.get("data")
    info = body.get("page_info")
    if not isinstance(items, list):
        raise MalformedPageError("the answer has no 'data' list")
    if not isinstance(info, dict):
        raise MalformedPageError("the answer has no 'page_info'")
    try:
        total = int(info["last_index"])
        page_count = int(info["page_count"])
        count = int(info.get("count", len(items)))
    except (KeyError, TypeError, ValueError):
        raise MalformedPageError(f"page_info {info!r} lacks a numeric last_index / page_count") from None
    if count != len(items) or len(items) > total or (items and page > page_count):
        raise MalformedPageError(
            f"page {page} holds {len(items)} items but page_info says count {count}, "
            f"last_index {total}, page_count {page_count}"
        )
    return Page(body, total, page_count, items)


def checked_page(client: Getter, path: str, params: dict[str, Any], body: Any = None, *, what: str = "") -> Page:
    """Page ``params["page"]`` of ``path`` (``body`` if already fetched), fetched again while malformed."""
    page = int(params.get("page", 1))
    where = f"{path} page {page}{f' of {what}' if what else ''}"
    for attempt in range(1, MALFORMED_PAGE_ATTEMPTS + 1):
        if body is None:
            body = client.get(path, params)
        try:
            return check_page(body, page)
        except MalformedPageError as problem:
            reason = str(problem)
        if attempt < MALFORMED_PAGE_ATTEMPTS:
            logger.warning("%s is malformed (%s); fetching it again (%d/%d)", where, reason, attempt, MALFORMED_PAGE_ATTEMPTS - 1)
            body = None
    raise MalformedPageError(
        f"{where} was malformed {MALFORMED_PAGE_ATTEMPTS} times in a row ({reason}); stopping instead of skipping it",
        endpoint=path,
    )
