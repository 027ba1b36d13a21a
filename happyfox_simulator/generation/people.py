"""Contacts (``users/``) and who raised which ticket.

Tickets are given to contacts mostly by preferential attachment: a ticket comes from
a contact writing in for the first time, from the contact of a random earlier
ticket, or from any known contact, which yields the long tail real helpdesks show (most contacts write once,
a few write dozens of times). A contact is created when its first ticket arrives
(often in the very same second, as when an email creates both) or earlier (imports,
portal sign-ups); some contacts never raised a ticket. Ids follow creation order,
with the legacy contacts whose ``created_at`` is null first.
"""

from __future__ import annotations

import math
import random
from typing import Any

from . import text as words
from .reference import CustomFieldSpec, make_cf_value, timestamp_string

JSON = dict[str, Any]

_PHONE_FORMATS = [
    "+1 {a}{b}{c}-555-0{d}{e}{f}", "+44 20 7946 0{d}{e}{f}", "+91 98{a}{b}{c} {d}{e}{f}{a}{b}",
    "+49 30 {a}{b}{c}{d}{e}{f}", "({a}{b}{c}) 555-01{e}{f}", "0{a}{b}{c} {d}{e}{f} {a}{b}{c}",
    "+81 3-{a}{b}{c}{d}-{e}{f}{a}{b} ext. {c}",
]


def assign_owners(rng: random.Random, tickets: int, with_tickets: int) -> list[int]:
    """Owner ordinal (order of first appearance) of each ticket, ``with_tickets`` distinct."""
    firsts = set(rng.sample(range(1, tickets), with_tickets - 1)) if with_tickets > 1 else set()
    owners = [0] * tickets
    introduced = 1
    for i in range(1, tickets):
        if i in firsts:
            owners[i] = introduced
            introduced += 1
        elif rng.random() < 0.6:
            owners[i] = owners[int(rng.random() * i)]  # busy contacts write more
        else:
            owners[i] = int(rng.random() * introduced)
    return owners


def build_contacts(
    rng: random.Random,
    created: list[int],
    contacts: int | None,
    start: int,
    end: int,
    groups: list[JSON],
    group_domains: dict[str, int],
    user_fields: list[CustomFieldSpec],
) -> tuple[list[JSON], list[int], list[JSON]]:
    """Return (contacts in id order, contact index of each ticket, ``by`` dict of each contact)."""
    n_tickets = len(created)
    total = max(1, round(n_tickets * 0.45)) if contacts is None else max(1, contacts)
    with_tickets = min(n_tickets, max(1, math.ceil(total * 0.9)))
    owners = assign_owners(rng, n_tickets, with_tickets)

    first_ticket = [0] * with_tickets
    seen = [False] * with_tickets
    for i, ordinal in enumerate(owners):
        if not seen[ordinal]:
            seen[ordinal] = True
            first_ticket[ordinal] = created[i]

    span = max(1, end - start)
    # (created_at or None, ordinal); ordinals >= with_tickets have no ticket.
    moments: list[int | None] = []
    for ordinal in range(total):
        if ordinal < with_tickets:
            first = first_ticket[ordinal]
            r = rng.random()
            if r < 0.03:
                moments.append(None)
            elif r < 0.65:
                moments.append(first)
            else:
                moments.append(first - int(rng.random() * min(200 * 86400, first - start + 30 * 86400)))
        else:
            moments.append(None if rng.random() < 0.05 else start - 30 * 86400 + int(rng.random() * (span + 30 * 86400)))
    order = sorted(range(total), key=lambda o: (-1 if moments[o] is None else moments[o], o))
    index_of_ordinal = [0] * total
    for index, ordinal in enumerate(order):
        index_of_ordinal[ordinal] = index

    tagged = sorted(group_domains)
    company_domains = [d for _, d in words.COMPANY_DOMAINS if d not in group_domains]
    group_links: dict[tuple[int, bool], JSON] = {}

    def link(group_index: int, access_all: bool) -> JSON:
        key = (group_index, access_all)
        entry = group_links.get(key)
        if entry is None:
            g = groups[group_index]
            entry = {"id": g["id"], "name": g["name"], "description": g["description"],
                     "tagged_domains": g["tagged_domains"], "access_all_tickets_in_group": access_all}
            group_links[key] = entry
        return entry

    by_name = {g["name"]: i for i, g in enumerate(groups)}
    used_emails: dict[str, int] = {}
    phone_id = 0
    out: list[JSON] = []
    by_dicts: list[JSON] = []
    for index, ordinal in enumerate(order):
        name = words.make_person_name(rng)
        r = rng.random()
        if r < 0.03:
            email = None
            domain = None
        else:
            if r < 0.20:
                domain = rng.choice(tagged)
            elif r < 0.40:
                domain = rng.choice(company_domains)
            else:
                domain = rng.choice(words.FREE_MAIL_DOMAINS)
            local = words.email_local_part(rng, name)
            email = f"{local}@{domain}"
            n = 1
            while email in used_emails:
                n += 1
                email = f"{local}{n}@{domain}"
            used_emails[email] = 1
            if rng.random() < 0.05:
                email = email.capitalize()  # some addresses keep the case they were typed with
        phones = []
        for _ in range(rng.choices((0, 1, 2), (45, 45, 10))[0] if email else rng.randint(1, 2)):
            phone_id += 1
            digits = {k: rng.randint(0, 9) for k in "abcdef"}
            phones.append({"id": phone_id, "type": rng.choice(("m", "o", "h")),
                           "number": rng.choice(_PHONE_FORMATS).format(**digits)})
        contact_groups = []
        if domain in group_domains:
            contact_groups.append(link(group_domains[domain], rng.random() < 0.4))
        for group_name, p in (("VIP", 0.04), ("Beta testers", 0.03), ("Education & Non-profit", 0.02)):
            if rng.random() < p:
                contact_groups.append(link(by_name[group_name], False))
        custom_fields = []
        moment = moments[ordinal]
        for spec in user_fields:
            d = spec.definition
            if rng.random() < 0.55:
                value, value_id, _ = make_cf_value(spec, rng, moment if moment is not None else start)
            else:
                value, value_id = None, None
            custom_fields.append({"id": d["id"], "name": d["name"], "value": value, "value_id": value_id,
                                  "type": d["type"], "visible_to_staff_only": d["visible_to_staff_only"]})
        if moment is None:
            created_at = updated_at = None
        else:
            created_at = timestamp_string(moment)
            r = rng.random()
            if r < 0.04:
                updated_at = None
            elif r < 0.5:
                updated_at = created_at
            else:
                updated_at = timestamp_string(moment + int(rng.random() * (end - moment)))
        contact = {
            "id": index + 1,
            "name": name,
            "email": email,
            "phones": phones,
            "primary_phone": phones[0] if phones else None,
            "contact_groups": contact_groups,
            "custom_fields": custom_fields,
            "tickets_count": 0,
            "pending_tickets_count": 0,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        out.append(contact)
        by_dicts.append({"id": index + 1, "name": name, "email": email, "type": "user"})
    ticket_contact = [index_of_ordinal[o] for o in owners]
    return out, ticket_contact, by_dicts
