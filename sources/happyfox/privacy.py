"""Privacy controls: what of a message and of a contact may reach the warehouse.

Two settings under ``[sources.happyfox]`` decide it (defaults keep everything):

``message_bodies`` (``keep`` | ``drop``)
    ``drop`` leaves out every message's text, html, subject, cc / bcc / forward
    lists, attachment file names (and their URLs, which carry the name), the
    ticket's ``subject`` and ``first_message``, and satisfaction comments. A message
    that had a body keeps ``text = ""`` (empty, never the words), so reports can
    still tell that an update carried a message. Who, when, message type, counts
    and attachment ids stay.
``contact_pii`` (``keep`` | ``hash`` | ``drop``)
    A contact's name, e-mail addresses and phone numbers, wherever they appear (the
    contact record, the contact embedded in a ticket, ``by`` of a contact's update,
    cc / bcc / forward lists), plus the values of the contact custom fields listed
    in ``pii_contact_custom_fields``, are dropped or replaced by HMAC-SHA256 with the
    secret ``pii_hash_key``. With ``hash`` the contact id is replaced too, by a
    keyed pseudonym (a BIGINT), so counts and joins by contact still work while the
    warehouse cannot be looked up against HappyFox without the key. With ``drop``
    the id stays: it is HappyFox's record number, not a contact detail, and the
    contact tables need it as their key. Staff are never touched.

The policy is applied to the decoded JSON the moment a page or a detail record is
parsed (:func:`scrub_ticket`, :func:`scrub_contact`, and :mod:`.privacy_client`
which calls them for every GET), so no row, dlt intermediate file, log line or error
message ever holds a dropped value. The functions are public: any other entry point
that receives ticket JSON (a webhook receiver) calls :func:`scrub_ticket` first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional

import orjson
from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration
from dlt.common.typing import TSecretStrValue

from .helpers.errors import ConfigurationError
from .transform import as_text

MESSAGE_BODIES_MODES = ("keep", "drop")
CONTACT_PII_MODES = ("keep", "hash", "drop")

MIN_KEY_BYTES = 16
"""``pii_hash_key`` must carry at least 128 bits: a short key makes e-mail hashes guessable."""

PSEUDONYM_FLOOR = 1 << 62
"""Contact pseudonyms lie in [2**62, 2**63): BIGINT, and never equal to a real HappyFox id."""

MESSAGE_KEPT_KEYS = ("message_type", "customer_updated")
"""Message keys kept under ``message_bodies=drop``: an allowlist, so a key HappyFox adds
tomorrow (which may hold words) is dropped rather than loaded."""

ATTACHMENT_DROPPED_KEYS = ("filename", "url", "name")
ADDRESS_LIST_KEYS = ("cc_list", "bcc_list", "forward_list")
CONTACT_PII_KEYS = ("name", "email", "phones", "primary_phone", "avatar")
"""Contact keys that are contact details (an avatar URL often embeds a hash of the address);
any other key naming an e-mail or a phone is one too."""

_HASHED_TEXT = re.compile(r"^[0-9a-f]{64}$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_ADDRESS_SEPARATOR = re.compile(r"[,;]")


class PrivacyConfigError(ConfigurationError):
    """A privacy setting is unusable; the message names the key, never the secret's value."""


@configspec
class PrivacyConfiguration(BaseConfiguration):
    """The privacy keys of ``[sources.happyfox]``, read once per source instance."""

    message_bodies: str = "keep"
    contact_pii: str = "keep"
    pii_hash_key: Optional[TSecretStrValue] = None
    pii_contact_custom_fields: Optional[Any] = None
    """A TOML list, a JSON list or a comma-separated string of field ids or names."""


