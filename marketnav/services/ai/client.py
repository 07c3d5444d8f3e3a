"""The provider chain: per-provider retries with backoff, fallover, streaming and call records.

`run_chain(feature, operation, strategy)` walks the route for `feature`; `strategy` receives a
`ProviderCaller` for one provider and uses `complete()` / `stream()` to talk to it. A
`ProviderCallError` escaping the strategy moves the chain to the next provider; when the chain
is exhausted an `AIStepFailed` with a clear message is raised.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from marketnav.services.ai.failures import (
    AIStepFailed,
    InvalidOutput,
    ProviderCallError,
    classify_exception,
    failure_message,
)
from marketnav.services.ai.pricing import estimate_cost, normalise_model_name
from marketnav.services.ai.providers import OFFLINE_MODEL, ProviderConfig, route_for
from marketnav.services.ai.records import CallContext, CallOutcome, record_call
from marketnav.services.ai.results import Completion, TokenUsage, ToolCall
from marketnav.settings import get_settings

if TYPE_CHECKING:  # the SDK is imported on first use: every process imports this module, and
    # openai's types cost about 0.3 s of start-up (the web app never calls a provider itself)
    from openai import OpenAI

logger = logging.getLogger(__name__)

T = TypeVar("T")

_clients: dict[tuple[str, str, float], OpenAI] = {}
_clients_lock = threading.Lock()


def sdk_client(provider: ProviderConfig, timeout: float | None = None) -> OpenAI:
    """A pooled `openai.OpenAI` client for the provider (SDK retries off: the chain retries)."""
    timeout = timeout or get_settings().ai_timeout_seconds
    key = (provider.base_url, provider.api_key.get_secret_value(), timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            from openai import OpenAI

            client = OpenAI(
                api_key=provider.api_key.get_secret_value(),
                base_url=provider.base_url,
                timeout=timeout,
                max_retries=0,
            )
            _clients[key] = client
        return client


def reset_clients() -> None:
    """Forget pooled SDK clients (tests change settings between cases)."""
    with _clients_lock:
        _clients.clear()


class OfflineAnswer(BaseModel):
    """What the offline analyser produced for one call."""

    content: str = ""
    tool_calls: list[ToolCall] = []


class StreamDelta(BaseModel):
    """A piece of streamed text."""

    text: str


def backoff_seconds(retry_number: int) -> float:
    """Wait before retry `retry_number` (1-based): exponential, capped."""
    settings = get_settings()
    wait = settings.ai_retry_backoff_seconds * (2 ** (retry_number - 1))
    return min(wait, settings.ai_retry_backoff_max_seconds)


# OpenAI reasoning models take `max_completion_tokens` and only their default temperature.
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def _completion_kwargs(provider: ProviderConfig, params: dict[str, Any]) -> dict[str, Any]:
    kwargs = {"model": provider.model, **{k: v for k, v in params.items() if v is not None}}
    if normalise_model_name(provider.model).startswith(_REASONING_PREFIXES):
        kwargs.pop("temperature", None)
        if "max_tokens" in kwargs:
            kwargs["max_completion_tokens"] = kwargs.pop("max_tokens")
    return kwargs


class ProviderCaller:
    """Talks to one provider on behalf of one logical call; records every attempt."""

    def __init__(
        self,
        provider: ProviderConfig,
        feature: str,
        operation: str,
        request_id: str,
        context: CallContext,
    ) -> None:
        self.provider = provider
        self.feature = feature
        self.operation = operation
        self.request_id = request_id
        self.context = context
        self.attempts = 0

    # Accounting -------------------------------------------------------------------------------
    def record(
        self,
        started: float,
        *,
        model: str | None = None,
        usage: TokenUsage | None = None,
        error_kind: str = "",
        cached: bool = False,
    ) -> None:
        """Record one attempt (ok unless `error_kind`)."""
        usage = usage or TokenUsage()
        model = model or self.provider.model
        cost = estimate_cost(
            model, usage.prompt_tokens, usage.completion_tokens, self.provider.price
        )
        record_call(
            CallOutcome(
                feature=self.feature,
                operation=self.operation,
                request_id=self.request_id,
                attempt=self.attempts,
                provider=self.provider.name,
                model=model,
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost_usd=0.0 if cached else cost.cost_usd,
                cost_known=cost.known,
                ok=not error_kind,
                error_kind=error_kind,
                cached=cached,
            ),
            self.context,
        )

    def _completion(self, **fields: Any) -> Completion:
        return Completion(request_id=self.request_id, attempts=self.attempts, **fields)

    # Offline -----------------------------------------------------------------------------------
    def offline(self, answer: Callable[[], OfflineAnswer]) -> Completion:
        """Run the offline analyser as this chain's provider."""
        self.attempts += 1
        started = time.perf_counter()
        try:
            produced = answer()
        except Exception as err:
            logger.exception("offline analyser failed for %s", self.operation)
            self.record(started, model=OFFLINE_MODEL, error_kind="unexpected")
            raise ProviderCallError("unexpected", type(err).__name__) from err
        self.record(started, model=OFFLINE_MODEL)
        return self._completion(
            content=produced.content,
            tool_calls=produced.tool_calls,
            provider=self.provider.name,
            model=OFFLINE_MODEL,
        )

    # Non-streaming -----------------------------------------------------------------------------
    def complete(
        self,
        messages: list[dict[str, Any]],
        validate: Callable[[Completion], object] | None = None,
        **params: Any,
    ) -> Completion:
        """One chat completion with retries (timeout, 429, 5xx, malformed body) and backoff.

        `validate` checks the answer before it is recorded; it raises `InvalidOutput` to have
        the attempt recorded as invalid (the error is not retried here: the caller repairs).
        """
        settings = get_settings()
        retrying = Retrying(
            stop=stop_after_attempt(settings.ai_max_retries + 1),
            wait=wait_exponential(
                multiplier=settings.ai_retry_backoff_seconds,
                max=settings.ai_retry_backoff_max_seconds,
            ),
            retry=retry_if_exception(
                lambda err: isinstance(err, ProviderCallError) and err.retryable
            ),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._complete_once(messages, params, validate)
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete_once(
        self,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        validate: Callable[[Completion], object] | None,
    ) -> Completion:
        self.attempts += 1
        started = time.perf_counter()
        try:
            response = sdk_client(self.provider).chat.completions.create(
                messages=messages, **_completion_kwargs(self.provider, params)
            )
            if not response.choices:
                raise ProviderCallError("malformed_response", "no choices")
        except Exception as err:
            failure = classify_exception(err)
            self.record(started, error_kind=failure.kind)
            logger.info("AI %s attempt %s failed: %s", self.provider.name, self.attempts, failure)
            raise failure from err
        message = response.choices[0].message
        usage = TokenUsage(
            prompt_tokens=getattr(response.usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(response.usage, "completion_tokens", 0) or 0,
        )
        model = response.model or self.provider.model
        tool_calls = [
            ToolCall(id=call.id, name=call.function.name, arguments=call.function.arguments or "")
            for call in (message.tool_calls or [])
            if getattr(call, "function", None) is not None
        ]
        completion = self._completion(
            content=message.content or "",
            tool_calls=tool_calls,
            provider=self.provider.name,
            model=model,
            usage=usage,
        )
        if validate is not None:
            try:
                validate(completion)
            except InvalidOutput:
                self.record(started, model=model, usage=usage, error_kind="invalid_output")
                raise
        self.record(started, model=model, usage=usage)
        return completion

    # Streaming ---------------------------------------------------------------------------------
    def stream_once(
        self, messages: list[dict[str, Any]], include_usage: bool = True, **params: Any
    ) -> Iterator[StreamDelta | Completion]:
        """One streamed completion: yields text deltas, then the final Completion.

        Raises ProviderCallError on failure (possibly after some deltas were yielded). Some
        OpenAI-compatible servers reject `stream_options`; call again with include_usage=False.
        """
        self.attempts += 1
        started = time.perf_counter()
        parts: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage: TokenUsage | None = None
        model = self.provider.model
        try:
            stream = sdk_client(self.provider).chat.completions.create(
                messages=messages,
                stream=True,
                **({"stream_options": {"include_usage": True}} if include_usage else {}),
                **_completion_kwargs(self.provider, params),
            )
            for chunk in stream:
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = TokenUsage(
                        prompt_tokens=chunk.usage.prompt_tokens or 0,
                        completion_tokens=chunk.usage.completion_tokens or 0,
                    )
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        parts.append(delta.content)
                        yield StreamDelta(text=delta.content)
                    for call in delta.tool_calls or []:
                        slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                        if call.id:
                            slot["id"] = call.id
                        if call.function is not None:
                            slot["name"] += call.function.name or ""
                            slot["arguments"] += call.function.arguments or ""
        except Exception as err:
            failure = classify_exception(err)
            self.record(started, error_kind=failure.kind)
            raise failure from err
        text = "".join(parts)
        if usage is None:  # provider ignored include_usage: estimate (about 4 chars a token)
            prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
            usage = TokenUsage(prompt_tokens=prompt_chars // 4, completion_tokens=len(text) // 4)
        self.record(started, model=model, usage=usage)
        tool_calls = [ToolCall(**calls[index]) for index in sorted(calls) if calls[index]["name"]]
        yield self._completion(
            content=text,
            tool_calls=tool_calls,
            provider=self.provider.name,
            model=model,
            usage=usage,
        )


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def run_chain(
    feature: str,
    operation: str,
    strategy: Callable[[ProviderCaller], T],
    context: CallContext | None = None,
    providers: list[ProviderConfig] | None = None,
) -> T:
    """Try `strategy` on each provider of the route in order; the first success wins."""
    context = context or CallContext()
    chain = providers if providers is not None else route_for(feature)
    request_id = new_request_id()
    failures: list[str] = []
    attempts = 0
    for provider in chain:
        caller = ProviderCaller(provider, feature, operation, request_id, context)
        try:
            return strategy(caller)
        except ProviderCallError as err:
            failures.append(err.kind)
            logger.warning(
                "AI %s/%s: provider %s failed (%s); falling over",
                feature,
                operation,
                provider.name,
                err.kind,
            )
        finally:
            attempts += caller.attempts
    kind = failures[-1] if failures else "no_provider"
    raise AIStepFailed(operation, kind, failure_message(operation, failures), attempts)
