"""Provider configuration from settings and the per-feature routes."""

from __future__ import annotations

import json

import pytest

from marketnav.services.ai.providers import (
    OFFLINE_NAME,
    ProviderConfigError,
    configured_providers,
    cross_check_wanted,
    offline_only,
    route_for,
)
from tests import ai_fixtures

ai_env = ai_fixtures.ai_env


def _names(feature: str) -> list[str]:
    return [p.name for p in route_for(feature)]


def test_no_key_means_the_offline_analyser(ai_env):
    assert offline_only()
    for feature in ("chat", "keywords", "analysis", "verdict", "pitch_deck"):
        assert _names(feature) == [OFFLINE_NAME]


def test_builtin_providers_need_key_and_base_url(ai_env):
    ai_env.set(openai_api_key="sk-1", liara_api_key="lk-1", liara_base_url="")
    assert list(configured_providers()) == ["openai"]
    assert not offline_only()


def test_routes_follow_settings_order_and_skip_unconfigured(ai_env):
    ai_env.set(
        openai_api_key="sk-1",
        metis_api_key="mk-1",
        metis_base_url="https://metis.example/v1",
        ai_route_chat="liara, metis ,openai",
        ai_route_keywords="openai,metis",
    )
    assert _names("chat") == ["metis", "openai"]
    assert _names("keywords") == ["openai", "metis"]


def test_route_naming_no_configured_provider_uses_all_configured(ai_env):
    ai_env.set(openai_api_key="sk-1", ai_route_verdict="liara")
    assert _names("verdict") == ["openai"]


def test_liara_defaults_to_tool_calls_for_structured_output(ai_env):
    ai_env.set(liara_api_key="lk", liara_base_url="https://liara.example/v1")
    assert configured_providers()["liara"].structured_output == "tool"


def test_extra_providers_from_json(ai_env):
    extra = [
        {
            "name": "Groq",
            "base_url": "https://groq.example/v1",
            "api_key": "gk-secret",
            "model": "llama-3.3-70b",
            "input_cost_per_1k": 0.0006,
            "output_cost_per_1k": 0.0008,
            "structured_output": "tool",
        }
    ]
    ai_env.set(ai_extra_providers=json.dumps(extra), ai_route_analysis="groq")
    provider = configured_providers()["groq"]
    assert provider.model == "llama-3.3-70b"
    assert provider.price is not None and provider.price.output_per_1k == 0.0008
    assert provider.structured_output == "tool"
    assert _names("analysis") == ["groq"]
    assert "gk-secret" not in repr(provider)


def test_invalid_extra_providers_error_never_shows_the_key(ai_env):
    ai_env.set(ai_extra_providers='[{"name": "x", "api_key": "very-secret-key"}]')
    with pytest.raises(ProviderConfigError) as caught:
        configured_providers()
    assert "very-secret-key" not in str(caught.value)
    assert "base_url" in str(caught.value)


def test_offline_name_is_reserved(ai_env):
    extra = [{"name": "offline", "base_url": "http://x", "api_key": "k", "model": "m"}]
    ai_env.set(ai_extra_providers=json.dumps(extra))
    with pytest.raises(ProviderConfigError):
        configured_providers()


def test_unknown_feature_is_rejected(ai_env):
    with pytest.raises(ValueError, match="Unknown AI feature"):
        route_for("poetry")


def test_cross_check_by_feature_or_function(ai_env):
    ai_env.set(ai_cross_check="keywords, extract_project_inputs")
    assert cross_check_wanted("keywords", "crunchbase_keywords")
    assert cross_check_wanted("chat", "extract_project_inputs")
    assert not cross_check_wanted("chat", "research_answer")
