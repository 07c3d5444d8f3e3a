"""Live health check of every configured AI provider, for the status page."""

from __future__ import annotations

import time

from pydantic import BaseModel

from marketnav.services.ai.client import sdk_client
from marketnav.services.ai.failures import classify_exception
from marketnav.services.ai.providers import (
    OFFLINE_LABEL,
    OFFLINE_NAME,
    ProviderConfig,
    ProviderConfigError,
    configured_providers,
)

HEALTH_TIMEOUT_SECONDS = 10.0


class ProviderStatus(BaseModel):
    """Result of probing one provider."""

    name: str
    ok: bool
    latency_ms: float
    detail: str


def probe(provider: ProviderConfig, timeout: float = HEALTH_TIMEOUT_SECONDS) -> ProviderStatus:
    """List the provider's models (no tokens spent); fall back to a 1-token completion."""
    import openai  # lazily, as in `client` (start-up time)

    client = sdk_client(provider, timeout)
    started = time.perf_counter()
    try:
        try:
            models = client.models.list()
            ids = [m.id for m in models.data]
            detail = f"{provider.model} reachable" + (
                "" if not ids or provider.model in ids else " (model not in the provider's list)"
            )
        except openai.NotFoundError:
            client.chat.completions.create(
                model=provider.model, messages=[{"role": "user", "content": "ping"}], max_tokens=1
            )
            detail = f"{provider.model} answered"
        ok = True
    except Exception as err:  # every failure means "down"; the detail says why, without keys
        failure = classify_exception(err)
        detail, ok = f"{failure.kind.replace('_', ' ')} ({failure.detail})", False
    latency = round((time.perf_counter() - started) * 1000, 1)
    return ProviderStatus(name=provider.name, ok=ok, latency_ms=latency, detail=detail)


def check_providers(timeout: float = HEALTH_TIMEOUT_SECONDS) -> list[ProviderStatus]:
    """Probe every configured provider; with no key, report the offline analyser as in use."""
    try:
        providers = list(configured_providers().values())
    except ProviderConfigError as err:
        return [ProviderStatus(name="configuration", ok=False, latency_ms=0.0, detail=str(err))]
    if not providers:
        return [
            ProviderStatus(
                name=OFFLINE_NAME,
                ok=True,
                latency_ms=0.0,
                detail=f"No AI key configured: {OFFLINE_LABEL.lower()} in use",
            )
        ]
    return [probe(provider, timeout) for provider in providers]
