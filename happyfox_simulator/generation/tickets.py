"""Ticket histories: a small state machine per ticket, replayed into API-shaped updates.

Each ticket starts with the contact's opening message and then alternates between
staff actions (public replies, private notes, assignment, priority / category /
due-date / custom-field changes, time logged) and contact replies until it is
resolved; a resolved ticket may get a satisfaction survey answer, be reopened by a
contact reply, or be closed by the system a few days later. Some closed tickets are
touched again months later (a contact replies, a custom field is reclassified),
some tickets are merged into an earlier ticket of the same contact, and anything
that would happen after ``now`` simply has not happened yet, so recent tickets are
still open.

Every change is applied to the ticket's state at the moment it is recorded, so the
history is consistent by construction: each ``*_change.old`` is the value before,
and the ticket's current fields are the last ``new`` / ``to``.

Timestamps are epoch seconds (ints) while simulating and are rendered once at the
end. ``update_id`` and attachment ids are handed out afterwards in time order over
the whole account (:func:`number_updates`).
"""

from __future__ import annotations

import bisect
import math
import random
from typing import Any
from urllib.parse import quote

from . import text as words
from .reference import (
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_NEW,
    STATUS_ON_HOLD,
    STATUS_OPEN,
    STATUS_RESOLVED,
    SYSTEM_NAME,
    CustomFieldSpec,
    Reference,
    day_string,
    make_cf_value,
    timestamp_string,
)

JSON = dict[str, Any]

_KEEP = object()  # "no change" marker for fields where None is a real value

PHASE_STAFF, PHASE_CONTACT, PHASE_RESOLVED, PHASE_CLOSED, PHASE_DONE = range(5)

# Mean staff response time (hours) and SLA targets (hours) by priority id.
_STAFF_DELAY_H = {1: 20.0, 2: 8.0, 3: 3.0, 4: 0.75}
_SLA_FIRST_H = {1: 48, 2: 24, 3: 8, 4: 2}
_SLA_RESOLVE_H = {1: 240, 2: 120, 3: 48, 4: 12}

_CATEGORY_WEIGHT = {"general": 25, "technical": 35, "billing": 15, "sales": 8, "feature": 10, "internal": 7}
_SOURCES = ["email", "web", "api", "chat", "phone", "TKT_CREATION_ADMIN_PANEL"]
_SOURCE_CUM = [55, 80, 84, 88, 92, 100]
_RATING_CUM = [5, 10, 20, 45, 100]  # 1..5 stars: 5%, 5%, 10%, 25%, 55%
_STAFF_SOURCES = ("phone", "TKT_CREATION_ADMIN_PANEL")
_SURVEY_COMMENTS = [
    "Quick and helpful, thanks!", "Took too long to get an answer.", "Great support as always 👍",
    "The problem isn't really solved.", "Very friendly agent.", "Muy buena atención 😊",
    "Had to explain the issue three times.", "Excellent — solved within the hour.",
]

MAX_UPDATES = 60  # per ticket, before merge notes; keeps ids packable in number_updates


