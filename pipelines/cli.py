"""`happyfox-sync`: the command line of the sync, its subcommands and its exit codes.

This module only turns arguments into calls and failures into one line and an exit
code (:mod:`.errors`); the run itself is :mod:`.run`, the demo :mod:`.demo`. A
subcommand is a function here that parses its own options and calls into its module.

    happyfox-sync [sync] [options]     load what changed and build the models (default)
    happyfox-sync models [options]     only (re)build the reporting models
    happyfox-sync query "SQL"          run one query on the warehouse and print the rows
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Sequence

from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.pipeline.exceptions import PipelineStepFailed

from happyfox_sync.source.helpers import errors as client_errors

from . import __version__
from .duckdb_files import DuckDBFileBusyError
from .errors import ExitCode, SyncError
from .run import DEFAULT_DATASET, DEFAULT_PIPELINE, RESOURCES, RunOptions, apply_runtime_defaults
from .run_lock import AlreadyRunningError

logger = logging.getLogger("happyfox_sync")

PROG = "happyfox-sync"


def _add_run_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    """The options every subcommand shares.

    They are accepted before and after the subcommand's name; in a subparser their
    defaults are suppressed so that a value given before the name is not reset.
    """
    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    parser.add_argument("--destination", default=default(None), help="dlt destination name (default duckdb)")
    parser.add_argument("--dataset-name", default=default(None), help=f"raw dataset (default {DEFAULT_DATASET})")
    parser.add_argument("--pipeline-name", default=default(None), help=f"pipeline name (default {DEFAULT_PIPELINE})")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", default=default(False), help="only errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", default=default(False), help="debug logging")


def _add_sync_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    parser.add_argument("--resources", default=default(None), help=f"comma-separated subset of: {', '.join(RESOURCES)}")
    parser.add_argument("--start-date", default=default(None), help="first-run backfill start, YYYY-MM-DD")
    parser.add_argument("--full-refresh", action="store_true", default=default(False),
                        help="drop this source's tables and state, then reload everything")
    parser.add_argument("--max-gets-per-minute", type=int, default=default(None),
                        help="GET budget of this run (default 400 of the account's 500)")
    parser.add_argument("--reconcile", action="store_true", default=default(False),
                        help="look for tickets deleted in HappyFox now (default: when the last check is over reconcile_hours old)")
    parser.add_argument("--estimate", action="store_true", default=default(False),
                        help="print how many GETs and how long the run would take; load nothing")
    parser.add_argument("--no-models", action="store_true", default=default(False),
                        help="skip building the SQL reporting models")
    parser.add_argument("--materialize-models", action="store_true", default=default(False),
                        help="build models as tables, not views")
    parser.add_argument("--demo", action="store_true", default=default(False),
                        help="sync a bundled simulated helpdesk into happyfox_demo.duckdb (no account needed)")
    parser.add_argument("--demo-tickets", type=int, default=default(3000), help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Sync a HappyFox helpdesk into DuckDB or any dlt destination and build reporting models.",
        epilog="Credentials and every other setting: .dlt/secrets.toml, .dlt/config.toml or "
        "SOURCES__HAPPYFOX__* environment variables (see README).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_run_options(parser, in_subcommand=False)
    _add_sync_options(parser, in_subcommand=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sync = commands.add_parser("sync", help="load what changed and build the models (the default)")
    _add_run_options(sync, in_subcommand=True)
    _add_sync_options(sync, in_subcommand=True)
    models = commands.add_parser("models", help="only (re)build the SQL reporting models")
    _add_run_options(models, in_subcommand=True)
    models.add_argument("--materialize-models", action="store_true", default=argparse.SUPPRESS,
                        help="build models as tables, not views")
    query = commands.add_parser("query", help="run one SQL query on the warehouse and print the rows")
    _add_run_options(query, in_subcommand=True)
    query.add_argument("sql", help='e.g. "select * from happyfox_reporting.ticket_metrics limit 10"')
    return parser


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("happyfox_sync")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def explain(error: BaseException) -> SyncError:
    """Map any failure to one line and an exit code, looking through dlt's wrappers."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    for cause in seen:
        if isinstance(cause, SyncError):
            return cause
        if isinstance(cause, client_errors.AuthenticationError):
            return SyncError(str(cause), ExitCode.AUTH)
        if isinstance(cause, client_errors.ConnectionFailedError):
            return SyncError(str(cause), ExitCode.UNREACHABLE)
        if isinstance(cause, client_errors.RateLimitLockoutError):
            return SyncError(str(cause), ExitCode.RATE_LIMIT)
        if isinstance(cause, client_errors.ConfigurationError):
            return SyncError(str(cause), ExitCode.CONFIG)
        if isinstance(cause, AlreadyRunningError):
            return SyncError(str(cause), ExitCode.ALREADY_RUNNING)
        if isinstance(cause, DuckDBFileBusyError):
            return SyncError(str(cause), ExitCode.DESTINATION)
        if isinstance(cause, ConfigFieldMissingException):
            keys = ", ".join(f"sources.happyfox.{name}" for name in cause.fields)
            env = ", ".join(f"SOURCES__HAPPYFOX__{name.upper()}" for name in cause.fields)
            return SyncError(
                f"missing configuration: {keys} (set in .dlt/secrets.toml or as {env})", ExitCode.CONFIG
            )
        if isinstance(cause, client_errors.HappyFoxError):
            return SyncError(str(cause), ExitCode.FAILED)
    # The deepest exception says what went wrong, but generator plumbing (StopIteration,
    # GeneratorExit) can sit below the real error in dlt's chains: skip it.
    meaningful = [cause for cause in seen if not isinstance(cause, (StopIteration, GeneratorExit))]
    root = meaningful[-1] if meaningful else seen[-1]
    for cause in seen:
        if isinstance(cause, PipelineStepFailed) and cause.step in ("load", "sync"):
            return SyncError(f"destination error during {cause.step}: {_first_line(root)}", ExitCode.DESTINATION)
    return SyncError(f"{type(root).__name__}: {_first_line(root)}", ExitCode.FAILED)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _sync(args: argparse.Namespace) -> None:
    if args.demo:
        from .demo import run_demo

        run_demo(RunOptions.from_namespace(args), tickets=args.demo_tickets)
        return
    from .run import run_sync

    options = RunOptions.from_namespace(args)
    summary = run_sync(options)
    if not options.estimate and not options.quiet:
        print(summary.render())


def _models(args: argparse.Namespace) -> None:
    from .run import run_models_command

    run_models_command(RunOptions.from_namespace(args))


def _query(args: argparse.Namespace) -> None:
    from .query import print_query

    print_query(RunOptions.from_namespace(args), args.sql)


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "sync": _sync,
    "models": _models,
    "query": _query,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    apply_runtime_defaults()
    try:
        COMMANDS[args.command or "sync"](args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the next run resumes from the last committed checkpoint", file=sys.stderr)
        return ExitCode.FAILED
    except Exception as error:  # every failure ends in one line and a documented exit code
        failure = explain(error)
        logger.debug("failure detail", exc_info=error)
        print(f"{PROG}: error: {failure}", file=sys.stderr)
        return failure.code
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
