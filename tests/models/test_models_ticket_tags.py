"""ticket_tags_current: the tags each live ticket carries now, once each."""

from __future__ import annotations


def test_one_row_per_ticket_and_tag_a_tag_listed_twice_counts_once(rows):
    assert rows("ticket_tags_current", "ticket_id, tag") == [
        {"ticket_id": 3, "tag": "billing"},
        {"ticket_id": 3, "tag": "refund"},
        {"ticket_id": 4, "tag": "billing"},
        {"ticket_id": 4, "tag": "login"},
    ]


def test_empty_tag_is_left_out(rows):
    assert rows("ticket_tags_current", "tag", "WHERE TRIM(tag) = ''") == []


def test_deleted_ticket_tags_are_left_out(rows):
    assert rows("ticket_tags_current", "tag", "WHERE ticket_id = 8") == []
