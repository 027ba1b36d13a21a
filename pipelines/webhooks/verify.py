"""Is a webhook request really from HappyFox? HMAC-SHA1 of the raw body, compared in constant time.

HappyFox signs each payload with HMAC-SHA1 in ``X-Happyfox-Webhook-Signature`` using the
signing key shown for the webhook; which encoding it sends is not documented, so every
reading is accepted: a hex digest (either case) or a base64 digest (standard or URL-safe
alphabet, padded or not), optionally prefixed ``sha1=`` as other senders do. What is
signed is read as the raw request body, byte for byte, before any JSON parsing.

The provided value is decoded to 20 bytes first and compared with
:func:`hmac.compare_digest`, so the comparison time does not depend on how much of the
signature is right.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

SIGNATURE_HEADER = "X-Happyfox-Webhook-Signature"
_HEX = re.compile(r"^[0-9a-fA-F]{40}$")
_DIGEST_BYTES = hashlib.sha1().digest_size


def expected_digest(secret: str, body: bytes) -> bytes:
    """The HMAC-SHA1 of ``body`` under ``secret`` (the signing key as UTF-8 text)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha1).digest()


def _candidates(signature: str) -> list[bytes]:
    """Every 20-byte digest the header value can be read as (hex and/or base64)."""
    text = signature.strip()
    if text.lower().startswith("sha1="):
        text = text[5:].strip()
    found: list[bytes] = []
    if _HEX.match(text):
        found.append(bytes.fromhex(text))
    padded = text + "=" * (-len(text) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(padded.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        if len(raw) == _DIGEST_BYTES and raw not in found:
            found.append(raw)
    return found


def signature_is_valid(secret: str, body: bytes, signature: str | None) -> bool:
    """True when ``signature`` is the HMAC-SHA1 of ``body`` under ``secret`` in any accepted encoding."""
    if not signature or not secret:
        return False
    expected = expected_digest(secret, body)
    valid = False
    for candidate in _candidates(signature):
        valid |= hmac.compare_digest(expected, candidate)
    return valid


def sign(secret: str, body: bytes, encoding: str = "hex") -> str:
    """The header value a sender would put on ``body`` (hex or base64), for senders and tests."""
    digest = expected_digest(secret, body)
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"unknown signature encoding {encoding!r}; use 'hex' or 'base64'")
