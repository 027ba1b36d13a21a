"""Seeded generator of a realistic HappyFox helpdesk.

``generate_helpdesk(tickets, seed, now, contacts)`` returns a :class:`Helpdesk` whose
records are in the API's own JSON shapes (see :mod:`happyfox_simulator.model`). The
same arguments always give byte-identical output: everything is drawn from one
``random.Random(seed)``, and the wall clock is only read when ``now`` is omitted.

What a helpdesk holds
---------------------
* 4–6 categories (each with a display-id prefix), statuses New / Open / In Progress /
  On Hold (``pending``) and Resolved / Closed (``completed``), priorities Low /
  Medium (default) / High / Critical, staff (some inactive, roles, categories,
  permissions), contact groups (some tagging email domains), ticket and contact
  custom fields of every type (text, number, date, choice, multiple_choice; a
  ``choice`` field with a dependant field, staff-only fields, a
  ``compulsory_on_completed`` field).
* Contacts with unicode and emoji names, some without email, phones, group
  memberships, custom field values, ``tickets_count`` / ``pending_tickets_count``
  matching the tickets, ``created_at`` / ``updated_at`` sometimes null.
* Tickets 1..N created over a period ending at ``now`` that grows with N
  (``4.5 * sqrt(N)`` days: 3 weeks for 20 tickets, ~4.7 months for 1,000, ~2.75 years
  for 50,000 with ~50 new tickets and a few hundred updates a day at the end), more
  on weekdays and office hours, the rate growing by half over the period. Histories: see
  :mod:`happyfox_simulator.generation.tickets`.

Shapes chosen where the API documentation is silent
---------------------------------------------------
* ``satisfaction_survey``: ``{"rating": 1..5, "comment": str | None}`` on an update by
  the contact (``by.type == "user"``) whose ``message`` is null.
* ``assignee_change``: ``{old, new, old_name, new_name}`` with staff ids and names;
  ``new`` / ``new_name`` null when the ticket is unassigned (and ``old`` null for a
  first assignment). ``category_change`` has the same shape with category ids.
* System updates (round-robin assignment, SLA escalation of priority, auto-close of
  resolved tickets) have ``by == {"name": "The system", "email": ..., "avatar": None}``,
  no ``update_id`` key, a null ``message``, and do not consume update ids.
* Private notes have ``message.message_type == "p"``; every other message has null.
  Forwards are staff messages with a ``forward_list`` string. ``message`` carries
  exactly text, html, subject, cc_list, bcc_list, attachments, customer_updated,
  forward_list, message_type.
* Ticket ``custom_fields`` list every field of the ticket's (final) category in the
  category's order, unset ones with ``value`` / ``value_id`` null; entries are
  ``{id, name, value, value_id, type, visible_to_staff_only, compulsory_on_complete}``.
  Values: text / date strings, number ints, choice = text with its choice id as
  ``value_id``, multiple_choice = list of texts with the list of ids.
  ``custom_field_change`` entries are ``{id: str, name, from, to}`` where from / to
  are the values as text (multiple choices joined with ", "), ``""`` when unset: so
  a field's current value always renders to the ``to`` of its last change (``""`` ↔
  null), and a field never changed is null.
* The opening message counts as the contact's reply even when staff typed it in
  (sources ``phone`` / ``TKT_CREATION_ADMIN_PANEL``, ``by`` is then the staff member):
  ``last_user_reply_at`` is the last contact message or ``created_at``;
  ``last_staff_reply_at`` the last public staff message (not private notes, not the
  opening) or null; ``last_updated_at`` the later of the two; ``unresponded`` is
  true while no public staff reply exists. ``messages_count`` counts every update
  with a message (notes included), ``attachments_count`` every attachment,
  ``time_spent`` is the sum of the updates' minutes or null when none was logged
  (updates without time logged have ``time_spent`` null).
* ``merged_to`` is the primary ticket's id (int) or null; ``merged_tickets`` the ids
  of the tickets merged into this one. A merged ticket ends with a private note and
  a status change to Closed; the primary gets a private note at the same second.
* ``subscribers`` are ``{first_name, last_name, id, email}`` of the staff who worked
  on the ticket; ``sla_breaches`` counts a missed first-response and a missed
  resolution target (by initial priority).
* Attachment ``url``s are stable https URLs without the expiring signature: the
  server may append one.

Sharing: ``by`` dicts are one object per author, and ``*_change`` dicts one object per
(old, new) pair; message bodies are shared strings from per-helpdesk pools. Treat
updates as immutable (append new ones) and this never matters.
"""

from __future__ import annotations

import gc
import math
import random
from datetime import datetime, timezone

