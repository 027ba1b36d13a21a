"""A second hand-written helpdesk for business hours, holidays, DST and SLAs.

The team works in America/New_York, Monday to Friday 09:00-17:00, with 2024-07-04 a
holiday (`SETTINGS`). Times below are UTC; each ticket's comment gives the local time.
New York moves to EDT (UTC-4) on Sunday 2024-03-10 and back to EST (UTC-5) on Sunday
2024-11-03. Reference lists (statuses, priorities, staff, contacts) are those of
fixture_helpdesk.py. The expected values in test_models_business_hours.py are worked out
by hand from these histories.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

UTC = dt.timezone.utc


def u(text: str) -> dt.datetime:
    """A UTC timestamp from 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def settings() -> Any:
    from happyfox_sync.reporting_settings import make_settings

    return make_settings(
        timezone="America/New_York",
        business_hours="mon-fri 09:00-17:00",
        holidays=["2024-07-04"],
        waiting_on_contact_statuses=["On Hold"],
        sla_first_response_minutes={"default": 120, "Urgent": 30},
        sla_resolution_minutes={"default": 960},
    )


def _t(id: int, created: dt.datetime, updates: list, priority: int = 2, status: int = 4, sla_breaches: int = 0) -> dict[str, Any]:
    return dict(id=id, created=created, contact=500, category=10, priority=priority, status=status, assignee=100,
                due=None, time_spent=0, sla_breaches=sla_breaches, updates=updates)


TICKETS: list[dict[str, Any]] = [
    # B101: a reply across a weekend. Created Fri 2024-03-01 16:00 EST, answered Mon 10:00;
    # On Hold (waiting on the contact) until the contact answers at 10:30, resolved at 11:00.
    _t(101, u("2024-03-01 21:00"), [
        (u("2024-03-01 21:00"), ("user", 500), dict(msg="Printer jammed")),
        (u("2024-03-04 15:00"), ("staff", 100), dict(msg="Send a photo", status=(1, 3))),
        (u("2024-03-04 15:30"), ("user", 500), dict(msg="Here it is")),
        (u("2024-03-04 16:00"), ("staff", 100), dict(msg="Fixed", status=(3, 4))),
    ]),
    # B102: Urgent, created on the holiday Thu 2024-07-04 10:00 EDT, answered Fri 09:30 EDT,
    # resolved Fri 10:00 EDT.
    _t(102, u("2024-07-04 14:00"), [
        (u("2024-07-04 14:00"), ("user", 500), dict(msg="Site down")),
        (u("2024-07-05 13:30"), ("staff", 101), dict(msg="Restarted it")),
        (u("2024-07-05 14:00"), ("staff", 101), dict(status=(1, 4))),
    ], priority=4, sla_breaches=1),
    # B103: created and answered outside hours, Tue 2024-03-05 18:00 and 20:00 EST (the
    # reply is on 03-06 in UTC), resolved 21:00 EST: the same local day.
    _t(103, u("2024-03-05 23:00"), [
        (u("2024-03-05 23:00"), ("user", 500), dict(msg="Password reset")),
        (u("2024-03-06 01:00"), ("staff", 102), dict(msg="Done", status=(1, 4))),
    ]),
    # B104: across the spring-forward weekend. Created Fri 2024-03-08 16:00 EST; a smart
    # rule acknowledges it at 16:01; answered Mon 2024-03-11 10:00 EDT; resolved 10:30 EDT.
    _t(104, u("2024-03-08 21:00"), [
        (u("2024-03-08 21:00"), ("user", 500), dict(msg="Scanner offline")),
        (u("2024-03-08 21:01"), ("smartrule", 900), dict(msg="We received your request")),
        (u("2024-03-11 14:00"), ("staff", 100), dict(msg="Reconnected it")),
        (u("2024-03-11 14:30"), ("staff", 100), dict(status=(1, 4))),
    ]),
    # B105: across the fall-back weekend. Created Fri 2024-11-01 16:00 EDT; answered Mon
    # 2024-11-04 10:00 EST; resolved 10:30 EST.
    _t(105, u("2024-11-01 20:00"), [
        (u("2024-11-01 20:00"), ("user", 500), dict(msg="Fax broken")),
        (u("2024-11-04 15:00"), ("staff", 100), dict(msg="Replaced the cable")),
        (u("2024-11-04 15:30"), ("staff", 100), dict(status=(1, 4))),
    ]),
    # B106: both SLAs breached. Created Mon 2024-03-04 09:00 EST, answered Tue 10:00 EST,
    # resolved Wed 2024-03-06 10:00 EST.
    _t(106, u("2024-03-04 14:00"), [
        (u("2024-03-04 14:00"), ("user", 500), dict(msg="Invoice wrong")),
        (u("2024-03-05 15:00"), ("staff", 102), dict(msg="Corrected")),
        (u("2024-03-06 15:00"), ("staff", 102), dict(status=(1, 4))),
    ], sla_breaches=2),
    # B107: still running, not yet late: created Fri 2024-11-08 16:30 EST; the contact
    # writes again at 18:00 EST, the latest event in the data (the SLA clocks' "now").
    _t(107, u("2024-11-08 21:30"), [
        (u("2024-11-08 21:30"), ("user", 500), dict(msg="Quote please")),
        (u("2024-11-08 23:00"), ("user", 500), dict(msg="Anyone?")),
    ], status=1),
    # B108: still running and late: created Thu 2024-11-07 09:00 EST, never answered.
    _t(108, u("2024-11-07 14:00"), [
        (u("2024-11-07 14:00"), ("user", 500), dict(msg="Refund")),
    ], status=1),
]