def _field_list(value: Any) -> frozenset[str]:
    """Custom field ids or names as strings, from a list, a JSON list or ``"a, b"``."""
    if value is None or value == "":
        return frozenset()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise PrivacyConfigError(
                    "sources.happyfox.pii_contact_custom_fields is not a readable list "
                    "(use a TOML list, a JSON list or comma-separated field ids or names)"
                ) from None
        else:
            value = [part for part in text.split(",")]
    if isinstance(value, (int, float)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise PrivacyConfigError(
            "sources.happyfox.pii_contact_custom_fields must be a list of contact custom field ids or names"
        )
    names = {str(item).strip() for item in value if str(item).strip()}
    return frozenset(names)


def _hash_key(value: Any) -> bytes:
    """The bytes of a hex ``pii_hash_key``; errors name the key and never show it."""
    text = str(value).strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise PrivacyConfigError(
            "sources.happyfox.pii_hash_key must be hexadecimal (e.g. the output of `openssl rand -hex 32`)"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise PrivacyConfigError(
            f"sources.happyfox.pii_hash_key is too short: at least {MIN_KEY_BYTES} bytes "
            f"({2 * MIN_KEY_BYTES} hex digits) are needed"
        )
    return key


@dataclass(frozen=True)
class PrivacyPolicy:
    """What of messages and contacts this source keeps; see the module docstring."""

    message_bodies: str = "keep"
    contact_pii: str = "keep"
    hash_key: bytes | None = field(default=None, repr=False, compare=False)
    pii_contact_custom_fields: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.message_bodies not in MESSAGE_BODIES_MODES:
            raise PrivacyConfigError(
                f"sources.happyfox.message_bodies must be one of {', '.join(MESSAGE_BODIES_MODES)}, "
                f"not {self.message_bodies!r}"
            )
        if self.contact_pii not in CONTACT_PII_MODES:
            raise PrivacyConfigError(
                f"sources.happyfox.contact_pii must be one of {', '.join(CONTACT_PII_MODES)}, "
                f"not {self.contact_pii!r}"
            )
        if self.contact_pii == "hash" and not self.hash_key:
            raise PrivacyConfigError(
                "sources.happyfox.contact_pii = hash needs the secret sources.happyfox.pii_hash_key "
                "(hex, e.g. `openssl rand -hex 32`; env SOURCES__HAPPYFOX__PII_HASH_KEY)"
            )

    # -- what the policy is ------------------------------------------------------

    @property
    def drops_bodies(self) -> bool:
        return self.message_bodies == "drop"

    @property
    def scrubs_contacts(self) -> bool:
        return self.contact_pii != "keep"

    @property
    def active(self) -> bool:
        """False for the default policy, which leaves every record untouched."""
        return self.drops_bodies or self.scrubs_contacts

    @property
    def key_fingerprint(self) -> str | None:
        """A short keyed digest that tells two keys apart without revealing either."""
        if not self.hash_key:
            return None
        return hmac.new(self.hash_key, b"happyfox-sync pii_hash_key fingerprint", hashlib.sha256).hexdigest()[:16]

    def record(self) -> dict[str, Any]:
        """The policy as kept in the source state (no secret: the key's fingerprint only)."""
        return {
            "message_bodies": self.message_bodies,
            "contact_pii": self.contact_pii,
            "pii_contact_custom_fields": sorted(self.pii_contact_custom_fields),
            "hash_key_fingerprint": self.key_fingerprint,
        }

    # -- hashing -------------------------------------------------------------------

    def _digest(self, kind: str, text: str) -> bytes:
        assert self.hash_key is not None
        return hmac.new(self.hash_key, f"{kind}:{text}".encode(), hashlib.sha256).digest()

    def hash_text(self, kind: str, value: Any) -> str | None:
        """The keyed hash (64 hex digits) of a name, e-mail, phone or field value.

        E-mails are compared case-insensitively and phones without punctuation, so
        ``Ann@X.com`` and ``ann@x.com`` (or ``+1 (555) 010`` and ``+1555010``) hash the
        same. A value that already is a hash is returned as it is, which makes a
        rewrite of loaded rows safe to repeat.
        """
        if value is None:
            return None
        text = unicodedata.normalize("NFC", str(value)).strip()
        if _HASHED_TEXT.match(text):
            return text
        if kind == "email":
            text = text.lower()
        elif kind == "phone":
            text = _PHONE_PUNCTUATION.sub("", text)
        return self._digest(kind, text).hex()

    def pseudonym(self, contact_id: Any) -> Any:
        """A contact id's keyed pseudonym, a BIGINT in [2**62, 2**63); pseudonyms map to themselves."""
        if contact_id is None or isinstance(contact_id, bool):
            return contact_id
        try:
            number = int(contact_id)
        except (TypeError, ValueError):
            return self.hash_text("contact_id", contact_id)
        if number >= PSEUDONYM_FLOOR:
            return number
        value = int.from_bytes(self._digest("contact_id", str(number))[:8], "big")
        return PSEUDONYM_FLOOR | (value & (PSEUDONYM_FLOOR - 1))

    def address_list(self, value: Any) -> Any:
        """cc / bcc / forward lists: each address hashed (a string stays a string)."""
        if value is None:
            return None
        if isinstance(value, list):
            return [self.hash_text("email", item) for item in value if str(item).strip()]
        parts = [part.strip() for part in _ADDRESS_SEPARATOR.split(str(value)) if part.strip()]
        return ", ".join(self.hash_text("email", part) or "" for part in parts)

    def is_pii_field(self, custom_field: dict[str, Any]) -> bool:
        """Whether a contact custom field is listed in ``pii_contact_custom_fields`` (by id or name)."""
        if not self.pii_contact_custom_fields:
            return False
        return (
            str(custom_field.get("id")) in self.pii_contact_custom_fields
            or str(custom_field.get("name")) in self.pii_contact_custom_fields
        )

    # -- scrubbing decoded JSON (in place) -----------------------------------------

    def scrub_contact(self, contact: Any) -> Any:
        """Apply ``contact_pii`` to a contact record, in place; returns it."""
        if not isinstance(contact, dict) or not self.scrubs_contacts:
            return contact
        for key in [key for key in contact if is_contact_pii_key(key)]:
            if self.contact_pii == "drop":
                del contact[key]
            else:
                contact[key] = self._hash_detail(key, contact[key])
        if self.contact_pii == "hash" and "id" in contact:
            contact["id"] = self.pseudonym(contact["id"])
        for custom_field in contact.get("custom_fields") or ():
            if isinstance(custom_field, dict) and self.is_pii_field(custom_field):
                self._scrub_field_value(custom_field)
        return contact

    def scrub_update(self, update: Any) -> Any:
        """Apply both settings to one entry of a ticket's ``updates``, in place."""
        if not isinstance(update, dict):
            return update
        if self.drops_bodies:
            message = update.get("message")
            if isinstance(message, dict):
                update["message"] = _bodiless(message)
            survey = update.get("satisfaction_survey")
            if isinstance(survey, dict):
                survey.pop("comment", None)
        if self.scrubs_contacts:
            author = update.get("by")
            if isinstance(author, dict) and author.get("type") == "user":
                self._scrub_author(author)
            message = update.get("message")
            if isinstance(message, dict):
                for key in ADDRESS_LIST_KEYS:
                    if key in message:
                        if self.contact_pii == "drop":
                            del message[key]
                        else:
                            message[key] = self.address_list(message[key])
        return update

    def scrub_ticket(self, ticket: Any) -> Any:
        """Apply both settings to a ticket (list item, detail or webhook body), in place."""
        if not isinstance(ticket, dict) or not self.active:
            return ticket
        if self.drops_bodies:
            for key in ("subject", "first_message"):
                ticket.pop(key, None)
        if self.scrubs_contacts:
            self.scrub_contact(ticket.get("user"))
        for update in ticket.get("updates") or ():
            self.scrub_update(update)
        return ticket

    def _scrub_author(self, author: dict[str, Any]) -> None:
        for key in [key for key in author if is_contact_pii_key(key)]:
            if self.contact_pii == "drop":
                del author[key]
            else:
                author[key] = self._hash_detail(key, author[key])
        if self.contact_pii == "hash" and "id" in author:
            author["id"] = self.pseudonym(author["id"])

    def _scrub_field_value(self, custom_field: dict[str, Any]) -> None:
        for key in ("value", "value_id"):
            if key not in custom_field:
                continue
            if self.contact_pii == "drop":
                custom_field[key] = None
            else:
                # hashed as the text the row will hold, so a rewrite of loaded rows agrees
                custom_field[key] = self.hash_text("custom_field", as_text(custom_field[key]))

    def _hash_detail(self, key: str, value: Any) -> Any:
        kind = "email" if "email" in key else "phone" if "phone" in key else "name"
        return self._hash_any(kind, value)

    def _hash_any(self, kind: str, value: Any) -> Any:
        """Hash every piece of text in a value; a phone entry keeps its id and type."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, list):
            return [self._hash_any(kind, item) for item in value]
        if isinstance(value, dict):
            return {
                key: item if key in ("id", "type") else self._hash_any(kind, item)
                for key, item in value.items()
            }
        return self.hash_text(kind, value)


def is_contact_pii_key(key: str) -> bool:
    """Whether a key of a contact (or of ``by``) holds a contact detail."""
    lowered = key.lower()
    return key in CONTACT_PII_KEYS or "email" in lowered or "phone" in lowered


def _bodiless(message: dict[str, Any]) -> dict[str, Any]:
    """A message with only metadata left (see ``MESSAGE_KEPT_KEYS``)."""
    kept = {key: message[key] for key in MESSAGE_KEPT_KEYS if key in message}
    if message.get("text") is not None or message.get("html") is not None:
        kept["text"] = ""
    attachments = message.get("attachments")
    if isinstance(attachments, list):
        kept["attachments"] = [
            {key: value for key, value in item.items() if key not in ATTACHMENT_DROPPED_KEYS}
            if isinstance(item, dict)
            else item
            for item in attachments
        ]
    return kept


KEEP_EVERYTHING = PrivacyPolicy()


def policy_from_settings(
    message_bodies: Any = "keep",
    contact_pii: Any = "keep",
    pii_hash_key: Any = None,
    pii_contact_custom_fields: Any = None,
) -> PrivacyPolicy:
    """A validated policy from raw setting values (strings from env or TOML)."""
    key = None
    if pii_hash_key not in (None, ""):
        key = _hash_key(pii_hash_key)
    return PrivacyPolicy(
        message_bodies=str(message_bodies or "keep").strip().lower(),
        contact_pii=str(contact_pii or "keep").strip().lower(),
        hash_key=key,
        pii_contact_custom_fields=_field_list(pii_contact_custom_fields),
    )


def load_privacy_policy() -> PrivacyPolicy:
    """The policy configured under ``[sources.happyfox]`` (config, secrets, environment)."""
    config = resolve_configuration(PrivacyConfiguration(), sections=("sources", "happyfox"))
    return policy_from_settings(
        config.message_bodies, config.contact_pii, config.pii_hash_key, config.pii_contact_custom_fields
    )


def scrub_ticket(ticket: Any, policy: PrivacyPolicy | None = None) -> Any:
    """Apply ``policy`` (default: the configured one) to decoded ticket JSON, in place."""
    return (policy or load_privacy_policy()).scrub_ticket(ticket)


def scrub_contact(contact: Any, policy: PrivacyPolicy | None = None) -> Any:
    """Apply ``policy`` (default: the configured one) to decoded contact JSON, in place."""
    return (policy or load_privacy_policy()).scrub_contact(contact)

