"""Turning stored records into response JSON: per-response views, never mutations.

Two things differ between the stored ticket and what a response shows:

* ``custom_field_change`` is stored for real on every update but shown only on the
  detail endpoint with ``show_cf_changes=true``; everywhere else it is ``null``.
* Attachment URLs are signed per response and expire 5 minutes later, like the
  S3 links HappyFox hands out: the same attachment never gets the same URL twice,
  so a client that stores URLs as permanent links is caught.

Only updates that need a change are copied; the rest of the ticket is shared with
the store and serialised directly (hold the store lock while serialising).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from .model import JSON

URL_LIFETIME = timedelta(minutes=5)


class AttachmentSigner:
    """Issues and checks expiring, never-repeating attachment URLs on the simulator itself."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(16)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.base_url = ""

    def expiry(self, now_utc: datetime) -> int:
        """The ``Expires`` epoch for a response made at ``now_utc`` (naive UTC)."""
        return int((now_utc + URL_LIFETIME).replace(tzinfo=UTC).timestamp())

    def url(self, attachment: JSON, expires: int) -> str:
        """A fresh URL for one attachment in one response."""
        with self._lock:
            nonce = next(self._counter)
        attachment_id = attachment.get("id")
        signature = self._sign(attachment_id, expires, nonce)
        filename = quote(str(attachment.get("filename") or "file"))
        return (
            f"{self.base_url}/attachments/{attachment_id}/{filename}"
            f"?Signature={signature}&Expires={expires}&AWSAccessKeyId=SIMULATOR&n={nonce}"
        )

    def check(self, attachment_id: str, expires: str, nonce: str, signature: str, now_utc: datetime) -> str | None:
        """Why a download URL is refused (``None`` if it is valid)."""
        if not (expires.isdigit() and nonce.isdigit()):
            return "Malformed URL"
        expected = self._sign(int(attachment_id) if attachment_id.isdigit() else attachment_id, int(expires), int(nonce))
        if not hmac.compare_digest(expected, signature):
            return "SignatureDoesNotMatch"
        if now_utc.replace(tzinfo=UTC).timestamp() > int(expires):
            return "Request has expired"
        return None

    def _sign(self, attachment_id: object, expires: int, nonce: int) -> str:
        digest = hmac.new(self._secret, f"{attachment_id}:{expires}:{nonce}".encode(), hashlib.sha1).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class RenderOptions:
    """How one response shows tickets."""

    signer: AttachmentSigner
    expires: int
    show_cf_changes: bool = False
    embedded_contact: str = "full"
    """``"bare"``: the ``user`` embedded in a ticket comes without ``custom_fields`` / ``contact_groups``."""


BARE_CONTACT_DROPS = ("custom_fields", "contact_groups")


def render_ticket(ticket: JSON, options: RenderOptions) -> JSON:
    """The ticket as this response shows it (a shallow view over the stored record)."""
    view = dict(ticket)
    contact = ticket.get("user")
    if options.embedded_contact == "bare" and isinstance(contact, dict):
        view["user"] = {key: value for key, value in contact.items() if key not in BARE_CONTACT_DROPS}
    history = ticket.get("updates")
    if history:
        view["updates"] = [_render_update(entry, options) for entry in history]
    return view


def _render_update(entry: JSON, options: RenderOptions) -> JSON:
    hide_cf = entry.get("custom_field_change") is not None and not options.show_cf_changes
    message = entry.get("message")
    attachments = message.get("attachments") if message else None
    if not hide_cf and not attachments:
        return entry
    view = dict(entry)
    if hide_cf:
        view["custom_field_change"] = None
    if attachments:
        view["message"] = {
            **message,
            "attachments": [{**a, "url": options.signer.url(a, options.expires)} for a in attachments],
        }
    return view


def project(items: Iterable[JSON], fields: list[str]) -> list[JSON]:
    """``fields=a,b``: only those top-level keys (unknown names are simply absent)."""
    return [{name: item[name] for name in fields if name in item} for item in items]


def minify(ids: Iterable[int], style: str) -> list[object]:
    """``minify_response=true``: ``{"id": n}`` objects or bare ids, per ``minify_style``."""
    if style == "ids":
        return list(ids)
    return [{"id": ticket_id} for ticket_id in ids]
