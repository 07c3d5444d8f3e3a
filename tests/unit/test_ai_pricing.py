"""Cost table: known models, name normalisation, unknown models, overrides."""

from __future__ import annotations

import pytest

from marketnav.services.ai.pricing import ModelPrice, estimate_cost, normalise_model_name
from tests import ai_fixtures

ai_env = ai_fixtures.ai_env


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("google/gemini-2.5-flash", "gemini-2.5-flash"),
        ("openai/GPT-4o", "gpt-4o"),
        ("gemini-2.5-pro-preview", "gemini-2.5-pro"),
    ],
)
def test_model_names_are_normalised(raw, normalised):
    assert normalise_model_name(raw) == normalised


def test_known_model_cost(ai_env):
    cost = estimate_cost("gpt-4o-mini", prompt_tokens=2000, completion_tokens=1000)
    assert cost.known
    assert cost.cost_usd == pytest.approx(2 * 0.00015 + 1 * 0.0006)


def test_dated_and_prefixed_names_use_the_base_price(ai_env):
    assert estimate_cost("gpt-4o-mini-2024-07-18", 1000, 0).cost_usd == pytest.approx(0.00015)
    assert estimate_cost("google/gemini-2.5-flash", 0, 1000).cost_usd == pytest.approx(0.0025)


def test_unknown_model_costs_zero_and_is_flagged(ai_env):
    cost = estimate_cost("mystery-model-9", 5000, 5000)
    assert cost.cost_usd == 0.0
    assert cost.known is False


def test_settings_override_and_extend_the_table(ai_env):
    ai_env.set(ai_model_prices='{"mystery-model-9": [0.01, 0.02], "gpt-4o-mini": [1, 1]}')
    assert estimate_cost("mystery-model-9", 1000, 1000).cost_usd == pytest.approx(0.03)
    assert estimate_cost("gpt-4o-mini", 1000, 0).cost_usd == pytest.approx(1.0)


def test_invalid_override_json_is_ignored(ai_env):
    ai_env.set(ai_model_prices="{not json")
    assert estimate_cost("gpt-4o-mini", 1000, 0).cost_usd == pytest.approx(0.00015)


def test_provider_price_wins(ai_env):
    price = ModelPrice(input_per_1k=1.0, output_per_1k=2.0)
    assert estimate_cost("gpt-4o-mini", 1000, 1000, price).cost_usd == pytest.approx(3.0)


def test_offline_analyser_is_free_and_known(ai_env):
    cost = estimate_cost("offline-analyser", 100, 100)
    assert cost.known and cost.cost_usd == 0.0
