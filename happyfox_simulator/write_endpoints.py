"""POST endpoints: check the body's shape, call the store's write method, render the result.

All behaviour lives in the store (:mod:`.ticket_writes`, :mod:`.contact_writes`);
these functions only adapt HTTP to it. A ticket write answers with the ticket as
detail shows it (``custom_field_change`` blanked, fresh attachment URLs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import NotFoundError, keyed_error
from .model import JSON
from .render import RenderOptions, render_ticket
from .store import Store
from .web import Request, Response, ServerState, json_response


def _object_body(request: Request) -> JSON:
    if request.body is None:
        return {}
    if not isinstance(request.body, Mapping):
        raise keyed_error("body", "Expected a JSON object.")
    return dict(request.body)


def _ticket_response(state: ServerState, ticket: JSON) -> Response:
    options = RenderOptions(state.signer, state.signer.expiry(state.now()))
    return json_response(render_ticket(ticket, options))


def create_tickets(state: ServerState, request: Request) -> Response:
    """``POST tickets/``: one object -> the ticket; a list (<= 100) -> per-item results."""
    store = state.store
    with store.lock:
        if isinstance(request.body, list):
            return json_response(store.create_tickets(request.body))
        return _ticket_response(state, store.create_ticket(_object_body(request)))


TicketWrite = Callable[[Store, int, JSON], Any]

TICKET_ACTIONS: dict[str, TicketWrite] = {
    "staff_update": lambda store, ticket_id, body: store.staff_update(ticket_id, body),
    "staff_pvtnote": lambda store, ticket_id, body: store.staff_private_note(ticket_id, body),
    "user_reply": lambda store, ticket_id, body: store.user_reply(ticket_id, body),
    "update_tags": lambda store, ticket_id, body: store.update_tags(ticket_id, body),
    "update_custom_fields": lambda store, ticket_id, body: store.update_custom_fields(ticket_id, body),
    "move": lambda store, ticket_id, body: store.move_ticket(ticket_id, body),
    "delete": lambda store, ticket_id, body: store.delete_ticket(ticket_id, body),
}


def ticket_action(state: ServerState, request: Request) -> Response:
    """``POST ticket/<id>/<action>/`` for every per-ticket write."""
    ticket_id, action = int(request.args[0]), request.args[1]
    body = _object_body(request)
    store = state.store
    with store.lock:
        result = TICKET_ACTIONS[action](store, ticket_id, body)
        if action == "delete":
            return json_response(result)
        if action == "move":
            return json_response({"status_code": 200, "message": f"moved ticket to {result['category']['name']}"})
        return _ticket_response(state, result)


def create_contact(state: ServerState, request: Request) -> Response:
    """``POST users/``: create a contact, or update the one matched by email."""
    with state.store.lock:
        return json_response(state.store.create_contact(_object_body(request)))


def update_contact(state: ServerState, request: Request) -> Response:
    """``POST user/<id>/``."""
    if not request.args[0].isdigit():
        raise NotFoundError("Contact")
    with state.store.lock:
        return json_response(state.store.update_contact(int(request.args[0]), _object_body(request)))
