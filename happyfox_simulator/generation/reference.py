"""The account's reference lists: categories, statuses, priorities, staff, custom fields.

Every record is built in the exact shape the reference endpoints return
(``categories/``, ``statuses/``, ``priorities/``, ``staff/``, ``ticket_custom_fields/``,
``user_custom_fields/``, ``contact_groups/``).
"""

from __future__ import annotations

import datetime as _dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from . import text as words

JSON = dict[str, Any]

# key, name, prefix, description, public, time_spent_mandatory, subject family
_CATEGORY_CATALOGUE = [
    ("general", "General Support", "GEN", "Questions about accounts and how things work.", True, False),
    ("technical", "Technical Support", "TEC", "Bugs, errors and outages.", True, True),
    ("billing", "Billing", "BIL", "Invoices, refunds and payments.", True, False),
    ("sales", "Sales", "SAL", "Quotes, plans and trials.", True, False),
    ("feature", "Feature Requests", "FR", "Ideas and product feedback.", True, False),
    ("internal", "Internal IT", "IT", "Requests from our own employees (not public).", False, True),
]

STATUS_NEW, STATUS_OPEN, STATUS_IN_PROGRESS, STATUS_ON_HOLD, STATUS_RESOLVED, STATUS_CLOSED = 1, 2, 3, 4, 5, 6

SYSTEM_NAME = "The system"


@dataclass
class CustomFieldSpec:
    """A custom field definition plus what the generator needs to fill it."""

    definition: JSON
    kind: str  # how values are made: see ``tickets.make_cf_value``
    set_at_creation: float = 0.0  # probability the creation form fills it
    categories: list[int] = field(default_factory=list)


@dataclass
class Reference:
    account_name: str
    account_slug: str
    account_domain: str
    categories: list[JSON]
    category_keys: dict[int, str]  # category id -> subject family
    category_prefixes: dict[int, str]
    statuses: list[JSON]
    priorities: list[JSON]
    staff: list[JSON]
    staff_windows: list[tuple[int, int]]  # (active from, active until) epoch seconds, per staff index
    contact_groups: list[JSON]
    group_domains: dict[str, int]  # tagged domain -> group index
    ticket_fields: list[CustomFieldSpec]
    user_fields: list[CustomFieldSpec]


def build_categories(rng: random.Random) -> tuple[list[JSON], dict[int, str], dict[int, str]]:
    count = rng.randint(4, 6)
    # General and Technical always exist; the rest are picked by the seed, catalogue order kept.
    optional = rng.sample(range(2, len(_CATEGORY_CATALOGUE)), count - 2)
    chosen = [0, 1] + sorted(optional)
    categories, keys, prefixes = [], {}, {}
    for cid, index in enumerate(chosen, start=1):
        key, name, prefix, description, public, mandatory = _CATEGORY_CATALOGUE[index]
        categories.append({
            "id": cid,
            "name": name,
            "description": description,
            "public": public,
            "prepopulate_cc": "" if rng.random() < 0.6 else f"{key}-team@example.com",
            "time_spent_mandatory": mandatory,
        })
        keys[cid] = key
        prefixes[cid] = prefix
    return categories, keys, prefixes


def build_statuses() -> list[JSON]:
    rows = [
        (STATUS_NEW, "New", "#1E90FF", True, "pending"),
        (STATUS_OPEN, "Open", "#FF9900", False, "pending"),
        (STATUS_IN_PROGRESS, "In Progress", "#0066CC", False, "pending"),
        (STATUS_ON_HOLD, "On Hold", "#999999", False, "pending"),
        (STATUS_RESOLVED, "Resolved", "#66CC00", False, "completed"),
        (STATUS_CLOSED, "Closed", "#99CC00", False, "completed"),
    ]
    return [
        {"id": sid, "name": name, "color": color, "order": sid, "default": default, "behavior": behavior}
        for sid, name, color, default, behavior in rows
    ]


def build_priorities() -> list[JSON]:
    rows = [(1, "Low", False), (2, "Medium", True), (3, "High", False), (4, "Critical", False)]
    return [{"id": pid, "name": name, "order": pid, "default": default} for pid, name, default in rows]