def creation_times(rng: random.Random, count: int, start: int, end: int) -> list[int]:
    """``count`` sorted creation instants in ``[start, end)``.

    The ticket rate grows linearly over the period (a growing helpdesk ends 1.5x as
    busy as it started) and follows office hours: weekdays 08:00–18:00 UTC carry
    most of the traffic, nights and weekends a trickle.
    """
    span = end - start
    growth = 0.5
    norm = 1 + growth / 2
    out = []
    random_ = rng.random
    while len(out) < count:
        u = random_()
        x = (math.sqrt(1 + 2 * growth * u * norm) - 1) / growth
        ts = start + int(x * span)
        hour = ts // 3600 % 24
        weekday = (ts // 86400 + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        if weekday < 5:
            weight = 1.0 if 8 <= hour < 18 else 0.3
        else:
            weight = 0.15
        if random_() < weight:
            out.append(min(ts, end - 1))
    out.sort()
    return out


class TicketState:
    """One ticket while it is being simulated."""

    __slots__ = (
        "index", "tid", "contact", "status", "priority", "initial_priority", "assignee", "category",
        "due", "cf", "ups", "tss", "t", "phase", "staff_acts", "subs", "subject", "source",
        "first_resolved", "merged_to", "merged_tickets", "late_touched", "tags", "visible_only_staff",
    )

    def __init__(self, index: int, contact: int, created: int) -> None:
        self.index = index
        self.tid = index + 1
        self.contact = contact
        self.status = STATUS_NEW
        self.priority = 2
        self.initial_priority = 2
        self.assignee: int | None = None
        self.category = 1
        self.due: str | None = None
        self.cf: dict[int, tuple[Any, Any, str]] = {}
        self.ups: list[JSON] = []
        self.tss: list[int] = []
        self.t = created
        self.phase = PHASE_STAFF
        self.staff_acts = 0
        self.subs: list[int] = []
        self.subject = ""
        self.source = "email"
        self.first_resolved: int | None = None
        self.merged_to: int | None = None
        self.merged_tickets: list[int] = []
        self.late_touched = False
        self.tags = ""
        self.visible_only_staff: bool | None = None


class Simulator:
    """Simulates every ticket of one helpdesk against its reference data and contacts."""

    def __init__(self, rng: random.Random, ref: Reference, contacts: list[JSON], contact_by: list[JSON],
                 pools: words.BodyPools, now_ts: int) -> None:
        self.rng = rng
        self.ref = ref
        self.contacts = contacts
        self.contact_by = contact_by
        self.pools = pools
        self.now = now_ts
        self.status_by_id = {s["id"]: s for s in ref.statuses}
        self.priority_by_id = {p["id"]: p for p in ref.priorities}
        self.category_by_id = {c["id"]: c for c in ref.categories}
        self.category_ids = [c["id"] for c in ref.categories]
        keys = ref.category_keys
        self.category_cum = _cumulative([_CATEGORY_WEIGHT[keys[c]] for c in self.category_ids])
        self.staff = ref.staff
        self.windows = ref.staff_windows
        self.staff_by = [{"id": s["id"], "name": s["name"], "email": s["email"], "type": "staff"} for s in ref.staff]
        self.subscriber = []
        for s in ref.staff:
            first, _, last = s["name"].partition(" ")
            self.subscriber.append({"first_name": first, "last_name": last, "id": s["id"], "email": s["email"]})
        self.system_by = {"name": SYSTEM_NAME, "email": f"notifications@{ref.account_domain}", "avatar": None}
        working = [i for i, s in enumerate(ref.staff) if s["role"]["name"] != "Light Agent"]
        self.cat_staff = {c: [i for i in working if c in ref.staff[i]["categories"]] or [0] for c in self.category_ids}
        self.cat_fields: dict[int, list[CustomFieldSpec]] = {}
        for c in self.category_ids:
            fields = [(next(x["order"] for x in spec.definition["categories"] if x["category"] == c), spec)
                      for spec in ref.ticket_fields if c in spec.categories]
            fields.sort(key=lambda pair: (pair[0], pair[1].definition["id"]))
            self.cat_fields[c] = [spec for _, spec in fields]
        self.root_cause = next((s for s in ref.ticket_fields if s.definition["compulsory_on_completed"]), None)
        self.editable = {c: [s for s in self.cat_fields[c] if s is not self.root_cause] for c in self.category_ids}
        self._changes: dict[tuple[str, Any, Any], JSON] = {}
        self.attachment_host = "https://hf-files-oregon.s3.amazonaws.com"
        self.attachment_prefix = f"{ref.account_slug}_email_attachments"

    # -- small helpers -------------------------------------------------------------

    def _change(self, kind: str, old: Any, new: Any) -> JSON:
        """A {old, new, old_name, new_name} change, shared between updates with the same pair."""
        key = (kind, old, new)
        found = self._changes.get(key)
        if found is None:
            if kind == "status":
                names = self.status_by_id
            elif kind == "priority":
                names = self.priority_by_id
            elif kind == "category":
                names = self.category_by_id
            else:
                names = None
            if names is None:  # assignee: staff ids, None = unassigned
                old_name = None if old is None else self.staff[old - 1]["name"]
                new_name = None if new is None else self.staff[new - 1]["name"]
            else:
                old_name, new_name = names[old]["name"], names[new]["name"]
            found = {"old": old, "new": new, "old_name": old_name, "new_name": new_name}
            self._changes[key] = found
        return found

    def _active(self, staff_index: int, t: int) -> bool:
        lo, hi = self.windows[staff_index]
        return lo <= t < hi

    def _pick_staff(self, category: int, t: int, prefer: int | None = None) -> int:
        if prefer is not None and self._active(prefer, t):
            return prefer
        candidates = self.cat_staff[category]
        rng = self.rng
        for _ in range(4):
            s = candidates[int(rng.random() * len(candidates))]
            if self._active(s, t):
                return s
        ok = [s for s in candidates if self._active(s, t)]
        if ok:
            return ok[int(rng.random() * len(ok))]
        return 0  # the first staff member is active for the whole history

    def _office_hours(self, t: int) -> int:
        """Most staff work happens on weekdays 08–19 UTC: push some off-hours moments."""
        hour = t // 3600 % 24
        weekday = (t // 86400 + 3) % 7
        if weekday < 5 and 7 <= hour < 19:
            return t
        if self.rng.random() < 0.35:
            return t
        day = t // 86400
        if hour >= 19 or weekday >= 5:
            day += 1
        while (day + 3) % 7 >= 5:
            day += 1
        return max(t, day * 86400 + 8 * 3600 + int(self.rng.random() * 3 * 3600))

    def _staff_delay(self, st: TicketState) -> int:
        mean = _STAFF_DELAY_H[st.priority] * 3600
        t = st.t + 60 + int(self.rng.expovariate(1 / mean))
        return t if st.priority == 4 else self._office_hours(t)

    def _attachments(self, t: int) -> list[JSON]:
        rng = self.rng
        out = []
        for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 4)):
            name = words.ATTACHMENT_NAMES[int(rng.random() * len(words.ATTACHMENT_NAMES))]
            h = rng.getrandbits(128)
            uid = f"{h:032x}"
            uid = f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}"
            day = day_string(t)
            url = f"{self.attachment_host}/{self.attachment_prefix}/{day[:4]}/{day[5:]}/{uid}/{quote(name)}"
            out.append({"id": None, "filename": name, "url": url})
        return out

    def _message(self, body: tuple[str, str], subject: str, *, private: bool = False, attachments: list[JSON] | None = None,
                 cc: str = "", bcc: str = "", customer_updated: bool = False, forward: str | None = None) -> JSON:
        return {
            "text": body[0],
            "html": body[1],
            "subject": subject,
            "cc_list": cc,
            "bcc_list": bcc,
            "attachments": attachments if attachments is not None else [],
            "customer_updated": customer_updated,
            "forward_list": forward,
            "message_type": "p" if private else None,
        }

    def _emit(self, st: TicketState, t: int, by: JSON, message: JSON | None = None, *, status: int | None = None,
              priority: int | None = None, assignee: Any = _KEEP, category: int | None = None, due: Any = _KEEP,
              cf: list[JSON] | None = None, time_spent: int | None = None, survey: JSON | None = None) -> None:
        sc = pc = ac = cc = dc = None
        if status is not None and status != st.status:
            sc = self._change("status", st.status, status)
            st.status = status
            if status == STATUS_RESOLVED and st.first_resolved is None:
                st.first_resolved = t
        if priority is not None and priority != st.priority:
            pc = self._change("priority", st.priority, priority)
            st.priority = priority
        if assignee is not _KEEP and assignee != st.assignee:
            ac = self._change("assignee", None if st.assignee is None else st.assignee + 1,
                              None if assignee is None else assignee + 1)
            st.assignee = assignee
            if assignee is not None and assignee not in st.subs:
                st.subs.append(assignee)
        if category is not None and category != st.category:
            cc = self._change("category", st.category, category)
            st.category = category
        if due is not _KEEP and due != st.due:
            dc = {"old": st.due, "new": due}
            st.due = due
        st.ups.append({
            "timestamp": None,
            "by": by,
            "message": message,
            "status_change": sc,
            "priority_change": pc,
            "assignee_change": ac,
            "category_change": cc,
            "due_date_change": dc,
            "custom_field_change": cf,
            "time_spent": time_spent,
            "satisfaction_survey": survey,
        })
        st.tss.append(t)
        st.t = t

    def _cf_set(self, st: TicketState, spec: CustomFieldSpec, t: int, out: list[JSON], clear: bool = False) -> None:
        """Give ``spec`` a new value on ``st`` (different from the current one) and record it in ``out``."""
        fid = spec.definition["id"]
        old = st.cf.get(fid)
        old_text = "" if old is None else old[2]
        if clear:
            new = None
            new_text = ""
        else:
            for _ in range(4):
                new = make_cf_value(spec, self.rng, t)
                if new[2] != old_text:
                    break
            else:
                return
            new_text = new[2]
        if new_text == old_text:
            return
        if new is None:
            st.cf.pop(fid, None)
        else:
            st.cf[fid] = new
        out.append({"id": str(fid), "name": spec.definition["name"], "from": old_text, "to": new_text})

    @staticmethod
    def _parent_chosen(st: TicketState, spec: CustomFieldSpec) -> bool:
        """Whether the choice ``spec`` depends on is the current value of its parent field."""
        wanted = spec.definition["depends_on_choice"]
        return any(value[1] == wanted for value in st.cf.values())

    def _time_spent(self, st: TicketState) -> int | None:
        rng = self.rng
        if self.category_by_id[st.category]["time_spent_mandatory"]:
            return rng.randint(3, 90)
        return rng.randint(2, 60) if rng.random() < 0.3 else None

    # -- the ticket life ---------------------------------------------------------

    def simulate(self, index: int, created: int, contact: int, merge_into: TicketState | None) -> TicketState:
        rng = self.rng
        st = TicketState(index, contact, created)
        cum = self.category_cum
        st.category = self.category_ids[bisect.bisect_right(cum, rng.random() * cum[-1])]
        r = rng.random()
        st.priority = st.initial_priority = 1 if r < 0.15 else 2 if r < 0.75 else 3 if r < 0.93 else 4
        contact_dict = self.contacts[contact]
        if contact_dict["email"] is None:
            st.source = rng.choice(("phone", "chat", "TKT_CREATION_ADMIN_PANEL"))
        else:
            st.source = _SOURCES[bisect.bisect_right(_SOURCE_CUM, rng.random() * 100)]
        family = self.ref.category_keys[st.category]
        template = rng.choice(words.SUBJECTS[family])
        st.subject = template.format(product=rng.choice(words.PRODUCTS), n=rng.randint(2, 99999),
                                     month=rng.choice(words.MONTHS), pct=rng.randint(1, 99),
                                     code=rng.choice(("card_declined", "insufficient_funds", "3ds_failed")))
        if rng.random() < 0.55:
            st.tags = ""
        else:
            st.tags = ",".join(rng.sample(words.TAGS, rng.randint(1, 3)))
        r = rng.random()
        st.visible_only_staff = True if r < 0.02 else False if r < 0.04 else None

        self._open(st, contact_dict)
        if merge_into is not None:
            self._merge(st, merge_into)
            return st
        self._run(st)
        return st

    def _open(self, st: TicketState, contact_dict: JSON) -> None:
        rng = self.rng
        t = st.t
        pools = self.pools
        body = pools.large[int(rng.random() * len(pools.large))] if rng.random() < 0.02 else \
            pools.contact_open[int(rng.random() * len(pools.contact_open))]
        attachments = self._attachments(t) if rng.random() < 0.2 else []
        cc = ""
        email = contact_dict["email"]
        if email and rng.random() < 0.1:
            cc = "colleague@" + email.rpartition("@")[2]
            if rng.random() < 0.3:
                cc += ", manager@" + email.rpartition("@")[2]
        changes: list[JSON] = []
        form = 1.0 if st.source in ("web", "api", "TKT_CREATION_ADMIN_PANEL") else 0.3
        for spec in self.cat_fields[st.category]:
            if spec.set_at_creation and rng.random() < spec.set_at_creation * form:
                self._cf_set(st, spec, t, changes)
            elif spec.definition["depends_on_choice"] is not None and self._parent_chosen(st, spec) \
                    and rng.random() < 0.6 * form:
                self._cf_set(st, spec, t, changes)
        message = self._message(body, st.subject, attachments=attachments, cc=cc)
        if st.source in _STAFF_SOURCES:
            creator = self._pick_staff(st.category, t)
            st.subs.append(creator)
            assignee = creator if rng.random() < 0.5 else _KEEP
            self._emit(st, t, self.staff_by[creator], message, assignee=assignee, cf=changes or None)
        else:
            self._emit(st, t, self.contact_by[st.contact], message, cf=changes or None)
        # Round-robin assignment by a smart rule, seconds to minutes after creation.
        if st.assignee is None and rng.random() < 0.3:
            t2 = t + 5 + int(rng.random() * 300)
            if t2 <= self.now:
                self._emit(st, t2, self.system_by, assignee=self._pick_staff(st.category, t2))

    def _merge(self, st: TicketState, primary: TicketState) -> None:
        """Close ``st`` as merged into ``primary`` (an earlier ticket of the same contact)."""
        rng = self.rng
        t = st.t + 600 + int(rng.random() * 86400)
        if t > self.now:
            self._run(st)
            return
        actor = self._pick_staff(primary.category, t, primary.assignee)
        p_display = f"#{self.ref.category_prefixes[primary.category]}{primary.tid:08d}"
        s_display = f"#{self.ref.category_prefixes[st.category]}{st.tid:08d}"
        note = (f"Merged into {p_display}.\n", f"<div><p>Merged into {p_display}.</p></div>")
        self._emit(st, t, self.staff_by[actor], self._message(note, "", private=True), status=STATUS_CLOSED)
        if actor not in st.subs:
            st.subs.append(actor)
        st.merged_to = primary.tid
        st.phase = PHASE_DONE
        # The primary gets a note at the same moment: no state change, so its history stays consistent.
        text = (f"Ticket {s_display} was merged into this ticket.\n",
                f"<div><p>Ticket {s_display} was merged into this ticket.</p></div>")
        update = {
            "timestamp": None, "by": self.staff_by[actor], "message": self._message(text, "", private=True),
            "status_change": None, "priority_change": None, "assignee_change": None, "category_change": None,
            "due_date_change": None, "custom_field_change": None, "time_spent": None, "satisfaction_survey": None,
        }
        at = bisect.bisect_right(primary.tss, t)
        primary.tss.insert(at, t)
        primary.ups.insert(at, update)
        primary.merged_tickets.append(st.tid)
        if actor not in primary.subs:
            primary.subs.append(actor)

    def _run(self, st: TicketState) -> None:
        rng = self.rng
        now = self.now
        while len(st.ups) < MAX_UPDATES:
            phase = st.phase
            if phase == PHASE_STAFF:
                t = self._staff_delay(st)
                if st.staff_acts == 0 and st.priority < 4:
                    breach = st.tss[0] + _SLA_FIRST_H[st.priority] * 3600
                    if st.t < breach < t and breach <= now and rng.random() < 0.4:
                        # A smart rule escalates tickets nobody answered within the SLA.
                        self._emit(st, breach, self.system_by, priority=st.priority + 1)
                if t > now:
                    return
                self._staff_action(st, t)
            elif phase == PHASE_CONTACT:
                if rng.random() < 0.2:
                    # The contact goes quiet: after a week staff resolve (or nudge) it.
                    t = self._office_hours(st.t + 5 * 86400 + int(rng.random() * 4 * 86400))
                    if t > now:
                        return
                    st.phase = PHASE_STAFF
                    self._staff_action(st, t, resolve=rng.random() < 0.7)
                else:
                    t = st.t + 120 + int(rng.expovariate(1 / (16 * 3600)))
                    if t > now:
                        return
                    self._contact_reply(st, t)
            elif phase == PHASE_RESOLVED:
                r = rng.random()
                if st.ups[-1]["satisfaction_survey"] is not None:
                    r = 0.3 + 0.7 * r  # one survey answer per resolution
                if r < 0.3:
                    t = st.t + 1800 + int(rng.random() * 2 * 86400)
                    if t > now:
                        return
                    rating = 1 + bisect.bisect_right(_RATING_CUM, rng.random() * 100)
                    comment = rng.choice(_SURVEY_COMMENTS) if rng.random() < 0.4 else None
                    self._emit(st, t, self.contact_by[st.contact], survey={"rating": rating, "comment": comment})
                elif r < 0.42:
                    t = st.t + 600 + int(rng.expovariate(1 / (30 * 3600)))
                    if t > now:
                        return
                    self._contact_reply(st, t)  # reopens the ticket
                else:
                    t = st.t + 3 * 86400 + int(rng.random() * 4 * 86400)
                    if t > now:
                        return
                    self._emit(st, t, self.system_by, status=STATUS_CLOSED)
                    st.phase = PHASE_CLOSED
            elif phase == PHASE_CLOSED:
                if st.late_touched or rng.random() >= 0.05:
                    return
                st.late_touched = True
                t = st.t + 15 * 86400 + int(rng.random() * 250 * 86400)
                if t > now:
                    return
                if rng.random() < 0.6:
                    self._contact_reply(st, t)  # reopens a long-closed ticket
                else:
                    actor = self._pick_staff(st.category, t, st.assignee)
                    changes: list[JSON] = []
                    fields = self.cat_fields[st.category]
                    if fields:
                        self._cf_set(st, fields[int(rng.random() * len(fields))], t, changes)
                    body = self.pools.notes[int(rng.random() * len(self.pools.notes))]
                    self._emit(st, t, self.staff_by[actor], self._message(body, "", private=True),
                               cf=changes or None)
                    return
            else:
                return

    def _contact_reply(self, st: TicketState, t: int) -> None:
        rng = self.rng
        pools = self.pools
        body = pools.large[int(rng.random() * len(pools.large))] if rng.random() < 0.01 else \
            pools.contact_reply[int(rng.random() * len(pools.contact_reply))]
        attachments = self._attachments(t) if rng.random() < 0.12 else []
        status = STATUS_OPEN if st.status in (STATUS_ON_HOLD, STATUS_RESOLVED, STATUS_CLOSED) else None
        self._emit(st, t, self.contact_by[st.contact],
                   self._message(body, "Re: " + st.subject, attachments=attachments), status=status)
        st.phase = PHASE_STAFF

    def _staff_action(self, st: TicketState, t: int, resolve: bool | None = None) -> None:
        rng = self.rng
        actor = self._pick_staff(st.category, t, st.assignee)
        st.staff_acts += 1
        if actor not in st.subs:
            st.subs.append(actor)
        kw: dict[str, Any] = {}
        cf: list[JSON] = []
        note_body: tuple[str, str] | None = None

        # Moves happen early in a ticket's life, when it was filed in the wrong queue.
        if st.staff_acts <= 2 and len(self.category_ids) > 1 and rng.random() < 0.08:
            target = self.category_ids[int(rng.random() * len(self.category_ids))]
            if target != st.category:
                kw["category"] = target
                if actor not in self.cat_staff[target] and rng.random() < 0.5:
                    kw["assignee"] = None  # hand it to the other team's queue
                else:
                    kw["assignee"] = self._pick_staff(target, t)
                note_body = (f"Moving to {self.category_by_id[target]['name']}.\n",
                             f"<div><p>Moving to {self.category_by_id[target]['name']}.</p></div>")
        if "assignee" not in kw:
            r = rng.random()
            if st.assignee is None:
                kw["assignee"] = actor
            elif r < 0.04:
                kw["assignee"] = None  # back to the queue (holiday, wrong person)
            elif r < 0.10:
                kw["assignee"] = self._pick_staff(st.category, t)
        if rng.random() < 0.08:
            step = 1 if rng.random() < 0.6 else -1
            new_priority = min(4, max(1, st.priority + step))
            if new_priority != st.priority:
                kw["priority"] = new_priority
        r = rng.random()
        if st.due is None and r < 0.08:
            kw["due"] = day_string(t + (1 + int(rng.random() * 14)) * 86400)
        elif st.due is not None and r < 0.12:
            kw["due"] = day_string(t + (1 + int(rng.random() * 10)) * 86400)
        elif st.due is not None and r < 0.16:
            kw["due"] = None
        category = kw.get("category", st.category)
        editable = self.editable[category]
        if editable and rng.random() < 0.18:
            for spec in rng.sample(editable, min(len(editable), 1 if rng.random() < 0.8 else 2)):
                if spec.definition["depends_on_choice"] is not None and not self._parent_chosen(st, spec):
                    continue  # a dependant field only shows once its parent choice is picked
                clear = spec.kind in ("order_number", "internal_ref", "api_version") and \
                    spec.definition["id"] in st.cf and rng.random() < 0.2
                self._cf_set(st, spec, t, cf, clear=clear)

        if resolve is None:
            p_resolve = 0.2 + 0.18 * (st.staff_acts - 1)
            r = rng.random()
            if note_body is None and r < p_resolve:
                kind = "resolve"
            elif r < p_resolve + 0.2 or note_body is not None:
                kind = "note"
            else:
                kind = "reply"
        else:
            kind = "resolve" if resolve else "reply"

        subject = "Re: " + st.subject
        time_spent = self._time_spent(st)
        if kind == "resolve":
            if self.root_cause is not None and category in self.root_cause.categories and \
                    self.root_cause.definition["id"] not in st.cf:
                self._cf_set(st, self.root_cause, t, cf)
            status = STATUS_CLOSED if rng.random() < 0.1 else STATUS_RESOLVED
            message = self._reply(actor, t, subject)
            self._emit(st, t, self.staff_by[actor], message, status=status, cf=cf or None,
                       time_spent=time_spent, **kw)
            st.phase = PHASE_CLOSED if status == STATUS_CLOSED else PHASE_RESOLVED
        elif kind == "note":
            body = note_body or self.pools.notes[int(rng.random() * len(self.pools.notes))]
            attachments = self._attachments(t) if rng.random() < 0.05 else []
            status = STATUS_IN_PROGRESS if st.status in (STATUS_NEW, STATUS_OPEN) and rng.random() < 0.6 else None
            self._emit(st, t, self.staff_by[actor], self._message(body, "", private=True, attachments=attachments),
                       status=status, cf=cf or None, time_spent=time_spent, **kw)
            st.phase = PHASE_STAFF
        else:
            r = rng.random()
            status = STATUS_ON_HOLD if r < 0.55 else STATUS_IN_PROGRESS if r < 0.8 else STATUS_OPEN
            self._emit(st, t, self.staff_by[actor], self._reply(actor, t, subject), status=status,
                       cf=cf or None, time_spent=time_spent, **kw)
            st.phase = PHASE_CONTACT

    def _reply(self, actor: int, t: int, subject: str) -> JSON:
        rng = self.rng
        pool = self.pools.staff_reply[actor]
        body = pool[int(rng.random() * len(pool))]
        attachments = self._attachments(t) if rng.random() < 0.08 else []
        r = rng.random()
        if r < 0.015:
            return self._message(body, "Fwd: " + subject[4:], attachments=attachments,
                                 forward="escalations@vendor-support.example, l2@partner.example")
        cc = "accounts@example.com" if r < 0.06 else ""
        bcc = "audit@" + self.ref.account_domain if r > 0.98 else ""
        return self._message(body, subject, attachments=attachments, cc=cc, bcc=bcc, customer_updated=True)


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def number_updates(states: list[TicketState], system_by: JSON) -> tuple[int, int]:
    """Give every non-system update an ``update_id`` and every attachment an ``id``, in time order.

    Returns ``(next_update_id, next_attachment_id)``. Ties on the same second are
    broken by ticket id and then by position in the ticket, so numbering is stable.
    """
    n = len(states)
    tid_bits = max(1, n.bit_length())
    idx_bits = 11
    keys = []
    append = keys.append
    for st in states:
        for idx, (u, ts) in enumerate(zip(st.ups, st.tss)):
            if u["by"] is not system_by:
                append((((ts << tid_bits) | st.tid) << idx_bits) | idx)
    keys.sort()
    tid_mask = (1 << tid_bits) - 1
    idx_mask = (1 << idx_bits) - 1
    update_id = 0
    attachment_id = 0
    for key in keys:
        idx = key & idx_mask
        tid = (key >> idx_bits) & tid_mask
        u = states[tid - 1].ups[idx]
        update_id += 1
        u["update_id"] = update_id
        m = u["message"]
        if m is not None and m["attachments"]:
            for a in m["attachments"]:
                attachment_id += 1
                a["id"] = attachment_id
    return update_id + 1, attachment_id + 1


