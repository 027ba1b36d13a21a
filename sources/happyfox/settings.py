"""Constants of the HappyFox API and of this source's defaults.

Defaults live here (and are mirrored, documented, in `.dlt/config.toml`) so the
resources read as logic and the numbers can be found in one place.
"""

from __future__ import annotations

API_PATH = "/api/1.1/json/"
PAGE_SIZE = 50
"""The API's maximum page size: every list GET must carry as many records as allowed."""

MIN_PAGE_SIZE = 10
"""The smallest ``size`` an older reference says the server honours (smaller is raised
to it): a GET that only needs a total asks for this, and no paging assumes less."""

DEFAULT_START_DATE = "2000-01-01"
"""First-run backfill start: early enough for any real account."""

DEFAULT_MAX_GETS_PER_MINUTE = 400
"""The account allows 500 GET/min shared with every other integration; leave room."""

DEFAULT_CONTACTS_SWEEP_HOURS = 24.0
DEFAULT_RECONCILE_HOURS = 24.0

SEARCH_DATE_FORMAT = "%Y/%m/%d"

DAY_BOUNDARY_SLACK_HOURS = 14
"""How far the account's (undocumented) day boundary may sit from UTC midnight.

Time zones run from UTC-12 to UTC+14; a date term cut in any of them must still
include every instant we ask for, so search dates are computed this far back.
"""

CLOCK_SKEW_SECONDS = 300
"""Margin between our clock and HappyFox's when deciding what a previous run saw."""

WINDOW_TARGET_TICKETS = 1000
"""Backfill windows are sized to hold about this many tickets (20 pages)."""

MAX_WINDOW_PASSES = 3
"""Times a window is re-read when its page totals show records moved while paging."""

REFERENCE_ENDPOINTS = {
    "staff": "staff/",
    "categories": "categories/",
    "statuses": "statuses/",
    "priorities": "priorities/",
    "ticket_custom_fields": "ticket_custom_fields/",
    "contact_custom_fields": "user_custom_fields/",
    "contact_groups": "contact_groups/",
}
