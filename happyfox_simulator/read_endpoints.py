"""GET endpoints: parse parameters, read the store under its lock, serialise.

Serialisation happens while the lock is held because tickets are live records that
a concurrent write may be changing; orjson makes that hold short (a few ms for a
50-ticket page).
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from .contact_search import compile_contact_query
from .errors import NotFoundError
from .model import JSON
from .paging import PageRequest, page_info, parse_paging
from .render import RenderOptions, minify, project, render_ticket
from .ticket_list import parse_list_query
from .web import Request, Response, ServerState, json_response

GROUP_FIELDS = ("id", "name", "description", "tagged_domains")


def _flag(request: Request, name: str) -> bool:
    return request.params.get(name, "").strip().lower() == "true"


def list_tickets(state: ServerState, request: Request) -> Response:
    """``tickets/``: filtered, ordered, paged; full tickets, ``fields=`` or minified ids.

    After the page body is built (and before it is sent, so the client's next request
    is guaranteed to see it) the churn and the ``on_list_page`` hook run.
    """
    paging = parse_paging(request.params)
    query = parse_list_query(request.params)
    fields = [name.strip() for name in request.params.get("fields", "").split(",") if name.strip()]
    store, config = state.store, state.config
    with store.lock:
        now = state.now()
        ids = state.ticket_lists.ids(store, query, config.search_timezone, now)
        if query.q:
            ids = state.tie_order.apply(
                config.search_tie_order, query, ids, lambda i: store.tickets_by_id[i].get("last_updated_at")
            )
        info = page_info(len(ids), paging)
        page_ids = ids[paging.offset : paging.offset + paging.size]
        if _flag(request, "minify_response"):
            data: list[object] = minify(page_ids, config.minify_style)
        else:
            options = RenderOptions(state.signer, state.signer.expiry(now), embedded_contact=config.embedded_contact)
            tickets = [store.tickets_by_id[i] for i in page_ids]
            if fields:
                wanted = project(tickets, fields)
                if "updates" in fields:
                    wanted = [
                        {**item, "updates": render_ticket(ticket, options).get("updates")} if "updates" in item else item
                        for item, ticket in zip(wanted, tickets, strict=True)
                    ]
                data = list(wanted)
            else:
                data = [render_ticket(ticket, options) for ticket in tickets]
        body = orjson.dumps({"page_info": info, "data": data})
    state.after_list_page(paging.page)
    return Response(body=body)


def ticket_detail(state: ServerState, request: Request) -> Response:
    """``ticket/<id>/``; ``show_cf_changes=true`` fills ``custom_field_change``."""
    store = state.store
    with store.lock:
        ticket = store.ticket(int(request.args[0]))
        options = RenderOptions(
            state.signer,
            state.signer.expiry(state.now()),
            _flag(request, "show_cf_changes"),
            embedded_contact=state.config.embedded_contact,
        )
        return json_response(render_ticket(ticket, options))


def _paged(items: list[JSON], paging: PageRequest) -> bytes:
    chunk = items[paging.offset : paging.offset + paging.size]
    return orjson.dumps({"page_info": page_info(len(items), paging), "data": chunk})


def list_contacts(state: ServerState, request: Request) -> Response:
    """``users/``: contacts by id ascending, paged like tickets, ``q`` terms ANDed."""
    paging = parse_paging(request.params)
    query = request.params.get("q", "")
    predicates = compile_contact_query(query) if query.strip() else []
    store = state.store
    with store.lock:
        contacts = [c for c in store.helpdesk.contacts if all(p(c) for p in predicates)]
        contacts.sort(key=lambda c: c["id"])
        body = _paged(contacts, paging)
    state.after_contact_page(paging.page)
    return Response(body=body)


def contact_detail(state: ServerState, request: Request) -> Response:
    """``user/<id>/`` or ``user/<email>/``."""
    with state.store.lock:
        return json_response(state.store.contact(request.args[0]))


def contact_groups(state: ServerState, request: Request) -> Response:
    """``contact_groups/``: a bare array of ``{id, name, description, tagged_domains}``."""
    with state.store.lock:
        return json_response([_group_summary(g) for g in state.store.helpdesk.contact_groups])


def contact_group_detail(state: ServerState, request: Request) -> Response:
    """``contact_group/<id>/``: the summary plus its ``contacts``."""
    store = state.store
    with store.lock:
        group = store.contact_group(int(request.args[0]))
        members = []
        for contact in store.group_members(group["id"]):
            membership = next(g for g in contact["contact_groups"] if g.get("id") == group["id"])
            members.append(
                {
                    "id": contact["id"],
                    "name": contact["name"],
                    "email": contact.get("email"),
                    "access_all_tickets_in_group": membership.get("access_all_tickets_in_group", False),
                }
            )
        return json_response({**_group_summary(group), "contacts": members})


def _group_summary(group: JSON) -> JSON:
    return {key: group.get(key) for key in GROUP_FIELDS}


def reference_list(attribute: str) -> Callable[[ServerState, Request], Response]:
    """An endpoint returning one of the helpdesk's reference lists as a bare array."""

    def endpoint(state: ServerState, request: Request) -> Response:
        with state.store.lock:
            return json_response(getattr(state.store.helpdesk, attribute))

    endpoint.__name__ = f"list_{attribute}"
    endpoint.__doc__ = f"Bare array of the account's {attribute}."
    return endpoint


def priorities(state: ServerState, request: Request) -> Response:
    """``priorities/``: not in the current reference, so switchable off (then 404)."""
    if not state.config.priorities_endpoint:
        raise NotFoundError("Page")
    with state.store.lock:
        return json_response(state.store.helpdesk.priorities)
