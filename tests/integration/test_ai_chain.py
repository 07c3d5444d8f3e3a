"""The provider chain against the local test server: order, retries, fallover, failures."""

from __future__ import annotations

import pytest

from marketnav.services import ai
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS, VALID_CRUNCHBASE
from tests.support.openai_test_server import Behaviour

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration


def _keywords():
    return ai.generate_crunchbase_keywords(SAMPLE_INPUTS, use_cache=False)


def test_first_provider_answers(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    result = _keywords()
    assert result.provider == "alpha" and not result.offline
    assert result.value.keywords == VALID_CRUNCHBASE["keywords"]
    assert fake_ai.request_count("beta") == 0


def test_route_order_comes_from_settings(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta", route="beta,alpha")
    fake_ai.script("beta", Behaviour.content_reply(VALID_CRUNCHBASE))
    assert _keywords().provider == "beta"
    assert fake_ai.request_count("alpha") == 0


def test_server_errors_are_retried_then_fall_over_in_order(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta", "gamma")
    fake_ai.script("alpha", *[Behaviour.failure(500)] * 3)
    fake_ai.script("beta", Behaviour.failure(503), *[Behaviour.failure(502)] * 2)
    fake_ai.script("gamma", Behaviour.content_reply(VALID_CRUNCHBASE))
    assert _keywords().provider == "gamma"
    assert [fake_ai.request_count(p) for p in ("alpha", "beta", "gamma")] == [3, 3, 1]
    records = ai_env.records()
    assert [(r.provider, r.ok, r.error_kind) for r in records] == [
        *[("alpha", False, "server_error")] * 3,
        *[("beta", False, "server_error")] * 3,
        ("gamma", True, ""),
    ]
    assert len({r.request_id for r in records}) == 1
    assert [r.attempt for r in records] == [1, 2, 3, 1, 2, 3, 1]


def test_rate_limit_is_retried_on_the_same_provider(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    fake_ai.script("alpha", Behaviour.failure(429), Behaviour.content_reply(VALID_CRUNCHBASE))
    assert _keywords().provider == "alpha"
    assert fake_ai.request_count("alpha") == 2 and fake_ai.request_count("beta") == 0
    assert [r.error_kind for r in ai_env.records()] == ["rate_limit", ""]


def test_timeouts_fall_over(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    ai_env.set(ai_timeout_seconds=0.3, ai_max_retries=1)
    fake_ai.script("alpha", Behaviour.hang(5), Behaviour.hang(5))
    fake_ai.script("beta", Behaviour.content_reply(VALID_CRUNCHBASE))
    assert _keywords().provider == "beta"
    assert [r.error_kind for r in ai_env.records()] == ["timeout", "timeout", ""]


def test_malformed_response_body_is_retried(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script("alpha", Behaviour.malformed(), Behaviour.content_reply(VALID_CRUNCHBASE))
    assert _keywords().provider == "alpha"
    assert [r.error_kind for r in ai_env.records()] == ["malformed_response", ""]


def test_auth_errors_fall_over_without_retrying(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    fake_ai.script("alpha", Behaviour.failure(401))
    fake_ai.script("beta", Behaviour.content_reply(VALID_CRUNCHBASE))
    assert _keywords().provider == "beta"
    assert fake_ai.request_count("alpha") == 1


def test_exhausted_chain_fails_with_a_clear_safe_message(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    ai_env.set(ai_max_retries=0)
    fake_ai.script("alpha", Behaviour.failure(500))
    fake_ai.script("beta", Behaviour.failure(429))
    with pytest.raises(ai.AIStepFailed) as caught:
        _keywords()
    message = str(caught.value)
    assert message.startswith("No AI provider could complete 'crunchbase keywords'")
    assert "server error" in message and "rate limit" in message
    assert "scripted" not in message and "test-key" not in message
    assert caught.value.attempts == 2


def test_backoff_waits_between_retries(ai_env, fake_ai):
    import time

    ai_env.use_providers(fake_ai, "alpha")
    ai_env.set(ai_retry_backoff_seconds=0.2, ai_retry_backoff_max_seconds=1, ai_max_retries=1)
    fake_ai.script("alpha", Behaviour.failure(500), Behaviour.content_reply(VALID_CRUNCHBASE))
    started = time.perf_counter()
    _keywords()
    assert time.perf_counter() - started >= 0.2


def test_scripts_can_be_queued_over_http(ai_env, fake_ai):
    import httpx

    ai_env.use_providers(fake_ai, "alpha")
    url = f"http://{fake_ai.host}:{fake_ai.port}"
    body = [
        Behaviour.failure(500).model_dump(),
        Behaviour.content_reply(VALID_CRUNCHBASE).model_dump(),
    ]
    assert httpx.post(f"{url}/_script/alpha", json=body).json() == {"queued": 2}
    assert _keywords().provider == "alpha"
    assert httpx.get(f"{url}/_requests/alpha").json() == {"count": 2}


def test_fixed_provider_delay(ai_env, fake_ai):
    import time

    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.set_fixed_delay("alpha", 0.3)
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    started = time.perf_counter()
    _keywords()
    assert time.perf_counter() - started >= 0.3
    assert ai_env.records()[0].latency_ms >= 300
