"""Base URL resolution, endpoint templates and Retry-After parsing (pure functions)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from happyfox_sync.source.helpers import (
    ConfigurationError,
    HappyFoxClient,
    default_max_concurrency,
    endpoint_template,
    parse_retry_after,
    resolve_base_url,
)


def test_us_region_resolves_to_happyfox_com() -> None:
    assert resolve_base_url("acme") == "https://acme.happyfox.com/api/1.1/json/"


def test_eu_region_resolves_to_happyfox_net() -> None:
    assert resolve_base_url("acme", region="eu") == "https://acme.happyfox.net/api/1.1/json/"


def test_region_is_case_insensitive() -> None:
    assert resolve_base_url("acme", region="EU") == "https://acme.happyfox.net/api/1.1/json/"


def test_unknown_region_is_refused_naming_the_choices() -> None:
    with pytest.raises(ConfigurationError, match=r"region 'ap' is not one of \['eu', 'us'\]"):
        resolve_base_url("acme", region="ap")


def test_custom_domain_gets_the_api_path_appended() -> None:
    assert resolve_base_url(None, base_url="https://support.example.com") == (
        "https://support.example.com/api/1.1/json/"
    )


def test_base_url_wins_over_account() -> None:
    assert resolve_base_url("acme", base_url="https://support.example.com/") == (
        "https://support.example.com/api/1.1/json/"
    )


def test_base_url_already_ending_in_api_path_is_kept() -> None:
    assert resolve_base_url(None, base_url="https://support.example.com/api/1.1/json/") == (
        "https://support.example.com/api/1.1/json/"
    )


def test_base_url_ending_in_api_path_without_slash_is_kept() -> None:
    assert resolve_base_url(None, base_url="https://support.example.com/api/1.1/json") == (
        "https://support.example.com/api/1.1/json/"
    )


def test_base_url_with_a_path_prefix_keeps_it() -> None:
    assert resolve_base_url(None, base_url="https://example.com/helpdesk") == (
        "https://example.com/helpdesk/api/1.1/json/"
    )


def test_plain_http_is_refused_for_a_remote_host_naming_the_url() -> None:
    with pytest.raises(ConfigurationError, match=r"'http://support\.example\.com' uses plain http://"):
        resolve_base_url(None, base_url="http://support.example.com")


def test_plain_http_refusal_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        resolve_base_url(None, base_url="http://10.0.0.5:8080")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/1.1/json/"),
        ("http://127.8.9.10:8000", "http://127.8.9.10:8000/api/1.1/json/"),
        ("http://localhost:8000", "http://localhost:8000/api/1.1/json/"),
        ("http://[::1]:8000", "http://[::1]:8000/api/1.1/json/"),
    ],
)
def test_plain_http_is_accepted_for_loopback_hosts(url: str, expected: str) -> None:
    assert resolve_base_url(None, base_url=url) == expected


def test_missing_account_and_base_url_names_config_keys_and_env_vars() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_base_url(None)
    message = str(raised.value)
    for name in (
        "sources.happyfox.account",
        "SOURCES__HAPPYFOX__ACCOUNT",
        "sources.happyfox.base_url",
        "SOURCES__HAPPYFOX__BASE_URL",
    ):
        assert name in message


def test_blank_account_counts_as_missing() -> None:
    with pytest.raises(ConfigurationError, match="No HappyFox account configured"):
        resolve_base_url("  ", base_url="")


def test_account_given_as_a_full_host_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'acme.happyfox.com' is not a bare subdomain"):
        resolve_base_url("acme.happyfox.com")


def test_base_url_without_scheme_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="is not an absolute https:// URL"):
        resolve_base_url(None, base_url="support.example.com")


def test_credentials_in_base_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_base_url(None, base_url="https://key123:code456@support.example.com")
    assert "key123" not in str(raised.value)
    assert "code456" not in str(raised.value)
    assert "***@support.example.com" in str(raised.value)


def test_client_refuses_plain_http_for_a_remote_host() -> None:
    with pytest.raises(ConfigurationError, match="uses plain http://"):
        HappyFoxClient("http://acme.example.com", "key", "code")


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("tickets/", "tickets/"),
        ("ticket/123/", "ticket/<id>/"),
        ("ticket/123", "ticket/<id>/"),
        ("/api/1.1/json/users/", "users/"),
        ("user/42/", "user/<id>/"),
        ("user/jane@example.com/", "user/<email>/"),
        ("contact_group/7/", "contact_group/<id>/"),
        ("staff/", "staff/"),
        ("ticket_custom_fields/", "ticket_custom_fields/"),
    ],
)
def test_endpoint_template_replaces_record_ids(path: str, template: str) -> None:
    assert endpoint_template(path) == template


def test_retry_after_seconds_are_parsed() -> None:
    assert parse_retry_after("120") == 120.0


def test_retry_after_absent_is_none() -> None:
    assert parse_retry_after(None) is None


def test_retry_after_garbage_is_none() -> None:
    assert parse_retry_after("soon") is None


def test_retry_after_http_date_is_seconds_from_now() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Wed, 01 May 2024 12:10:00 GMT", now=now) == 600.0


def test_retry_after_in_the_past_is_zero() -> None:
    assert parse_retry_after("-5") == 0.0


def test_default_concurrency_fills_the_default_budget_at_one_second_latency() -> None:
    # 400/min = 6.67/s; x1.5 = 10; +1
    assert default_max_concurrency(400) == 11
    assert default_max_concurrency(500) == 14
    assert default_max_concurrency(60) == 3
