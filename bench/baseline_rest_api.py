"""The baseline: HappyFox configured by hand with dlt's generic ``rest_api`` source.

This is what a competent dlt user writes from dlt's REST API source documentation,
with the HappyFox API reference open beside it, and nothing more:

* HTTP Basic auth (API key / auth code);
* ``tickets/`` with ``status=_all``, 50 a page, paged by page number until
  ``page_info.page_count``, records under ``data``, merged on ``id``;
* incremental on ``last_modified`` through HappyFox's search,
  ``q=last-modified-on-or-after:"{incremental.start_value}"``, the cursor converted to
  the API's ``yyyy/mm/dd`` (the search is day-granular; dlt's incremental drops the
  already-loaded rows it lists again);
* with custom-field history on, ``ticket/<id>/?show_cf_changes=true`` for every ticket
  the list yields, as a dependent resource (``ticket_details``);
* ``users/`` (contacts), paged the same way; HappyFox documents no usable change
  filter for contacts, so they are read in full on every run and merged;
* the seven reference lists (bare arrays, one GET each), replaced on every run.

It has no pacing of its own: ``rest_api``'s client retries 429s and 5xx with backoff
but cannot keep under a per-minute budget. Nested lists (a ticket's ``updates``,
their attachments, custom fields ...) become child tables through dlt's normaliser,
as they do by default, and the pipeline is run with dlt's defaults.

Usage::

    source = happyfox_rest_api_source(base_url, api_key, auth_code, custom_field_history=True)
    dlt.pipeline("happyfox_rest_api", destination="duckdb").run(source)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dlt.sources.rest_api import rest_api_source

REFERENCE_LISTS = {
    "staff": "staff/",
    "categories": "categories/",
    "statuses": "statuses/",
    "priorities": "priorities/",
    "ticket_custom_fields": "ticket_custom_fields/",
    "contact_custom_fields": "user_custom_fields/",
    "contact_groups": "contact_groups/",
}

PAGINATOR = {
    "type": "page_number",
    "page_param": "page",
    "base_page": 1,
    "total_path": "page_info.page_count",
}


def search_date(value: Any) -> str:
    """A cursor value (``"2025-06-01 12:34:56"`` or a datetime) as HappyFox's ``yyyy/mm/dd``."""
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y/%m/%d")
    return str(value)[:10].replace("-", "/")


def happyfox_rest_api_config(
    base_url: str,
    api_key: str,
    auth_code: str,
    custom_field_history: bool = True,
    start_date: str = "2000-01-01",
) -> dict[str, Any]:
    """The ``RESTAPIConfig`` of the baseline; ``base_url`` is the account root."""
    resources: list[dict[str, Any]] = [
        {
            "name": "tickets",
            "endpoint": {
                "path": "tickets/",
                "params": {
                    "status": "_all",
                    "size": 50,
                    "q": 'last-modified-on-or-after:"{incremental.start_value}"',
                },
                "data_selector": "data",
                "paginator": PAGINATOR,
                "incremental": {
                    "cursor_path": "last_modified",
                    "initial_value": f"{start_date} 00:00:00",
                    "convert": search_date,
                },
            },
        },
        {
            "name": "contacts",
            "endpoint": {
                "path": "users/",
                "params": {"size": 50},
                "data_selector": "data",
                "paginator": PAGINATOR,
            },
        },
        *(
            {
                "name": name,
                "write_disposition": "replace",
                "endpoint": {"path": path, "paginator": "single_page"},
            }
            for name, path in REFERENCE_LISTS.items()
        ),
    ]
    if custom_field_history:
        resources.append(
            {
                "name": "ticket_details",
                "endpoint": {
                    "path": "ticket/{resources.tickets.id}/",
                    "params": {"show_cf_changes": "true"},
                    "paginator": "single_page",
                },
            }
        )
    return {
        "client": {
            "base_url": base_url.rstrip("/") + "/api/1.1/json/",
            "auth": {"type": "http_basic", "username": api_key, "password": auth_code},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": resources,
    }


def happyfox_rest_api_source(
    base_url: str,
    api_key: str,
    auth_code: str,
    custom_field_history: bool = True,
    start_date: str = "2000-01-01",
) -> Any:
    """The baseline as a dlt source."""
    return rest_api_source(
        happyfox_rest_api_config(base_url, api_key, auth_code, custom_field_history, start_date),  # type: ignore[arg-type]
        name="happyfox_rest_api",
    )
