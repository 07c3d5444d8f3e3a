"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from marketnav.services import progress
from tests.conftest import clear_caches
from tests.support.redis_server import own_redis


@pytest.fixture
def restartable_redis(tmp_path, monkeypatch):
    """A redis-server of the test's own (stop, start, exact client counts) as REDIS_URL."""
    with own_redis(tmp_path / "redis") as server:
        monkeypatch.setenv("REDIS_URL", server.url)
        monkeypatch.setattr(progress, "_paused_until", 0.0)
        clear_caches()
        yield server
        clear_caches()
