"""Estimated cost of a call from its token counts and a per-model price table."""

from __future__ import annotations

import json
import logging
import re

from pydantic import BaseModel, ValidationError

from marketnav.settings import get_settings

logger = logging.getLogger(__name__)


class ModelPrice(BaseModel):
    """USD per 1,000 tokens."""

    input_per_1k: float
    output_per_1k: float


class CostEstimate(BaseModel):
    """Cost of one call; `known` is False when the model has no price (cost then 0)."""

    cost_usd: float
    known: bool


# List prices (USD per 1k tokens); override or extend with AI_MODEL_PRICES.
PRICE_TABLE: dict[str, ModelPrice] = {
    "gpt-4o-mini": ModelPrice(input_per_1k=0.00015, output_per_1k=0.0006),
    "gpt-4o": ModelPrice(input_per_1k=0.0025, output_per_1k=0.01),
    "gpt-4.1": ModelPrice(input_per_1k=0.002, output_per_1k=0.008),
    "gpt-4.1-mini": ModelPrice(input_per_1k=0.0004, output_per_1k=0.0016),
    "gpt-4.1-nano": ModelPrice(input_per_1k=0.0001, output_per_1k=0.0004),
    "gpt-5": ModelPrice(input_per_1k=0.00125, output_per_1k=0.01),
    "gpt-5-mini": ModelPrice(input_per_1k=0.00025, output_per_1k=0.002),
    "gpt-5-nano": ModelPrice(input_per_1k=0.00005, output_per_1k=0.0004),
    "o4-mini": ModelPrice(input_per_1k=0.0011, output_per_1k=0.0044),
    "gemini-2.5-flash": ModelPrice(input_per_1k=0.0003, output_per_1k=0.0025),
    "gemini-2.5-flash-lite": ModelPrice(input_per_1k=0.0001, output_per_1k=0.0004),
    "gemini-2.5-pro": ModelPrice(input_per_1k=0.00125, output_per_1k=0.01),
    "claude-sonnet-4": ModelPrice(input_per_1k=0.003, output_per_1k=0.015),
    "claude-3-5-haiku": ModelPrice(input_per_1k=0.0008, output_per_1k=0.004),
    "offline-analyser": ModelPrice(input_per_1k=0.0, output_per_1k=0.0),
}

_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|latest|preview)$")


def normalise_model_name(model: str) -> str:
    """Strip vendor prefixes and date suffixes: `google/gemini-2.5-flash` -> `gemini-2.5-flash`."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    previous = None
    while previous != name:
        previous, name = name, _DATE_SUFFIX.sub("", name)
    return name


def configured_price_overrides() -> dict[str, ModelPrice]:
    """Prices from `AI_MODEL_PRICES` ({"model": [in, out]}); invalid JSON is logged and ignored."""
    raw = get_settings().ai_model_prices.strip()
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
        return {
            normalise_model_name(name): ModelPrice(input_per_1k=pair[0], output_per_1k=pair[1])
            for name, pair in parsed.items()
        }
    except (ValueError, TypeError, IndexError, AttributeError, ValidationError):
        logger.warning("AI_MODEL_PRICES is not valid JSON {model: [in, out]}; ignored")
        return {}


def price_for(model: str, provider_price: ModelPrice | None = None) -> ModelPrice | None:
    """The price of `model`: provider-specific, then AI_MODEL_PRICES, then the table."""
    if provider_price is not None:
        return provider_price
    name = normalise_model_name(model)
    overrides = configured_price_overrides()
    return overrides.get(name) or PRICE_TABLE.get(name)


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    provider_price: ModelPrice | None = None,
) -> CostEstimate:
    """USD cost of a call; unknown models cost 0 with `known=False`."""
    price = price_for(model, provider_price)
    if price is None:
        return CostEstimate(cost_usd=0.0, known=False)
    cost = (
        prompt_tokens / 1000 * price.input_per_1k + completion_tokens / 1000 * price.output_per_1k
    )
    return CostEstimate(cost_usd=round(cost, 8), known=True)
