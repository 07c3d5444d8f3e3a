"""Provider configuration from settings and the per-feature route table."""

from __future__ import annotations

import json
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from marketnav.services.ai.pricing import ModelPrice
from marketnav.settings import Settings, get_settings

logger = logging.getLogger(__name__)

Feature = Literal["chat", "keywords", "analysis", "verdict", "pitch_deck"]
FEATURES: tuple[str, ...] = ("chat", "keywords", "analysis", "verdict", "pitch_deck")
OFFLINE_NAME = "offline"
OFFLINE_MODEL = "offline-analyser"
OFFLINE_LABEL = "Offline analysis"

# How structured output is requested: OpenAI-style JSON-schema responses or a forced tool call.
StructuredMode = Literal["json_schema", "tool"]


class ProviderConfig(BaseModel):
    """One OpenAI-compatible endpoint (or the built-in offline analyser)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    base_url: str = ""
    api_key: SecretStr = SecretStr("")
    model: str = ""
    structured_output: StructuredMode = "json_schema"
    price: ModelPrice | None = None

    @property
    def is_offline(self) -> bool:
        return self.name == OFFLINE_NAME

    @property
    def label(self) -> str:
        """What the UI shows as the answer's source."""
        return OFFLINE_LABEL if self.is_offline else f"{self.name} · {self.model}"


class ExtraProviderEntry(BaseModel):
    """One item of the AI_EXTRA_PROVIDERS JSON list."""

    model_config = ConfigDict(extra="forbid")

    name: str
    base_url: str = Field(min_length=1)
    api_key: str = Field(min_length=1)
    model: str = Field(min_length=1)
    structured_output: StructuredMode = "json_schema"
    input_cost_per_1k: float | None = Field(default=None, ge=0)
    output_cost_per_1k: float | None = Field(default=None, ge=0)


OFFLINE_PROVIDER = ProviderConfig(name=OFFLINE_NAME, model=OFFLINE_MODEL)


class ProviderConfigError(ValueError):
    """AI provider settings that cannot be used (the message never contains a key)."""


def _builtin_providers(settings: Settings) -> list[ProviderConfig]:
    builtins = [
        ("openai", settings.openai_api_key, settings.openai_base_url, settings.openai_model, None),
        ("liara", settings.liara_api_key, settings.liara_base_url, settings.liara_model, "tool"),
        ("metis", settings.metis_api_key, settings.metis_base_url, settings.metis_model, None),
    ]
    providers = []
    for name, key, base_url, model, mode in builtins:
        if key.get_secret_value() and base_url:
            providers.append(
                ProviderConfig(
                    name=name,
                    base_url=base_url,
                    api_key=key,
                    model=model,
                    structured_output=mode or "json_schema",
                )
            )
    return providers


def _extra_providers(settings: Settings) -> list[ProviderConfig]:
    raw = settings.ai_extra_providers.get_secret_value().strip()
    if not raw:
        return []
    try:
        entries = [ExtraProviderEntry.model_validate(item) for item in json.loads(raw)]
        providers = []
        for entry in entries:
            price = None
            if entry.input_cost_per_1k is not None or entry.output_cost_per_1k is not None:
                price = ModelPrice(
                    input_per_1k=entry.input_cost_per_1k or 0.0,
                    output_per_1k=entry.output_cost_per_1k or 0.0,
                )
            providers.append(
                ProviderConfig(
                    name=entry.name.lower(),
                    base_url=entry.base_url,
                    api_key=SecretStr(entry.api_key),
                    model=entry.model,
                    structured_output=entry.structured_output,
                    price=price,
                )
            )
        return providers
    except (ValueError, TypeError, ValidationError) as err:
        # Never echo the raw value: it holds API keys.
        fields = (
            ", ".join(".".join(map(str, e["loc"])) for e in err.errors())
            if isinstance(err, ValidationError)
            else "JSON syntax"
        )
        raise ProviderConfigError(
            f"AI_EXTRA_PROVIDERS must be a JSON list of {{name, base_url, api_key, model}} "
            f"objects (problem in: {fields})."
        ) from None


def configured_providers(settings: Settings | None = None) -> dict[str, ProviderConfig]:
    """Every provider with a key and base URL, in declaration order (built-ins, then extras)."""
    settings = settings or get_settings()
    providers: dict[str, ProviderConfig] = {}
    for provider in _builtin_providers(settings) + _extra_providers(settings):
        if provider.name == OFFLINE_NAME:
            raise ProviderConfigError("The provider name 'offline' is reserved.")
        providers[provider.name] = provider
    return providers


def route_names(feature: str, settings: Settings | None = None) -> list[str]:
    """The configured provider names for `feature`, as written in AI_ROUTE_<FEATURE>."""
    if feature not in FEATURES:
        raise ValueError(f"Unknown AI feature {feature!r}; expected one of {', '.join(FEATURES)}.")
    settings = settings or get_settings()
    raw: str = getattr(settings, f"ai_route_{feature}")
    names = [name.strip().lower() for name in raw.split(",") if name.strip()]
    return list(dict.fromkeys(names))


def route_for(feature: str, settings: Settings | None = None) -> list[ProviderConfig]:
    """The ordered provider chain for `feature`.

    Names without a configured key are skipped. If a key is configured but the route names none
    of the configured providers, every configured provider is used in declaration order. The
    offline analyser is the chain only when no provider has a key at all.
    """
    settings = settings or get_settings()
    names = route_names(feature, settings)
    available = configured_providers(settings)
    if not available:
        return [OFFLINE_PROVIDER]
    chain = [available[name] for name in names if name in available]
    if not chain:
        logger.warning("AI route %s names no configured provider; using all configured", feature)
        chain = list(available.values())
    return chain


def offline_only(settings: Settings | None = None) -> bool:
    """True when no AI key is configured (the product runs on the offline analyser)."""
    return not configured_providers(settings)


def cross_check_wanted(feature: str, operation: str, settings: Settings | None = None) -> bool:
    """Whether AI_CROSS_CHECK asks for a second provider/sample for this feature or function."""
    settings = settings or get_settings()
    wanted = {item.strip().lower() for item in settings.ai_cross_check.split(",") if item.strip()}
    return feature in wanted or operation.lower() in wanted or "all" in wanted
