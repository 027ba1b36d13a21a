"""Run a simulator by itself: ``python -m happyfox_simulator --tickets 2000 --seed 1 --port 8123``.

Generates a helpdesk (with :func:`happyfox_simulator.generator.generate_helpdesk`),
serves it until interrupted, and prints the base URL and credentials so any tool
(the sync, curl, a notebook) can be pointed at it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from .config import FAULT_KINDS, LIST_UPDATES_READINGS, THROTTLE_READINGS, SimulatorConfig
from .simulator import Simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="happyfox-simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000, help="tickets to generate (default 2000)")
    parser.add_argument("--contacts", type=int, default=None, help="contacts to generate (default ~0.45/ticket)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None, help="history end, UTC (default: now)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--api-key", default=SimulatorConfig.api_key)
    parser.add_argument("--auth-code", default=SimulatorConfig.auth_code)
    parser.add_argument("--get-limit", type=int, default=SimulatorConfig.get_limit)
    parser.add_argument("--post-limit", type=int, default=SimulatorConfig.post_limit)
    parser.add_argument("--window-seconds", type=float, default=SimulatorConfig.window_seconds)
    parser.add_argument("--lockout-seconds", type=float, default=SimulatorConfig.lockout_seconds)
    parser.add_argument("--retry-after", action="store_true", help="send Retry-After with 429")
    parser.add_argument("--search-timezone", default=SimulatorConfig.search_timezone)
    parser.add_argument("--minify-style", choices=("objects", "ids"), default=SimulatorConfig.minify_style)
    parser.add_argument("--no-priorities", action="store_true", help="make priorities/ 404")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="probability a GET fails")
    parser.add_argument("--fault-kinds", default=",".join(FAULT_KINDS), help="comma-separated fault kinds")
    parser.add_argument("--stall-seconds", type=float, default=SimulatorConfig.stall_seconds)
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--churn-per-page", type=int, default=0, help="random writes after each tickets/ page")
    parser.add_argument("--churn-seed", type=int, default=0)
    readings = parser.add_argument_group("readings of HappyFox's public pages (see happyfox_simulator/README.md)")
    readings.add_argument("--list-updates", choices=LIST_UPDATES_READINGS, default=SimulatorConfig.list_updates,
                          help="tickets/ items carry updates always, only with include_updates=1, or never")
    readings.add_argument("--list-omits", default="", help="comma-separated keys tickets/ items leave out: custom_fields,tags,user")
    readings.add_argument("--throttle-response", choices=THROTTLE_READINGS, default=SimulatorConfig.throttle_response)
    readings.add_argument("--redirect-unslashed", action="store_true", help="301 a path without its trailing slash")
    readings.add_argument("--min-page-size", type=int, default=SimulatorConfig.min_page_size, help="raise smaller sizes to this")
    readings.add_argument("--hide-inactive-staff", action="store_true", help="staff/ leaves deactivated agents out")
    readings.add_argument("--smart-rule-rate", type=float, default=0.0, help="share of tickets a smart rule acknowledges")
    readings.add_argument("--null-author-rate", type=float, default=0.0, help="share of system updates with by: null")
    parser.add_argument("--webhook-url", default=None, help="deliver signed webhooks on ticket create/update here")
    parser.add_argument("--webhook-secret", default="sim-webhook-secret", help="the webhook's signing key")
    parser.add_argument("--webhook-shape", default="wrapped_event", help="bare, bare_event, wrapped, wrapped_event")
    parser.add_argument("--webhook-signature", default="hex", help="hex or base64")
    parser.add_argument("--webhook-duplicates", type=float, default=0.0, help="share of deliveries sent twice")
    parser.add_argument("--webhook-reorder", type=int, default=1, help="shuffle deliveries within runs of N")
    return parser


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """The :class:`SimulatorConfig` the command-line options describe."""
    return SimulatorConfig(
        api_key=args.api_key,
        auth_code=args.auth_code,
        get_limit=args.get_limit,
        post_limit=args.post_limit,
        window_seconds=args.window_seconds,
        lockout_seconds=args.lockout_seconds,
        retry_after_header=args.retry_after,
        search_timezone=args.search_timezone,
        minify_style=args.minify_style,
        priorities_endpoint=not args.no_priorities,
        latency_seconds=args.latency,
        fault_rate=args.fault_rate,
        fault_kinds=tuple(kind.strip() for kind in args.fault_kinds.split(",") if kind.strip()),
        stall_seconds=args.stall_seconds,
        fault_seed=args.fault_seed,
        churn_per_page=args.churn_per_page,
        churn_seed=args.churn_seed,
        list_updates=args.list_updates,
        list_omits=tuple(key.strip() for key in args.list_omits.split(",") if key.strip()),
        throttle_response=args.throttle_response,
        redirect_unslashed=args.redirect_unslashed,
        min_page_size=args.min_page_size,
        inactive_staff_listed=not args.hide_inactive_staff,
    )


def _webhooks(args: argparse.Namespace, simulator: Simulator) -> AbstractContextManager[object]:
    """The webhook sender the ``--webhook-*`` options describe (nothing without a URL)."""
    if not args.webhook_url:
        return nullcontext()
    from .webhooks import WebhookSender, WebhookSettings

    return WebhookSender(simulator, WebhookSettings(
        url=args.webhook_url, secret=args.webhook_secret, shape=args.webhook_shape,
        signature_encoding=args.webhook_signature, duplicate_rate=args.webhook_duplicates,
        reorder_window=args.webhook_reorder,
    ))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m happyfox_simulator`` and the ``happyfox-simulator`` script."""
    args = _parser().parse_args(argv)
    try:
        config = config_from_args(args)
        config.validate()
    except ValueError as error:
        print(f"happyfox-simulator: {error}", file=sys.stderr)
        return 2
    from .generator import generate_helpdesk  # imported late: only this command needs it

    print(f"generating {args.tickets} tickets (seed {args.seed}) ...", file=sys.stderr, flush=True)
    helpdesk = generate_helpdesk(
        args.tickets,
        seed=args.seed,
        now=args.now,
        contacts=args.contacts,
        smart_rule_rate=args.smart_rule_rate,
        null_author_rate=args.null_author_rate,
    )
    simulator = Simulator(helpdesk, config, host=args.host, port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with simulator, _webhooks(args, simulator):
        print(f"base_url:  {simulator.base_url}")
        print(f"api_url:   {simulator.api_url}")
        print(f"api_key:   {simulator.api_key}")
        print(f"auth_code: {simulator.auth_code}")
        print(f"tickets:   {len(helpdesk.tickets)}  contacts: {len(helpdesk.contacts)}", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
