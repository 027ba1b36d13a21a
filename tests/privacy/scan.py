"""Look for a helpdesk's private words anywhere a sync leaves data.

The needles come from the simulator's own store (what HappyFox holds): message
texts and html, subjects, first messages, satisfaction comments, attachment file
names and cc addresses (``bodies``), and contact names, e-mails and phone numbers
(``contacts``). A needle that also occurs in something the policy keeps (staff,
reference lists, kept message bodies) could be found for an innocent reason and is
left out, as are needles too short to mean anything.

The haystacks are every text value of every table and view in every schema of a
DuckDB file (raw, staging, reporting, dlt's own tables, the pipeline state
decompressed), and every file under a pipeline's working directory, decoded:
Parquet read with pyarrow, gzip opened, everything else read as text, in the forms a
writer may escape a value to (JSON, SQL literals).
"""

from __future__ import annotations

import gzip
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import ahocorasick
import duckdb
import pyarrow.parquet as pq

from happyfox_simulator import Helpdesk

MIN_NEEDLE = 6


def _walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk_strings(item)


def body_needles(desk: Helpdesk) -> set[str]:
    needles: set[str] = set()
    for ticket in desk.tickets:
        needles.update(filter(None, (ticket.get("subject"), ticket.get("first_message"))))
        for update in ticket.get("updates") or ():
            message = update.get("message") or {}
            for key in ("text", "html", "subject"):
                if message.get(key):
                    needles.add(message[key])
            for key in ("cc_list", "bcc_list", "forward_list"):
                for address in str(message.get(key) or "").split(","):
                    if "@" in address:
                        needles.add(address.strip())
            for attachment in message.get("attachments") or ():
                if attachment.get("filename"):
                    needles.add(attachment["filename"])
            survey = update.get("satisfaction_survey") or {}
            if survey.get("comment"):
                needles.add(survey["comment"])
    return needles


def contact_needles(desk: Helpdesk) -> set[str]:
    needles: set[str] = set()
    for contact in desk.contacts:
        needles.update(filter(None, (contact.get("name"), contact.get("email"))))
        for phone in contact.get("phones") or ():
            needles.add(phone["number"])
    for ticket in desk.tickets:
        for update in ticket.get("updates") or ():
            author = update.get("by") or {}
            if author.get("type") == "user":
                needles.update(filter(None, (author.get("name"), author.get("email"))))
            message = update.get("message") or {}
            for key in ("cc_list", "bcc_list", "forward_list"):
                for address in str(message.get(key) or "").split(","):
                    if "@" in address:
                        needles.add(address.strip())
    return needles


def kept_text(desk: Helpdesk, bodies_kept: bool, contacts_kept: bool) -> str:
    """Everything a policy keeps readable, where an innocent match could come from."""
    kept: list[str] = []
    for records in (desk.staff, desk.categories, desk.statuses, desk.priorities, desk.contact_groups,
                    desk.ticket_custom_fields, desk.user_custom_fields):
        kept.extend(_walk_strings(records))
    for ticket in desk.tickets:
        kept.extend(_walk_strings(ticket.get("custom_fields")))
        kept.extend(_walk_strings(ticket.get("subscribers")))
        kept.append(str(ticket.get("tags") or ""))
        for update in ticket.get("updates") or ():
            author = update.get("by") or {}
            if author.get("type") != "user":
                kept.extend(_walk_strings(author))
            for change in update.get("custom_field_change") or ():
                kept.extend(_walk_strings(change))
            for key in ("status_change", "priority_change", "assignee_change", "category_change"):
                kept.extend(_walk_strings(update.get(key)))
    if bodies_kept:
        kept.extend(body_needles(desk))
    if contacts_kept:
        kept.extend(contact_needles(desk))
    for contact in desk.contacts:
        kept.extend(_walk_strings(contact.get("custom_fields")))
        kept.extend(_walk_strings(contact.get("contact_groups")))
    return "\n".join(kept)


def needles_for(desk: Helpdesk, *, bodies: bool, contacts: bool) -> set[str]:
    """The needles a policy that drops ``bodies`` and/or ``contacts`` must leave nowhere."""
    wanted: set[str] = set()
    if bodies:
        wanted |= body_needles(desk)
    if contacts:
        wanted |= contact_needles(desk)
    innocent = kept_text(desk, bodies_kept=not bodies, contacts_kept=not contacts)
    wanted = {needle for needle in wanted if len(needle.strip()) >= MIN_NEEDLE}
    return wanted - _Matcher({needle: (needle,) for needle in wanted}).hits(innocent)


@lru_cache(maxsize=None)
def _forms(needle: str) -> tuple[str, ...]:
    forms = {needle, json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1], needle.replace("'", "''")}
    return tuple(sorted(forms))


class _Matcher:
    """Every needle any of whose forms occurs in a text, overlapping occurrences included.

    Aho-Corasick (pyahocorasick): one pass over the text for all needles, where a
    substring test per needle and form made the scans most of the privacy tests' time.
    """

    def __init__(self, forms_of: dict[str, tuple[str, ...]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for needle, forms in forms_of.items():
            for form in forms:
                owners = self._automaton.get(form, ())
                self._automaton.add_word(form, (*owners, needle))
        self._empty = not forms_of
        if not self._empty:
            self._automaton.make_automaton()

    def hits(self, text: str) -> set[str]:
        if self._empty or not text:
            return set()
        return {needle for _, owners in self._automaton.iter(text) for needle in owners}


# -- haystacks ---------------------------------------------------------------------


def database_text(database: Path) -> dict[str, str]:
    """``schema.table.column`` -> every non-null value of it as text, joined."""
    from dlt.pipeline.state_sync import decompress_state

    texts: dict[str, str] = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database() order by 1, 2, 3"
        ).fetchall()
        for schema, table, column in columns:
            rows = connection.execute(
                f'select cast("{column}" as varchar) from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            values = [value for (value,) in rows]
            if table == "_dlt_pipeline_state" and column == "state":
                values += [json.dumps(decompress_state(value), ensure_ascii=False) for value in values]
            texts[f"{schema}.{table}.{column}"] = "\n".join(values)
    return texts


def file_text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PAR1":
        table = pq.read_table(path)
        return "\n".join(str(value) for column in table.columns for value in column.to_pylist() if value is not None)
    return data.decode("utf-8", errors="replace")


def directory_text(folder: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            texts[str(path.relative_to(folder))] = file_text(path)
    return texts


def leaks(needles: set[str], texts: dict[str, str]) -> dict[str, list[str]]:
    """Where each found needle is: ``{place: [needles]}`` (empty when clean)."""
    matcher = _Matcher({needle: _forms(needle) for needle in needles})  # a needle, or a form a writer escapes it to
    out: dict[str, list[str]] = {}
    for place, text in texts.items():
        hits = matcher.hits(text)
        if hits:
            out[place] = sorted(hits)
    return out
