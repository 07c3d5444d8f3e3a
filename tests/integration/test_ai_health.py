"""Provider health check for the status page."""

from __future__ import annotations

import json
import socket

import pytest

from marketnav.services import ai
from tests import ai_fixtures

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_check_providers_reports_each_configured_provider(ai_env, fake_ai):
    dead = f"http://127.0.0.1:{_closed_port()}/v1"
    entries = [
        {
            "name": "alpha",
            "base_url": fake_ai.base_url("alpha"),
            "api_key": "k",
            "model": "test-model",
        },
        {"name": "down", "base_url": dead, "api_key": "secret-k", "model": "m"},
    ]
    ai_env.set(ai_extra_providers=json.dumps(entries))
    statuses = {s.name: s for s in ai.check_providers(timeout=2)}
    assert statuses["alpha"].ok and statuses["alpha"].detail == "test-model reachable"
    assert statuses["alpha"].latency_ms > 0
    assert not statuses["down"].ok and statuses["down"].detail.startswith("connection")
    assert "secret-k" not in statuses["down"].detail


def test_bad_configuration_is_reported_not_raised(ai_env):
    ai_env.set(ai_extra_providers="[{broken")
    [status] = ai.check_providers()
    assert status.name == "configuration" and not status.ok
