"""Every failure of the command ends in one line and its documented exit code."""

from __future__ import annotations

from happyfox_sync.cli import ExitCode, explain
from happyfox_sync.source.helpers.errors import ConnectionFailedError


def _chained(*errors: BaseException) -> BaseException:
    """errors[0] raised while handling errors[1], and so on (the last is the deepest)."""
    for outer, inner in zip(errors, errors[1:]):
        outer.__cause__ = inner
    return errors[0]


def test_a_happyfox_error_deep_in_a_chain_gives_its_own_message_and_code() -> None:
    error = _chained(RuntimeError("Pipeline execution failed at stage extract"),
                     ConnectionFailedError("HappyFox host acme.happyfox.com is unreachable", host="acme.happyfox.com", endpoint="tickets/"))
    failure = explain(error)
    assert (str(failure), failure.code) == ("HappyFox host acme.happyfox.com is unreachable", ExitCode.UNREACHABLE)


def test_generator_plumbing_below_the_real_error_is_not_reported() -> None:
    error = _chained(RuntimeError("step failed"), ValueError("bad value in column x"), StopIteration())
    failure = explain(error)
    assert (str(failure), failure.code) == ("ValueError: bad value in column x", ExitCode.FAILED)
