"""A client wrapper that applies the privacy policy to every answer as it is parsed.

The source reads tickets and contacts through several paths (search pages, detail
GETs, the contact sweep, the deletion listing); wrapping the one client they share
means none of them, and nothing after them (rows, dlt's files, logs, errors), can
see a value the policy drops. Everything else (budget, stats, clock) is the wrapped
client's own.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable, Iterator

from .helpers.urls import normalize_path
from .privacy import PrivacyPolicy

PAGED_TICKETS = "tickets/"
PAGED_CONTACTS = "users/"


def scrub_answer(policy: PrivacyPolicy, path: str, body: Any) -> Any:
    """``body`` of ``GET path`` with the policy applied (in place) to the records it holds."""
    if body is None or not policy.active:
        return body
    endpoint = normalize_path(path)
    head = endpoint.split("/", 1)[0]
    if endpoint == PAGED_TICKETS or endpoint == PAGED_CONTACTS:
        items = body.get("data") if isinstance(body, dict) else None
        scrub = policy.scrub_ticket if endpoint == PAGED_TICKETS else policy.scrub_contact
        for item in items if isinstance(items, list) else ():
            scrub(item)
    elif head == "ticket":
        policy.scrub_ticket(body)
    elif head == "user":
        policy.scrub_contact(body)
    elif head == "contact_group" and isinstance(body, dict):
        for contact in body.get("contacts") or ():
            policy.scrub_contact(contact)
    return body


class ScrubbingClient:
    """Delegates to a HappyFox client; ``get`` and ``get_many`` answers come back scrubbed."""

    def __init__(self, client: Any, policy: PrivacyPolicy) -> None:
        self._client = client
        self.policy = policy

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return scrub_answer(self.policy, path, self._client.get(path, params))

    def get_many(self, requests: Iterable[tuple[str, Any]], **options: Any) -> Iterator[Any]:
        paths: deque[str] = deque()  # answers come back in request order

        def remembered() -> Iterator[tuple[str, Any]]:
            for path, params in requests:
                paths.append(path)
                yield path, params

        for body in self._client.get_many(remembered(), **options):
            yield scrub_answer(self.policy, paths.popleft(), body)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def __repr__(self) -> str:
        return f"ScrubbingClient({self._client!r})"


def scrubbing_client(client: Any, policy: PrivacyPolicy) -> Any:
    """``client`` itself when the policy keeps everything, else a :class:`ScrubbingClient`."""
    if not policy.active or isinstance(client, ScrubbingClient):
        return client
    return ScrubbingClient(client, policy)