def finalize(sim: Simulator, st: TicketState) -> JSON:
    """Render one simulated ticket as the API's ticket detail object."""
    ref = sim.ref
    ups, tss = st.ups, st.tss
    fmt = timestamp_string
    for u, ts in zip(ups, tss):
        u["timestamp"] = fmt(ts)
    created = tss[0]
    last_user = created  # the opening message is the contact's, whoever typed it in
    last_staff = None
    first_staff = None
    messages = attachments = spent = 0
    any_spent = False
    staff_type = "staff"
    for i in range(len(ups)):
        u = ups[i]
        m = u["message"]
        if m is not None:
            messages += 1
            attachments += len(m["attachments"])
            if i:
                by_type = u["by"].get("type")
                if by_type == "user":
                    last_user = tss[i]
                elif by_type == staff_type and m["message_type"] is None:
                    last_staff = tss[i]
                    if first_staff is None:
                        first_staff = tss[i]
        ts_ = u["time_spent"]
        if ts_:
            spent += ts_
            any_spent = True
    breaches = 0
    first_limit = created + _SLA_FIRST_H[st.initial_priority] * 3600
    if (first_staff if first_staff is not None else sim.now) > first_limit:
        breaches += 1
    resolve_limit = created + _SLA_RESOLVE_H[st.initial_priority] * 3600
    if (st.first_resolved if st.first_resolved is not None else sim.now) > resolve_limit and st.merged_to is None:
        breaches += 1
    status = sim.status_by_id[st.status]
    custom_fields = []
    for spec in sim.cat_fields[st.category]:
        d = spec.definition
        current = st.cf.get(d["id"])
        custom_fields.append({
            "id": d["id"],
            "name": d["name"],
            "value": None if current is None else current[0],
            "value_id": None if current is None else current[1],
            "type": d["type"],
            "visible_to_staff_only": d["visible_to_staff_only"],
            "compulsory_on_complete": d["compulsory_on_completed"],
        })
    last_user_s = fmt(last_user)
    last_staff_s = None if last_staff is None else fmt(last_staff)
    return {
        "id": st.tid,
        "display_id": f"#{ref.category_prefixes[st.category]}{st.tid:08d}",
        "subject": st.subject,
        "status": status,
        "priority": sim.priority_by_id[st.priority],
        "category": sim.category_by_id[st.category],
        "user": sim.contacts[st.contact],
        "assigned_to": None if st.assignee is None else ref.staff[st.assignee],
        "custom_fields": custom_fields,
        "tags": st.tags,
        "due_date": st.due,
        "created_at": ups[0]["timestamp"],
        "last_modified": ups[-1]["timestamp"],
        "last_updated_at": last_user_s if last_staff is None or last_user >= last_staff else last_staff_s,
        "last_user_reply_at": last_user_s,
        "last_staff_reply_at": last_staff_s,
        "messages_count": messages,
        "attachments_count": attachments,
        "time_spent": spent if any_spent else None,
        "sla_breaches": breaches,
        "unresponded": last_staff is None,
        "source": st.source,
        "merged_tickets": st.merged_tickets,
        "merged_to": st.merged_to,
        "visible_only_staff": st.visible_only_staff,
        "subscribers": [sim.subscriber[s] for s in st.subs],
        "first_message": ups[0]["message"]["text"],
        "updates": ups,
    }