def build_staff(rng: random.Random, tickets: int, categories: list[JSON], start: int, end: int,
                domain: str) -> tuple[list[JSON], list[tuple[int, int]]]:
    """Staff in id order = joining order; some inactive (left before ``end``)."""
    count = max(4, min(45, round(3 + math.sqrt(tickets) / 7)))
    inactive = max(1, round(count * 0.15))
    roles = {name: {"id": i, "name": name} for i, name in enumerate(words.ROLE_PERMISSIONS, start=1)}
    span = end - start
    used_emails: dict[str, int] = {}
    staff, windows = [], []
    # Who leaves: never the first two (they keep every category covered all the time).
    leavers = set(rng.sample(range(2, count), min(inactive, count - 2)))
    for index in range(count):
        if index < 2:
            joined = start - 400 * 86400
        else:
            joined = start - 400 * 86400 if rng.random() < 0.6 else start + int(rng.random() * span * 0.6)
        left = 2**62
        if index in leavers:
            lo = max(joined, start) + int(span * 0.15)
            hi = end - max(3600, int(span * 0.1))
            left = lo + int(rng.random() * max(1, hi - lo)) if hi > lo else max(joined, start) + span // 2
        name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
        local = words.ascii_slug(name.split()[0]) + "." + words.ascii_slug(name.split()[-1])
        n = used_emails.get(local, 0)
        used_emails[local] = n + 1
        email = f"{local}{n + 1 if n else ''}@{domain}"
        if index == 0:
            role = "Administrator"
        elif index == 1:
            role = "Manager"
        else:
            role = rng.choices(["Agent", "Manager", "Light Agent", "Administrator"], [70, 12, 10, 8])[0]
        if index < 2 or role == "Administrator":
            cats = [c["id"] for c in categories]
        else:
            k = rng.randint(1, min(3, len(categories)))
            cats = sorted(rng.sample([c["id"] for c in categories], k))
        staff.append({
            "id": index + 1,
            "name": name,
            "email": email,
            "active": index not in leavers,
            "is_account_admin": role == "Administrator",
            "role": roles[role],
            "categories": cats,
            "permissions": list(words.ROLE_PERMISSIONS[role]),
        })
        windows.append((joined, left))
    return staff, windows


def build_contact_groups(rng: random.Random) -> tuple[list[JSON], dict[str, int]]:
    companies = rng.sample(words.COMPANY_DOMAINS, 5)
    groups: list[JSON] = []
    domains: dict[str, int] = {}
    for name, domain in companies[:3]:
        domains[domain] = len(groups)
        groups.append({"id": len(groups) + 1, "name": name, "description": f"Contacts from {name}",
                       "tagged_domains": [domain]})
    # A group tagging two domains, and domain-less groups filled by hand.
    (n1, d1), (n2, d2) = companies[3], companies[4]
    domains[d1] = len(groups)
    domains[d2] = len(groups)
    groups.append({"id": len(groups) + 1, "name": "Partners", "description": f"Reseller partners ({n1}, {n2})",
                   "tagged_domains": [d1, d2]})
    for name, description in (("VIP", "High-touch customers 🌟"), ("Beta testers", ""),
                              ("Education & Non-profit", "Discounted accounts")):
        groups.append({"id": len(groups) + 1, "name": name, "description": description, "tagged_domains": []})
    return groups, domains


def _definition(fid: int, name: str, ftype: str, *, required: bool = False, on_completed: bool = False,
                choices: list[JSON] | None = None, categories: list[JSON] | None = None,
                staff_only: bool = False, depends_on_choice: int | None = None) -> JSON:
    return {
        "id": fid,
        "name": name,
        "type": ftype,
        "required": required,
        "compulsory_on_completed": on_completed,
        "choices": choices,
        "categories": categories if categories is not None else [],
        "visible_to_staff_only": staff_only,
        "depends_on_choice": depends_on_choice,
        "compulsory_on_move": False,
    }


class _ChoiceIds:
    def __init__(self) -> None:
        self.next = 1

    def make(self, texts: list[str]) -> list[JSON]:
        out = []
        for t in texts:
            out.append({"id": self.next, "text": t, "dependant_fields": []})
            self.next += 1
        return out


def build_ticket_fields(categories: list[JSON], keys: dict[int, str]) -> list[CustomFieldSpec]:
    ids = _ChoiceIds()
    all_cats = [c["id"] for c in categories]
    by_key = {keys[c]: c for c in all_cats}
    order: dict[int, int] = {}

    def cats_for(wanted: list[int]) -> list[JSON]:
        out = []
        for c in wanted:
            order[c] = order.get(c, 0) + 1
            out.append({"category": c, "order": order[c]})
        return out

    specs: list[CustomFieldSpec] = []

    def add(name: str, ftype: str, kind: str, wanted: list[int], creation: float, **kw: Any) -> CustomFieldSpec:
        spec = CustomFieldSpec(_definition(len(specs) + 1, name, ftype, categories=cats_for(wanted), **kw),
                               kind, creation, list(wanted))
        specs.append(spec)
        return spec

    product = add("Product", "choice", "choice", all_cats, 0.55, required=True,
                  choices=ids.make(list(words.PRODUCTS)))
    add("Platforms", "multiple_choice", "multi", all_cats, 0.3,
        choices=ids.make(["Windows", "macOS", "Linux", "iOS", "Android", "Web"]))
    tech = [c for c in all_cats if keys[c] in ("technical", "general", "internal")]
    add("Affected users", "number", "count", tech, 0.2)
    add("Incident date", "date", "recent_date", tech, 0.25)
    api_choice = next(ch for ch in product.definition["choices"] if ch["text"] == "Public API")
    api_version = add("API version", "text", "api_version", tech, 0.0, depends_on_choice=api_choice["id"])
    api_choice["dependant_fields"] = [api_version.definition["id"]]
    money = [c for c in all_cats if keys[c] in ("billing", "sales")] or [by_key.get("general", all_cats[0])]
    add("Order number", "text", "order_number", money, 0.5)
    add("Expected close date", "date", "future_date", money, 0.0)
    add("Root cause", "choice", "choice", tech, 0.0, on_completed=True,
        choices=ids.make(["Bug", "Configuration", "User error", "Feature gap", "Third-party", "Duplicate"]))
    add("Internal reference", "text", "internal_ref", all_cats, 0.0, staff_only=True)
    add("Escalation teams", "multiple_choice", "multi", all_cats, 0.0, staff_only=True,
        choices=ids.make(["Tier 2", "Engineering", "Finance", "Legal", "Account management"]))
    return specs


