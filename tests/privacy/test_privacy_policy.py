"""The privacy policy on decoded HappyFox JSON: what each setting leaves of a record.

Records are built in the API's documented shapes (ticket detail, contact, update);
the end-to-end tests in this directory prove the same against the simulator.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from happyfox_sync.source.privacy import (
    PSEUDONYM_FLOOR,
    PrivacyConfigError,
    PrivacyPolicy,
    load_privacy_policy,
    policy_from_settings,
)
from happyfox_sync.source.privacy_client import scrub_answer

KEY = "00112233445566778899aabbccddeeff"


def contact() -> dict[str, Any]:
    return {
        "id": 7,
        "name": "Ann Example",
        "email": "Ann@Example.com",
        "phones": [{"id": 1, "type": "m", "number": "+1 (555) 010-2000"}],
        "primary_phone": {"id": 1, "type": "m", "number": "+1 (555) 010-2000"},
        "contact_groups": [{"id": 3, "name": "VIP", "description": "d", "tagged_domains": ["example.com"]}],
        "custom_fields": [
            {"id": 11, "name": "Passport", "value": "X123456", "value_id": None, "type": "text"},
            {"id": 12, "name": "Plan", "value": "Gold", "value_id": 4, "type": "choice"},
            {"id": 13, "name": "Home address", "value": "1 Main St", "value_id": None, "type": "text"},
        ],
        "tickets_count": 2,
        "pending_tickets_count": 1,
        "created_at": "2026-01-01 10:00:00",
        "updated_at": None,
    }


def ticket() -> dict[str, Any]:
    staff = {"id": 2, "name": "Sam Agent", "email": "sam@help.example", "type": "staff"}
    author = {"id": 7, "name": "Ann Example", "email": "ann@example.com", "type": "user"}
    return {
        "id": 40,
        "subject": "My card was charged twice",
        "first_message": "Hello, I was charged twice.",
        "user": contact(),
        "assigned_to": {"id": 2, "name": "Sam Agent", "email": "sam@help.example"},
        "subscribers": [{"id": 2, "first_name": "Sam", "last_name": "Agent", "email": "sam@help.example"}],
        "messages_count": 2,
        "attachments_count": 1,
        "updates": [
            {
                "timestamp": "2026-01-01 10:00:00",
                "update_id": 1,
                "by": author,
                "message": {
                    "text": "Hello, I was charged twice.",
                    "html": "<p>Hello, I was charged twice.</p>",
                    "subject": "My card was charged twice",
                    "cc_list": "Bob@Example.com, carol@example.com",
                    "bcc_list": "",
                    "forward_list": None,
                    "message_type": None,
                    "customer_updated": False,
                    "attachments": [{"id": 9, "filename": "Ann passport.pdf", "url": "https://s3/x/Ann%20passport.pdf"}],
                },
                "satisfaction_survey": None,
            },
            {
                "timestamp": "2026-01-01 11:00:00",
                "update_id": 2,
                "by": staff,
                "message": {"text": "Refunded.", "html": None, "subject": "Re: card", "cc_list": "", "message_type": "p"},
                "satisfaction_survey": {"rating": 5, "comment": "Thanks Sam!"},
            },
            {"timestamp": "2026-01-01 12:00:00", "by": {"name": "The system", "email": "notify@help.example"}, "message": None},
            {"timestamp": "2026-01-01 12:30:00", "update_id": 3, "by": None, "message": {"text": None, "html": None}},
        ],
    }


def hashing() -> PrivacyPolicy:
    return policy_from_settings("keep", "hash", KEY, ["Passport", 13])


def test_default_policy_leaves_a_ticket_exactly_as_it_came() -> None:
    record = ticket()
    assert PrivacyPolicy().scrub_ticket(record) == ticket()


def test_dropping_bodies_leaves_only_message_metadata() -> None:
    record = policy_from_settings("drop", "keep").scrub_ticket(ticket())
    first, reply = record["updates"][0], record["updates"][1]
    assert "subject" not in record and "first_message" not in record
    assert first["message"] == {"message_type": None, "customer_updated": False, "text": "", "attachments": [{"id": 9}]}
    assert reply["message"] == {"message_type": "p", "text": ""}
    assert reply["satisfaction_survey"] == {"rating": 5}
    assert first["by"] == {"id": 7, "name": "Ann Example", "email": "ann@example.com", "type": "user"}
    assert record["messages_count"] == 2 and record["attachments_count"] == 1


def test_dropping_bodies_gives_a_message_without_text_or_html_no_text() -> None:
    record = policy_from_settings("drop", "keep").scrub_ticket(ticket())
    assert record["updates"][3]["message"] == {}
    assert record["updates"][2]["message"] is None


def test_dropping_contact_pii_removes_details_but_keeps_the_contact_id_and_staff() -> None:
    policy = policy_from_settings("keep", "drop", None, ["Passport"])
    record = policy.scrub_ticket(ticket())
    user = record["user"]
    assert set(user) == {"id", "contact_groups", "custom_fields", "tickets_count", "pending_tickets_count", "created_at", "updated_at"}
    assert user["id"] == 7
    assert [(f["name"], f["value"]) for f in user["custom_fields"]] == [("Passport", None), ("Plan", "Gold"), ("Home address", "1 Main St")]
    assert record["updates"][0]["by"] == {"id": 7, "type": "user"}
    assert record["updates"][1]["by"] == {"id": 2, "name": "Sam Agent", "email": "sam@help.example", "type": "staff"}
    assert "cc_list" not in record["updates"][0]["message"] and "bcc_list" not in record["updates"][0]["message"]
    assert record["updates"][0]["message"]["text"] == "Hello, I was charged twice."
    assert record["assigned_to"] == {"id": 2, "name": "Sam Agent", "email": "sam@help.example"}


def test_hashing_gives_one_hash_per_address_whatever_its_case_and_wherever_it_appears() -> None:
    policy = hashing()
    record = policy.scrub_ticket(ticket())
    ann = policy.hash_text("email", "ann@example.com")
    assert record["user"]["email"] == ann
    assert record["updates"][0]["by"]["email"] == ann
    assert record["updates"][0]["message"]["cc_list"] == ", ".join(
        [policy.hash_text("email", "bob@example.com"), policy.hash_text("email", "carol@example.com")]
    )
    assert len(ann) == 64 and ann != policy.hash_text("email", "bob@example.com")


def test_hashing_replaces_contact_ids_by_one_bigint_pseudonym_everywhere() -> None:
    policy = hashing()
    record = policy.scrub_ticket(ticket())
    pseudonym = record["user"]["id"]
    assert PSEUDONYM_FLOOR <= pseudonym < 2**63
    assert record["updates"][0]["by"]["id"] == pseudonym == policy.pseudonym(7)
    assert policy.pseudonym(pseudonym) == pseudonym
    assert record["updates"][1]["by"]["id"] == 2
    assert record["id"] == 40


def test_hashing_keeps_a_phone_entry_s_id_and_type() -> None:
    policy = hashing()
    user = policy.scrub_contact(contact())
    number = policy.hash_text("phone", "+15550102000")
    assert user["phones"] == [{"id": 1, "type": "m", "number": number}]
    assert user["primary_phone"] == {"id": 1, "type": "m", "number": number}
    assert user["name"] == policy.hash_text("name", "Ann Example")


def test_listed_contact_custom_fields_are_hashed_by_name_or_id_and_others_stay() -> None:
    policy = hashing()
    fields = {f["name"]: f for f in policy.scrub_contact(contact())["custom_fields"]}
    assert fields["Passport"]["value"] == policy.hash_text("custom_field", "X123456")
    assert fields["Home address"]["value"] == policy.hash_text("custom_field", "1 Main St")
    assert fields["Plan"]["value"] == "Gold" and fields["Plan"]["value_id"] == 4


def test_a_different_key_gives_different_hashes() -> None:
    other = policy_from_settings("keep", "hash", "ff" * 16)
    assert other.hash_text("email", "ann@example.com") != hashing().hash_text("email", "ann@example.com")
    assert other.pseudonym(7) != hashing().pseudonym(7)


def test_a_hash_is_never_hashed_again() -> None:
    policy = hashing()
    once = policy.scrub_ticket(ticket())
    twice = policy.scrub_ticket(copy.deepcopy(once))
    assert twice == once


def test_cc_lists_sent_as_lists_are_hashed_item_by_item() -> None:
    policy = hashing()
    assert policy.address_list(["Bob@Example.com", " "]) == [policy.hash_text("email", "bob@example.com")]


def test_pages_and_details_are_scrubbed_by_endpoint() -> None:
    policy = policy_from_settings("drop", "drop")
    page = {"page_info": {"count": 1}, "data": [ticket()]}
    users = {"page_info": {"count": 1}, "data": [contact()]}
    staff = [{"id": 2, "name": "Sam Agent", "email": "sam@help.example"}]
    assert "subject" not in scrub_answer(policy, "tickets/", page)["data"][0]
    assert "subject" not in scrub_answer(policy, "ticket/40/", ticket())
    assert "email" not in scrub_answer(policy, "users/", users)["data"][0]
    assert "email" not in scrub_answer(policy, "user/7/", contact())
    assert scrub_answer(policy, "staff/", staff) == [{"id": 2, "name": "Sam Agent", "email": "sam@help.example"}]
    assert scrub_answer(policy, "tickets/", {"data": [1, 2], "page_info": {}})["data"] == [1, 2]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"message_bodies": "hide"}, "sources.happyfox.message_bodies must be one of keep, drop, not 'hide'"),
        ({"contact_pii": "mask"}, "sources.happyfox.contact_pii must be one of keep, hash, drop, not 'mask'"),
        ({"contact_pii": "hash"}, "sources.happyfox.contact_pii = hash needs the secret sources.happyfox.pii_hash_key"),
    ],
)
def test_unusable_settings_are_refused_naming_the_key(settings: dict[str, str], message: str) -> None:
    with pytest.raises(PrivacyConfigError) as refused:
        policy_from_settings(**settings)
    assert str(refused.value).startswith(message)


def test_a_key_that_is_not_hex_is_refused_without_showing_it() -> None:
    with pytest.raises(PrivacyConfigError) as refused:
        policy_from_settings("keep", "hash", "my secret passphrase!")
    assert "sources.happyfox.pii_hash_key must be hexadecimal" in str(refused.value)
    assert "passphrase" not in str(refused.value)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(PrivacyConfigError, match="pii_hash_key is too short: at least 16 bytes"):
        policy_from_settings("keep", "hash", "abcd")


def test_the_key_never_appears_in_the_policy_s_repr_or_record() -> None:
    policy = hashing()
    assert KEY not in repr(policy) and KEY not in str(policy.record())
    assert policy.record() == {
        "message_bodies": "keep",
        "contact_pii": "hash",
        "pii_contact_custom_fields": ["13", "Passport"],
        "hash_key_fingerprint": policy.key_fingerprint,
    }


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__HAPPYFOX__MESSAGE_BODIES", "drop")
    monkeypatch.setenv("SOURCES__HAPPYFOX__CONTACT_PII", "hash")
    monkeypatch.setenv("SOURCES__HAPPYFOX__PII_HASH_KEY", KEY)
    monkeypatch.setenv("SOURCES__HAPPYFOX__PII_CONTACT_CUSTOM_FIELDS", "Passport, 13")
    policy = load_privacy_policy()
    assert (policy.message_bodies, policy.contact_pii) == ("drop", "hash")
    assert policy.pii_contact_custom_fields == frozenset({"Passport", "13"})
    assert policy.key_fingerprint == hashing().key_fingerprint


def test_the_custom_field_list_may_be_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__HAPPYFOX__PII_CONTACT_CUSTOM_FIELDS", '["Passport", 13]')
    assert load_privacy_policy().pii_contact_custom_fields == frozenset({"Passport", "13"})


def test_defaults_keep_everything() -> None:
    policy = load_privacy_policy()
    assert (policy.message_bodies, policy.contact_pii, policy.active) == ("keep", "keep", False)
