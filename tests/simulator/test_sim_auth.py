"""HTTP Basic auth (API key : auth code) guards every endpoint; anything else is a 401."""

from __future__ import annotations

import httpx
import pytest

from happyfox_simulator import Simulator, SimulatorConfig
from tests.simulator.sim_helpdesk import NOW, HelpdeskBuilder

GETS = [
    "tickets/",
    "ticket/1/",
    "users/",
    "user/1/",
    "user/james@example.com/",
    "contact_groups/",
    "contact_group/1/",
    "staff/",
    "categories/",
    "statuses/",
    "priorities/",
    "ticket_custom_fields/",
    "user_custom_fields/",
    "no-such-endpoint/",
]
POSTS = [
    "tickets/",
    "ticket/1/staff_update/",
    "ticket/1/staff_pvtnote/",
    "ticket/1/user_reply/",
    "ticket/1/update_tags/",
    "ticket/1/update_custom_fields/",
    "ticket/1/move/",
    "ticket/1/delete/",
    "users/",
    "user/1/",
]
BAD_CREDENTIALS = {
    "missing": None,
    "wrong key": ("nope", "sim-auth-code"),
    "wrong code": ("sim-api-key", "nope"),
    "swapped": ("sim-auth-code", "sim-api-key"),
}
ERROR = {"error": "Authentication failed: invalid API key or auth code."}


@pytest.fixture(scope="module")
def sim():
    """One server for the module: a refused request must leave it untouched anyway."""
    builder = HelpdeskBuilder()
    builder.ticket(1)
    with Simulator(builder.build(), SimulatorConfig(clock=lambda: NOW)) as running:
        yield running


@pytest.mark.parametrize("credentials", sorted(BAD_CREDENTIALS))
@pytest.mark.parametrize("path", GETS)
def test_every_get_endpoint_refuses_bad_credentials(path, credentials, sim):
    response = httpx.get(sim.api_url + path, auth=BAD_CREDENTIALS[credentials])
    assert response.status_code == 401
    assert response.json() == ERROR
    assert response.headers["WWW-Authenticate"] == 'Basic realm="HappyFox API"'


@pytest.mark.parametrize("credentials", sorted(BAD_CREDENTIALS))
@pytest.mark.parametrize("path", POSTS)
def test_every_post_endpoint_refuses_bad_credentials_and_changes_nothing(path, credentials, sim):
    before = sim.store.version
    response = httpx.post(sim.api_url + path, json={"staff": 1, "staff_id": 1}, auth=BAD_CREDENTIALS[credentials])
    assert response.status_code == 401
    assert response.json() == ERROR
    assert sim.store.version == before


def test_a_bearer_token_is_not_basic_auth(sim):
    response = httpx.get(sim.api_url + "staff/", headers={"Authorization": "Bearer sim-api-key"})
    assert response.status_code == 401


def test_credentials_follow_the_config_at_runtime(builder, start_sim, api):
    sim = start_sim(builder.build())
    client = api(sim)
    assert client.get("staff/").status_code == 200
    sim.config.auth_code = "rotated"
    assert client.get("staff/").status_code == 401
    assert httpx.get(sim.api_url + "staff/", auth=("sim-api-key", "rotated")).status_code == 200
