"""The URL map of ``/api/1.1/json/``: path pattern, method, stats template, endpoint.

Templates name endpoints in :class:`~happyfox_simulator.stats.Stats` independently
of ids (``"ticket/<id>/"``). A trailing slash is optional here; with
``config.redirect_unslashed`` the app answers 301 to the slashed path first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import read_endpoints as read
from . import readings
from . import write_endpoints as write
from .web import Request, Response, ServerState

API_PREFIX = "/api/1.1/json/"
UNKNOWN = "<unknown>"

Endpoint = Callable[[ServerState, Request], Response]
TICKET_ACTIONS = "|".join(write.TICKET_ACTIONS)


@dataclass(frozen=True)
class Route:
    """One path pattern with its endpoints per method."""

    pattern: re.Pattern[str]
    template: Callable[[tuple[str, ...]], str]
    methods: dict[str, Endpoint]


def _route(pattern: str, template: str | Callable[[tuple[str, ...]], str], **methods: Endpoint) -> Route:
    namer = template if callable(template) else (lambda _args, name=template: name)
    return Route(re.compile(f"^{pattern}/?$"), namer, methods)


def _user_template(args: tuple[str, ...]) -> str:
    return "user/<id>/" if args[0].isdigit() else "user/<email>/"


ROUTES: tuple[Route, ...] = (
    _route("tickets", "tickets/", GET=read.list_tickets, POST=write.create_tickets),
    _route(r"ticket/(\d+)", "ticket/<id>/", GET=read.ticket_detail),
    _route(rf"ticket/(\d+)/({TICKET_ACTIONS})", lambda a: f"ticket/<id>/{a[1]}/", POST=write.ticket_action),
    _route("users", "users/", GET=read.list_contacts, POST=write.create_contact),
    _route(r"user/([^/]+)", _user_template, GET=read.contact_detail, POST=write.update_contact),
    _route("contact_groups", "contact_groups/", GET=read.contact_groups),
    _route(r"contact_group/(\d+)", "contact_group/<id>/", GET=read.contact_group_detail),
    _route("staff", "staff/", GET=readings.staff_list),
    _route("categories", "categories/", GET=read.reference_list("categories")),
    _route("statuses", "statuses/", GET=read.reference_list("statuses")),
    _route("priorities", "priorities/", GET=read.priorities),
    _route("ticket_custom_fields", "ticket_custom_fields/", GET=read.reference_list("ticket_custom_fields")),
    _route("user_custom_fields", "user_custom_fields/", GET=read.reference_list("user_custom_fields")),
)


@dataclass(frozen=True)
class Resolved:
    """The outcome of routing: the template for stats, and the endpoint if the method fits."""

    template: str
    args: tuple[str, ...]
    endpoint: Endpoint | None
    path_known: bool


def resolve(method: str, path: str) -> Resolved:
    """Route a full request path (``/api/1.1/json/...``)."""
    if path.startswith(API_PREFIX):
        tail = path[len(API_PREFIX) :]
        for route in ROUTES:
            match = route.pattern.match(tail)
            if match:
                args = match.groups()
                return Resolved(route.template(args), args, route.methods.get(method), True)
    return Resolved(UNKNOWN, (), None, False)