def build_user_fields() -> list[CustomFieldSpec]:
    ids = _ChoiceIds()
    specs: list[CustomFieldSpec] = []

    def add(name: str, ftype: str, kind: str, **kw: Any) -> None:
        specs.append(CustomFieldSpec(_definition(len(specs) + 1, name, ftype, **kw), kind))

    add("Company", "text", "company")
    add("Plan", "choice", "choice", choices=ids.make(["Free", "Starter", "Pro", "Enterprise"]))
    add("Seats", "number", "seats")
    add("Customer since", "date", "past_date")
    add("Interests", "multiple_choice", "multi",
        choices=ids.make(["Product updates", "Webinars", "Beta programme", "Newsletter"]))
    add("Preferred language", "choice", "choice",
        choices=ids.make(["English", "Deutsch", "Français", "Español", "日本語", "Русский"]))
    add("Account manager notes", "text", "am_notes", staff_only=True)
    return specs


_EPOCH_DAY_CACHE: dict[int, str] = {}
_HOUR_CACHE: dict[int, str] = {}
_MINUTE_SECOND = [f"{m:02d}:{s:02d}" for m in range(60) for s in range(60)]


def day_string(ts: int) -> str:
    """``"YYYY-MM-DD"`` of an epoch second (UTC), cached per day."""
    day = ts // 86400
    text = _EPOCH_DAY_CACHE.get(day)
    if text is None:
        text = (_dt.date(1970, 1, 1) + _dt.timedelta(days=day)).isoformat()
        _EPOCH_DAY_CACHE[day] = text
    return text


def timestamp_string(ts: int) -> str:
    """``"YYYY-MM-DD HH:MM:SS"`` of an epoch second (UTC): HappyFox's timestamp format."""
    hour = ts // 3600
    prefix = _HOUR_CACHE.get(hour)
    if prefix is None:
        prefix = f"{day_string(ts)} {hour % 24:02d}:"
        _HOUR_CACHE[hour] = prefix
    return prefix + _MINUTE_SECOND[ts % 3600]


def make_cf_value(spec: CustomFieldSpec, rng: random.Random, at: int) -> tuple[Any, Any, str]:
    """A fresh value for a custom field as ``(value, value_id, change_text)``.

    Shapes (the API's value shapes for these types are not documented; these are the
    simulator's choice): text / date → a string (dates ``"YYYY-MM-DD"``) with
    ``value_id`` null; number → an int; choice → the choice's text with its id as
    ``value_id``; multiple_choice → a list of choice texts with the list of their ids.
    ``change_text`` is what ``custom_field_change`` ``from`` / ``to`` show: the value
    as text, multiple choices joined with ", ".
    """
    kind = spec.kind
    if kind == "choice":
        choice = rng.choice(spec.definition["choices"])
        return choice["text"], choice["id"], choice["text"]
    if kind == "multi":
        choices = spec.definition["choices"]
        picked = sorted(rng.sample(range(len(choices)), rng.randint(1, min(3, len(choices)))))
        texts = [choices[i]["text"] for i in picked]
        return texts, [choices[i]["id"] for i in picked], ", ".join(texts)
    if kind in ("count", "seats"):
        n = int(rng.expovariate(1 / (30 if kind == "count" else 60))) + 1
        return n, None, str(n)
    if kind == "recent_date":
        value = day_string(at - rng.randint(0, 3) * 86400)
    elif kind == "future_date":
        value = day_string(at + rng.randint(7, 60) * 86400)
    elif kind == "past_date":
        value = day_string(at - rng.randint(30, 2000) * 86400)
    elif kind == "api_version":
        value = rng.choice(["v1", "v2", "v2.1", "v3-beta"])
    elif kind == "order_number":
        value = f"SO-{rng.randint(100000, 999999)}"
    elif kind == "internal_ref":
        value = f"ENG-{rng.randint(100, 9999)}"
    elif kind == "company":
        value = rng.choice(words.COMPANY_DOMAINS)[0]
    elif kind == "am_notes":
        value = rng.choice(["Renewal due next quarter; prefers email over phone.",
                            "Decision maker: CTO. Sensitive about pricing.",
                            "Reference customer ✅", "Migrating from a competitor & needs hand-holding."])
    else:  # pragma: no cover - a spec with an unknown kind is a bug in this module
        raise ValueError(f"unknown custom field kind {kind!r}")
    return value, None, value
