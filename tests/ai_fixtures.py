"""Shared fixtures for the AI service tests; import them explicitly in each test module.

from tests import ai_fixtures
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, select

from marketnav import db
from marketnav.models.ai import AICacheEntry, AICallRecord
from marketnav.services.ai import flush_call_records
from marketnav.services.ai.client import reset_clients
from tests.support.openai_test_server import OpenAITestServer

AI_ENV_VARS = (
    "OPENAI_API_KEY",
    "LIARA_API_KEY",
    "METIS_API_KEY",
    "AI_EXTRA_PROVIDERS",
    "AI_CROSS_CHECK",
    "AI_MODEL_PRICES",
    "REDIS_URL",
    "DATABASE_URL",
)

SAMPLE_INPUTS = {
    "startup_name": "FreshBox",
    "startup_description": (
        "FreshBox delivers weekly meal kits with locally sourced organic ingredients to busy "
        "families. We run a subscription meal kit service with recipe personalisation."
    ),
    "target_audience": "Busy urban families and young professionals",
    "current_stage": "mvp",
    "business_model": "Monthly subscription with tiered meal plans",
    "geographic_focus": "Germany, Austria",
    "research_goal": "Understand the competitive landscape of meal kit delivery",
    "time_range": "Last 5 years",
    "inspiration_sources": "HelloFresh, Marley Spoon",
}

VALID_CRUNCHBASE = {
    "keywords": [
        "meal kit",
        "meal kit delivery",
        "food subscription",
        "organic food",
        "recipe personalisation",
        "grocery delivery",
        "food tech",
        "home cooking",
    ],
    "confidence": 0.8,
}


def _clear_caches() -> None:
    from tests.conftest import clear_caches

    clear_caches()  # settings, engine (after the queued AI call records are written), Redis
    reset_clients()


class AIEnvironment:
    """Settings control for one test: providers, routes, retries, cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, **values: object) -> None:
        """Set settings through their environment variables (names are upper-cased)."""
        for name, value in values.items():
            self.monkeypatch.setenv(name.upper(), str(value))
        _clear_caches()

    def use_providers(
        self,
        server: OpenAITestServer,
        *names: str,
        model: str = "gpt-4o-mini",
        structured_output: str = "json_schema",
        route: str | None = None,
    ) -> None:
        """Configure extra providers served by the test server and route every feature to them."""
        entries = [
            {
                "name": name,
                "base_url": server.base_url(name),
                "api_key": f"test-key-{name}",
                "model": model,
                "structured_output": structured_output,
            }
            for name in names
        ]
        chain = route or ",".join(names)
        self.set(
            ai_extra_providers=json.dumps(entries),
            **{f"ai_route_{f}": chain for f in ("chat", "keywords", "analysis", "verdict")},
            ai_route_pitch_deck=chain,
        )

    def records(self) -> list[AICallRecord]:
        flush_call_records()
        with Session(db.get_engine()) as session:
            return list(session.exec(select(AICallRecord).order_by(AICallRecord.id)).all())


@pytest.fixture
def ai_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[AIEnvironment]:
    """A temp SQLite database with the AI tables, no AI keys, fast retries."""
    monkeypatch.chdir(tmp_path)  # no stray .env file is read
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    for name in AI_ENV_VARS:
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("AI_RETRY_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("AI_RETRY_BACKOFF_MAX_SECONDS", "0.05")
    monkeypatch.setenv("AI_MAX_RETRIES", "2")
    monkeypatch.setenv("AI_TIMEOUT_SECONDS", "2")
    _clear_caches()
    engine = db.get_engine()
    SQLModel.metadata.create_all(engine, tables=[AICallRecord.__table__, AICacheEntry.__table__])
    yield AIEnvironment(monkeypatch)
    engine.dispose()
    monkeypatch.undo()
    _clear_caches()


@pytest.fixture(scope="session")
def openai_server() -> Iterator[OpenAITestServer]:
    """One local OpenAI-compatible server for the session."""
    with OpenAITestServer() as server:
        yield server


@pytest.fixture
def fake_ai(openai_server: OpenAITestServer) -> Iterator[OpenAITestServer]:
    """The session server with empty queues and counters."""
    openai_server.reset()
    yield openai_server
    openai_server.reset()


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis(url: str) -> None:
    """Skip without Redis locally; never skip when CI=true (the test must then fail)."""
    if not redis_available(url):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI but {url} is unreachable")
        pytest.skip(f"Redis not reachable at {url}")
