"""ticket_custom_field_history and ticket_custom_fields_current against the fixture."""

from __future__ import annotations

import datetime as dt

U = dt.timezone.utc


def at(day: int, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2024, 3, 3 + day, hh, mm, tzinfo=U)


def test_history(rows):
    got = [(r["ticket_id"], r["field_id"], r["field_name"], r["field_type"], r["value"],
            r["valid_from"], r["valid_to"], r["is_current"], r["set_in_update_index"])
           for r in rows("ticket_custom_field_history", "ticket_id, field_id, valid_from")]
    assert got == [
        # T1: Product never changed: its current value since creation
        (1, 7, "Product", "choice", "Printer", at(1, 9, 0), None, True, None),
        # T7: Product changed twice; before the first change it held that change's from value
        (7, 7, "Product", "choice", "Printer", at(2, 10, 0), at(2, 10, 30), False, None),
        (7, 7, "Product", "choice", "Scanner", at(2, 10, 30), at(3, 9, 0), False, 1),
        (7, 7, "Product", "choice", "Fax", at(3, 9, 0), None, True, 2),
        # T7: Order number was empty until set: the empty interval is not a row
        (7, 8, "Order number", "text", "A-1", at(3, 9, 0), None, True, 2),
        # T7: Components never changed
        (7, 9, "Components", "multiple_choice", "Toner,Drum", at(2, 10, 0), None, True, None),
    ]


def test_current(rows):
    got = [(r["ticket_id"], r["field_id"], r["field_name"], r["field_type"], r["value"], r["value_id"])
           for r in rows("ticket_custom_fields_current", "ticket_id, field_id")]
    assert got == [
        (1, 7, "Product", "choice", "Printer", "71"),
        (2, 8, "Order number", "text", None, None),  # '' is empty: null
        (7, 7, "Product", "choice", "Fax", "73"),
        (7, 8, "Order number", "text", "A-1", None),
        (7, 9, "Components", "multiple_choice", "Toner,Drum", None),
    ]
