"""Time building all reporting models over a synthetic 100,000-ticket helpdesk on DuckDB.

Usage: python bench/models_speed.py [--tickets 100000] [--repeat 3] [--seed 7] [--workdir DIR]
                                   [--postgres] [--all-hours]

Generates the raw tables directly (seeded `random`, no simulator): per ticket an opening
message, sometimes a system auto-assignment, private notes, several contact/staff
exchanges with time spent, status changes with resolutions, reopenings (some twice),
system closes, priority/category/assignee/due date changes, satisfaction ratings and
custom field changes, spread over a year; about 1% of tickets deleted. The rows are
loaded with a real dlt pipeline (arrow tables, the raw tables' contract types) into a
DuckDB file, then every model is built materialised (`build_models(materialize=True)`)
`--repeat` times; the median wall time is the figure (target: at most 10 s).

The build uses a support team's reporting settings (`BENCH_SETTINGS`: Europe/Berlin,
Mon-Thu 08:00-18:00 and Fri 08:00-14:00, a year of holidays, SLA targets, a waiting
status), so the business-minute arithmetic is measured; `--all-hours` builds with the
defaults instead. About 30% of tickets get a smart-rule acknowledgement. `--postgres`
loads into and builds on a throw-away local PostgreSQL server (tests/support/postgres.py)
instead of DuckDB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dlt  # noqa: E402

from happyfox_sync.models import build_models  # noqa: E402
from happyfox_sync.reporting_settings import make_settings  # noqa: E402

BENCH_SETTINGS = dict(
    timezone="Europe/Berlin",
    business_hours="mon-thu 08:00-18:00; fri 08:00-14:00",
    holidays=["2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09", "2024-05-20",
              "2024-10-03", "2024-12-24", "2024-12-25", "2024-12-26", "2024-12-31", "2025-01-01"],
    waiting_on_contact_statuses=["Waiting on customer"],
    sla_first_response_minutes={"default": 480, "Urgent": 60, "High": 120},
    sla_resolution_minutes={"default": 2880, "Urgent": 480},
)

UTC = dt.timezone.utc
START = dt.datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = [
    (1, "New", "pending"), (2, "In Progress", "pending"), (3, "On Hold", "pending"),
    (4, "Waiting on customer", "pending"), (5, "Resolved", "completed"), (6, "Closed", "completed"),
]
PRIORITIES = [(1, "Low"), (2, "Medium"), (3, "High"), (4, "Urgent")]
CATEGORIES = [(10 + i, name) for i, name in enumerate(
    ["Support", "Billing", "Sales", "Onboarding", "Bugs", "Feature requests", "Accounts", "Shipping"])]
N_STAFF = 60
N_CONTACTS = 30_000
FIELDS = [(1, "Product", "choice"), (2, "Order number", "text"), (3, "Components", "multiple_choice"),
          (4, "Region", "choice")]
PRODUCTS = ["Printer", "Scanner", "Fax", "Copier", "Shredder"]
REGIONS = ["EU", "US", "APAC"]

STATUS_NAME = {s[0]: s[1] for s in STATUSES}
PRIORITY_NAME = dict(PRIORITIES)
CATEGORY_NAME = dict(CATEGORIES)


class Columns:
    """Column-wise row builder: only the columns given are materialised."""

    def __init__(self, types: dict[str, pa.DataType]) -> None:
        self.types = types
        self.data: dict[str, list[Any]] = {c: [] for c in types}
        self.n = 0

    def add(self, **values: Any) -> None:
        for c, col in self.data.items():
            col.append(values.get(c))
        self.n += 1

    def table(self) -> pa.Table:
        return pa.table({c: pa.array(v, type=self.types[c]) for c, v in self.data.items()})


TS = pa.timestamp("us", tz="UTC")
I64, S, B, D = pa.int64(), pa.string(), pa.bool_(), pa.date32()


def generate(n_tickets: int, seed: int) -> dict[str, pa.Table]:
    rnd = random.Random(seed)
    upd_types = {
        "ticket_id": I64, "update_index": I64, "update_id": I64, "timestamp": TS, "by__id": I64,
        "by__type": S, "by__name": S, "by__email": S, "message__text": S, "message__html": S,
        "message__subject": S, "message__message_type": S, "message__cc_list": S, "message__bcc_list": S,
        **{f"{k}_change__{p}": (I64 if p in ("old", "new") else S)
           for k in ("status", "priority", "assignee", "category") for p in ("old", "new", "old_name", "new_name")},
        "due_date_change__old": D, "due_date_change__new": D, "time_spent": I64,
        "satisfaction_survey__rating": I64, "satisfaction_survey__comment": S,
    }
    # most update columns are rarely set: build the dense ones column-wise by hand
    cols: dict[str, list[Any]] = {c: [] for c in upd_types}
    tickets = Columns({
        "id": I64, "display_id": S, "subject": S, "status_id": I64, "priority_id": I64, "category_id": I64,
        "assignee_id": I64, "contact_id": I64, "tags": S, "due_date": D, "created_at": TS,
        "last_modified": TS, "last_updated_at": TS, "last_user_reply_at": TS, "last_staff_reply_at": TS,
        "messages_count": I64, "attachments_count": I64, "time_spent": I64, "sla_breaches": I64,
        "unresponded": B, "source": S, "is_deleted": B, "deleted_at": TS,
    })
    cf_changes = Columns({
        "ticket_id": I64, "update_id": I64, "update_index": I64, "timestamp": TS, "field_id": I64,
        "field_name": S, "from_value": S, "to_value": S,
    })
    cf_values = Columns({
        "ticket_id": I64, "field_id": I64, "field_name": S, "type": S, "value": S, "value_id": I64,
    })
    staff_names = {i: f"Agent {i}" for i in range(1, N_STAFF + 1)}
    minute = dt.timedelta(minutes=1)
    update_id = 0

    for tid in range(1, n_tickets + 1):
        created = START + dt.timedelta(seconds=rnd.randrange(0, 365 * 86400))
        contact = rnd.randrange(1, N_CONTACTS + 1)
        category = rnd.choice(CATEGORIES)[0]
        priority = rnd.choice(PRIORITIES)[0]
        assignee: int | None = rnd.randrange(1, N_STAFF + 1) if rnd.random() < 0.6 else None
        status = 1
        due: dt.date | None = None
        t = created
        index = 0
        total_time = 0
        ups: list[dict[str, Any]] = []

        def push(by: str | None, who: int | None, **f: Any) -> None:
            nonlocal index, update_id
            u: dict[str, Any] = {"timestamp": t, "update_index": index}
            if by is None:
                u["by__name"] = "The system"
            else:
                update_id += 1
                u.update(update_id=update_id, by__id=who, by__type=by,
                         by__name=staff_names[who] if by == "staff" else f"Contact {who}")
            u.update(f)
            ups.append(u)
            index += 1

        def set_status(new: int) -> dict[str, Any]:
            nonlocal status
            old, status = status, new
            return {"status_change__old": old, "status_change__new": new,
                    "status_change__old_name": STATUS_NAME[old], "status_change__new_name": STATUS_NAME[new]}

        push("user", contact, message__text="Help", message__html="<p>Help</p>")
        if rnd.random() < 0.3:  # a smart rule's auto-acknowledgement: never a response
            u = {"timestamp": t + minute, "update_index": index, "by__id": 9000, "by__type": "smartrule",
                 "by__name": "Auto-acknowledge", "message__text": "We got it", "message__html": "<p>We got it</p>"}
            ups.append(u)
            index += 1
        if assignee is None and rnd.random() < 0.5:
            t += minute * rnd.randrange(1, 30)
            assignee = rnd.randrange(1, N_STAFF + 1)
            push(None, None, assignee_change__old=None, assignee_change__new=assignee,
                 assignee_change__new_name=staff_names[assignee])
        agent = assignee or rnd.randrange(1, N_STAFF + 1)
        if rnd.random() < 0.2:
            t += minute * rnd.randrange(5, 240)
            push("staff", agent, message__text="note", message__html="<p>note</p>", message__message_type="p",
                 time_spent=rnd.randrange(1, 15))
        if rnd.random() < 0.3:
            t += minute * rnd.randrange(5, 600)
            old_due = due
            due = (t + dt.timedelta(days=rnd.randrange(1, 6))).date()
            push("staff", agent, due_date_change__old=old_due, due_date_change__new=due)
        reopen_budget = 2 if rnd.random() < 0.05 else (1 if rnd.random() < 0.15 else 0)
        cycles = 0
        while True:
            exchanges = rnd.randrange(2, 6)
            for e in range(exchanges):
                t += minute * int(rnd.expovariate(1 / 300) + 1)
                extra: dict[str, Any] = {}
                if status in (1, 4) or (e == 0 and status == 3):
                    extra = set_status(rnd.choice((2, 2, 2, 3)))
                spent = rnd.randrange(1, 30) if rnd.random() < 0.7 else None
                push("staff", agent, message__text="reply", message__html="<p>reply</p>", time_spent=spent, **extra)
                if rnd.random() < 0.08:
                    t += minute * rnd.randrange(1, 120)
                    new_p = rnd.choice(PRIORITIES)[0]
                    if new_p != priority:
                        push("staff", agent, priority_change__old=priority, priority_change__new=new_p,
                             priority_change__old_name=PRIORITY_NAME[priority], priority_change__new_name=PRIORITY_NAME[new_p])
                        priority = new_p
                if rnd.random() < 0.04:
                    t += minute * rnd.randrange(1, 120)
                    new_c = rnd.choice(CATEGORIES)[0]
                    if new_c != category:
                        push("staff", agent, category_change__old=category, category_change__new=new_c,
                             category_change__old_name=CATEGORY_NAME[category], category_change__new_name=CATEGORY_NAME[new_c])
                        category = new_c
                if rnd.random() < 0.06:
                    t += minute * rnd.randrange(1, 120)
                    new_a = rnd.randrange(1, N_STAFF + 1)
                    push("staff", agent, assignee_change__old=assignee, assignee_change__new=new_a,
                         assignee_change__new_name=staff_names[new_a])
                    assignee = agent = new_a
                if e < exchanges - 1:
                    t += minute * int(rnd.expovariate(1 / 600) + 1)
                    push("user", contact, message__text="more", message__html="<p>more</p>")
            if rnd.random() < 0.12:  # left open
                break
            t += minute * rnd.randrange(1, 600)
            push("staff", agent, **set_status(5))
            if cycles < reopen_budget:
                cycles += 1
                t += minute * rnd.randrange(60, 4000)
                push("user", contact, message__text="not fixed", message__html="<p>not fixed</p>", **set_status(1))
                continue
            if rnd.random() < 0.2:
                t += minute * rnd.randrange(10, 2000)
                push("user", contact, satisfaction_survey__rating=rnd.randrange(1, 6))
            if rnd.random() < 0.5:
                t += dt.timedelta(days=2)
                push(None, None, **set_status(6))
            break

        # custom fields: Product and Region set at creation; Product changed 0-2 times
        product = rnd.choice(PRODUCTS)
        for _ in range(rnd.choice((0, 0, 0, 1, 2))):
            new_product = rnd.choice(PRODUCTS)
            at = rnd.choice(ups[1:] or ups)
            cf_changes.add(ticket_id=tid, update_id=at.get("update_id"), update_index=at["update_index"],
                           timestamp=at["timestamp"], field_id=1, field_name="Product",
                           from_value=product, to_value=new_product)
            product = new_product
        if rnd.random() < 0.3:
            at = ups[-1]
            cf_changes.add(ticket_id=tid, update_id=at.get("update_id"), update_index=at["update_index"],
                           timestamp=at["timestamp"], field_id=2, field_name="Order number",
                           from_value="", to_value=f"A-{tid}")
            cf_values.add(ticket_id=tid, field_id=2, field_name="Order number", type="text", value=f"A-{tid}")
        cf_values.add(ticket_id=tid, field_id=1, field_name="Product", type="choice", value=product,
                      value_id=PRODUCTS.index(product) + 1)
        cf_values.add(ticket_id=tid, field_id=4, field_name="Region", type="choice", value=rnd.choice(REGIONS))

        for u in ups:
            for c, col in cols.items():
                col.append(u.get(c))
            cols["ticket_id"][-1] = tid
        deleted = rnd.random() < 0.01
        tickets.add(
            id=tid, display_id=f"#HF{tid:08d}", subject="Help", status_id=status, priority_id=priority,
            category_id=category, assignee_id=assignee, contact_id=contact, tags="", due_date=due,
            created_at=created, last_modified=t, last_updated_at=t, messages_count=len(ups),
            attachments_count=0, time_spent=total_time or sum(u.get("time_spent") or 0 for u in ups),
            sla_breaches=0, unresponded=False, source="email", is_deleted=deleted,
            deleted_at=t if deleted else None,
        )

    updates = pa.table({c: pa.array(v, type=upd_types[c]) for c, v in cols.items()})
    return {
        "tickets": tickets.table(),
        "ticket_updates": updates,
        "ticket_custom_field_changes": cf_changes.table(),
        "ticket_custom_field_values": cf_values.table(),
        "statuses": pa.table({
            "id": pa.array([s[0] for s in STATUSES], I64), "name": [s[1] for s in STATUSES],
            "color": ["#000"] * len(STATUSES), "order": pa.array(range(1, len(STATUSES) + 1), I64),
            "default": [s[0] == 1 for s in STATUSES], "behavior": [s[2] for s in STATUSES],
        }),
        "priorities": pa.table({
            "id": pa.array([p[0] for p in PRIORITIES], I64), "name": [p[1] for p in PRIORITIES],
            "order": pa.array([p[0] for p in PRIORITIES], I64), "default": [p[0] == 2 for p in PRIORITIES],
        }),
        "categories": pa.table({
            "id": pa.array([c[0] for c in CATEGORIES], I64), "name": [c[1] for c in CATEGORIES],
            "description": [""] * len(CATEGORIES), "public": [True] * len(CATEGORIES),
        }),
        "staff": pa.table({
            "id": pa.array(list(staff_names), I64), "name": list(staff_names.values()),
            "email": [f"agent{i}@example.com" for i in staff_names], "active": [True] * N_STAFF,
            "is_account_admin": [i == 1 for i in staff_names], "role__id": pa.array([1] * N_STAFF, I64),
            "role__name": ["Agent"] * N_STAFF,
        }),
        "contacts": pa.table({
            "id": pa.array(range(1, N_CONTACTS + 1), I64),
            "name": [f"Contact {i}" for i in range(1, N_CONTACTS + 1)],
            "email": [f"c{i}@example.com" for i in range(1, N_CONTACTS + 1)],
        }),
        "ticket_custom_fields": pa.table({
            "id": pa.array([f[0] for f in FIELDS], I64), "name": [f[1] for f in FIELDS],
            "type": [f[2] for f in FIELDS], "required": [False] * len(FIELDS),
        }),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=None, help="default: a temporary directory, removed afterwards")
    ap.add_argument("--postgres", action="store_true", help="load and build on a throw-away local PostgreSQL")
    ap.add_argument("--all-hours", action="store_true", help="default reporting settings (no business hours)")
    args = ap.parse_args(argv)
    settings = make_settings() if args.all_hours else make_settings(**BENCH_SETTINGS)
    server = None
    if args.postgres:
        from tests.support.postgres import PostgresServer

        server = PostgresServer().start()

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="hf-models-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        tables = generate(args.tickets, args.seed)
        t1 = time.perf_counter()
        print(f"generated {tables['tickets'].num_rows:,} tickets, {tables['ticket_updates'].num_rows:,} updates,"
              f" {tables['ticket_custom_field_changes'].num_rows:,} custom field changes in {t1 - t0:.1f}s")

        db = workdir / "bench.duckdb"
        if db.exists():
            db.unlink()
        destination = dlt.destinations.postgres(server.dsn()) if server else dlt.destinations.duckdb(str(db))
        pipeline = dlt.pipeline(
            pipeline_name="hf_models_bench",
            pipelines_dir=str(workdir / "pipelines"),
            destination=destination,
            dataset_name="happyfox",
        )
        info = pipeline.run(
            [dlt.resource(tbl, name=name, write_disposition="replace") for name, tbl in tables.items()]
        )
        info.raise_on_failed_jobs()
        t2 = time.perf_counter()
        print(f"loaded with dlt into {'PostgreSQL' if server else db} in {t2 - t1:.1f}s")
        print(f"reporting settings: {settings.timezone}, {settings.business_hours!r}, {len(settings.holidays)} holidays,"
              f" SLA {'on' if settings.sla_first_response_minutes else 'off'}")

        runs = []
        last: list[Any] = []
        for i in range(args.repeat):
            s = time.perf_counter()
            last = build_models(pipeline, materialize=True, reporting_settings=settings)
            runs.append(time.perf_counter() - s)
            print(f"build {i + 1}: {runs[-1]:.2f}s")
        for b in last:
            print(f"  {b.name:32s} {b.seconds:6.2f}s {b.rows:>10,} rows")
        median = statistics.median(runs)
        engine = "PostgreSQL" if server else "DuckDB"
        print(f"all models materialised on {engine} over {args.tickets:,} tickets: median {median:.2f}s"
              f" of {args.repeat} (target <= 10 s on DuckDB)")
        return 0
    finally:
        if server:
            server.stop()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