from .generation import authors, people, reference, tickets as ticket_sim
from .generation import text as words
from .model import Helpdesk

_EPOCH = datetime(1970, 1, 1)


def _period_days(tickets: int) -> float:
    """History length: a few weeks for a few dozen tickets, ~2.75 years for 50,000."""
    return max(3.0, 4.5 * math.sqrt(tickets))


def generate_helpdesk(tickets: int, seed: int = 0, now: datetime | None = None,
                      contacts: int | None = None, *, smart_rule_rate: float = 0.0,
                      null_author_rate: float = 0.0) -> Helpdesk:
    """Build a helpdesk of ``tickets`` tickets whose history ends at ``now`` (naive UTC).

    ``contacts`` defaults to about 0.45 per ticket; roughly 10% of contacts have no
    ticket. ``smart_rule_rate`` of the tickets get a smart-rule auto-acknowledgement
    (``by.type`` ``smartrule``) and ``null_author_rate`` of the system updates a null
    ``by`` (:mod:`happyfox_simulator.generation.authors`; both off by default).
    Deterministic in all arguments.
    """
    if tickets < 1:
        raise ValueError("tickets must be at least 1")
    # Millions of new dicts would trigger repeated full cyclic collections that find
    # nothing (the data has no cycles): switch the collector off while building.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        desk = _generate(tickets, seed, now, contacts)
        if smart_rule_rate > 0:
            authors.add_smart_rule_updates(desk, smart_rule_rate, seed)
        if null_author_rate > 0:
            authors.add_null_authors(desk, null_author_rate, seed)
        return desk
    finally:
        if was_enabled:
            gc.enable()


def _generate(tickets: int, seed: int, now: datetime | None, contacts: int | None) -> Helpdesk:
    if now is None:
        now = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    elif now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)
    rng = random.Random(seed)
    now_ts = int((now - _EPOCH).total_seconds())  # floors sub-second parts
    start_ts = now_ts - int(_period_days(tickets) * 86400)

    account_name, account_slug, account_domain = rng.choice(words.ACCOUNTS)
    categories, category_keys, prefixes = reference.build_categories(rng)
    staff, windows = reference.build_staff(rng, tickets, categories, start_ts, now_ts, account_domain)
    groups, group_domains = reference.build_contact_groups(rng)
    ticket_fields = reference.build_ticket_fields(categories, category_keys)
    user_fields = reference.build_user_fields()
    ref = reference.Reference(
        account_name=account_name, account_slug=account_slug, account_domain=account_domain,
        categories=categories, category_keys=category_keys, category_prefixes=prefixes,
        statuses=reference.build_statuses(), priorities=reference.build_priorities(),
        staff=staff, staff_windows=windows, contact_groups=groups, group_domains=group_domains,
        ticket_fields=ticket_fields, user_fields=user_fields,
    )

    created = ticket_sim.creation_times(rng, tickets, start_ts, now_ts + 1)
    contact_list, ticket_contact, contact_by = people.build_contacts(
        rng, created, contacts, start_ts, now_ts, groups, group_domains, user_fields)

    pool_size = max(60, min(4000, tickets * 2))
    pools = words.BodyPools(rng, pool_size, [s["name"] for s in staff])
    sim = ticket_sim.Simulator(rng, ref, contact_list, contact_by, pools, now_ts)

    states: list[ticket_sim.TicketState] = []
    last_of_contact: dict[int, ticket_sim.TicketState] = {}
    for index, moment in enumerate(created):
        owner = ticket_contact[index]
        merge_into = None
        previous = last_of_contact.get(owner)
        if previous is not None and previous.merged_to is None and moment - previous.tss[0] < 3 * 86400 \
                and rng.random() < 0.12:
            merge_into = previous
        st = sim.simulate(index, moment, owner, merge_into)
        states.append(st)
        if st.merged_to is None:
            last_of_contact[owner] = st

    next_update_id, next_attachment_id = ticket_sim.number_updates(states, sim.system_by)
    ticket_list = [ticket_sim.finalize(sim, st) for st in states]
    for ticket in ticket_list:
        contact = ticket["user"]
        contact["tickets_count"] += 1
        if ticket["status"]["behavior"] == "pending":
            contact["pending_tickets_count"] += 1

    return Helpdesk(
        now=now,
        categories=categories,
        category_prefixes=prefixes,
        statuses=ref.statuses,
        priorities=ref.priorities,
        staff=staff,
        contact_groups=groups,
        ticket_custom_fields=[spec.definition for spec in ticket_fields],
        user_custom_fields=[spec.definition for spec in user_fields],
        contacts=contact_list,
        tickets=ticket_list,
        next_update_id=next_update_id,
        next_attachment_id=next_attachment_id,
    )
