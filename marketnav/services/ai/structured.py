"""Structured calls: output model sent as a JSON schema, answer validated, one repair, cache.

`complete_structured` is synchronous (Celery tasks call it directly; Reflex handlers wrap it in
`asyncio.to_thread`, or use `acomplete_structured`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from marketnav.services.ai.cache import cache_enabled, cache_key, load_answer, store_answer
from marketnav.services.ai.client import OfflineAnswer, ProviderCaller, run_chain
from marketnav.services.ai.failures import AIStepFailed, InvalidOutput, ProviderCallError
from marketnav.services.ai.providers import (
    OFFLINE_LABEL,
    ProviderConfig,
    cross_check_wanted,
    route_for,
)
from marketnav.services.ai.records import CallContext, record_call
from marketnav.services.ai.results import Completion

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class StructuredOutcome(BaseModel, Generic[T]):
    """A validated structured answer and where it came from."""

    value: T
    provider: str
    model: str
    label: str
    offline: bool
    cached: bool
    request_id: str
    # A second provider's (or sample's) answer when the route asked for a cross-check.
    second_opinion: T | None = None
    second_opinion_source: str | None = None


def schema_for(output_model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of `output_model` (a fresh copy: a caller may change it)."""
    return json.loads(_schema_text(output_model))


@functools.cache
def _schema_text(output_model: type[BaseModel]) -> str:
    # Generating a schema takes ~2 ms of CPU; every call needed it twice, and the ten calls
    # of a report stage that start together queued behind each other for it.
    return json.dumps(output_model.model_json_schema())


def _request_params(
    provider: ProviderConfig, name: str, description: str, schema: dict[str, Any]
) -> dict[str, Any]:
    if provider.structured_output == "tool":
        function = {"name": name, "description": description, "parameters": schema}
        return {
            "tools": [{"type": "function", "function": function}],
            "tool_choice": {"type": "function", "function": {"name": name}},
        }
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": name, "description": description, "schema": schema},
        }
    }


def _as_tool(caller: ProviderCaller) -> ProviderConfig:
    return caller.provider.model_copy(update={"structured_output": "tool"})


def raw_output(completion: Completion, name: str) -> str:
    """The JSON text of the answer: the forced tool call's arguments, else the message text."""
    for call in completion.tool_calls:
        if call.name == name:
            return call.arguments
    text = completion.content.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


def _short_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "answer"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_output(output_model: type[T], raw: str) -> T:
    """Validate raw JSON text against the model; raises InvalidOutput with short reasons."""
    try:
        return output_model.model_validate_json(raw)
    except ValidationError as err:
        raise InvalidOutput(_short_errors(err), raw) from None


def repair_messages(messages: list[dict[str, Any]], error: InvalidOutput) -> list[dict[str, Any]]:
    """The conversation plus the invalid answer and a request to correct it."""
    return [
        *messages,
        {"role": "assistant", "content": error.raw_output[:6000] or "(empty answer)"},
        {
            "role": "user",
            "content": (
                "That answer does not match the required JSON schema: "
                f"{error.detail}. Reply again with only the corrected JSON object."
            ),
        },
    ]


def _provider_strategy(
    output_model: type[T],
    name: str,
    description: str,
    messages: list[dict[str, Any]],
    offline: Callable[[], T] | None,
    params: dict[str, Any],
) -> Callable[[ProviderCaller], tuple[T, Completion]]:
    schema = schema_for(output_model)

    def attempt(caller: ProviderCaller) -> tuple[T, Completion]:
        if caller.provider.is_offline:
            if offline is None:
                raise AIStepFailed(
                    name,
                    "no_provider",
                    f"'{name.replace('_', ' ')}' needs an AI provider: configure an API key.",
                )
            completion = caller.offline(lambda: OfflineAnswer(content=offline().model_dump_json()))
            return parse_output(output_model, completion.content), completion
        request = {**params, **_request_params(caller.provider, name, description, schema)}

        def validate(completion: Completion) -> T:
            return parse_output(output_model, raw_output(completion, name))

        try:
            try:
                completion = caller.complete(messages, validate=validate, **request)
            except ProviderCallError as err:
                if err.kind != "bad_request" or "response_format" not in request:
                    raise
                # The server may not support JSON-schema responses: ask for a tool call instead.
                request = {**params, **_request_params(_as_tool(caller), name, description, schema)}
                completion = caller.complete(messages, validate=validate, **request)
        except InvalidOutput as first_error:
            logger.info("AI %s: invalid output from %s; repairing", name, caller.provider.name)
            repaired = repair_messages(messages, first_error)
            completion = caller.complete(repaired, validate=validate, **request)
        return validate(completion), completion

    return attempt


def complete_structured(
    *,
    feature: str,
    operation: str,
    output_model: type[T],
    messages: list[dict[str, Any]],
    offline: Callable[[], T] | None = None,
    context: CallContext | None = None,
    description: str = "",
    temperature: float | None = 0.3,
    max_tokens: int | None = 2000,
    use_cache: bool = True,
    cross_check: bool | None = None,
) -> StructuredOutcome[T]:
    """Run a structured AI function through the provider chain for `feature`.

    The answer is validated against `output_model`; an invalid answer is repaired once on the
    same provider, then the chain falls over. Raises `AIStepFailed` when nothing valid came
    back. Identical requests within the cache TTL are served from the cache.
    """
    context = context or CallContext()
    chain = route_for(feature)
    is_offline = chain[0].is_offline
    params = {"temperature": temperature, "max_tokens": max_tokens}
    caching = use_cache and not is_offline and cache_enabled()
    key = ""
    if caching:  # the key is JSON over the whole prompt: not made when nothing is cached
        key = cache_key(
            {
                "feature": feature,
                "operation": operation,
                "messages": messages,
                "schema": schema_for(output_model),
                "params": params,
            }
        )
        hit = _from_cache(key, output_model, feature, operation, context)
        if hit is not None:
            return hit
    strategy = _provider_strategy(output_model, operation, description, messages, offline, params)
    value, completion = run_chain(feature, operation, strategy, context, chain)
    if caching and not completion.offline:
        store_answer(key, completion)
    outcome = StructuredOutcome[output_model](
        value=value,
        provider=completion.provider,
        model=completion.model,
        label=OFFLINE_LABEL
        if completion.offline
        else f"{completion.provider} · {completion.model}",
        offline=completion.offline,
        cached=False,
        request_id=completion.request_id,
    )
    wants_check = cross_check if cross_check is not None else cross_check_wanted(feature, operation)
    if wants_check and not completion.offline:
        _add_second_opinion(outcome, chain, strategy, feature, operation, context)
    return outcome


def _from_cache(
    key: str,
    output_model: type[T],
    feature: str,
    operation: str,
    context: CallContext,
) -> StructuredOutcome[T] | None:
    from marketnav.services.ai.records import CallOutcome

    completion = load_answer(key)
    if completion is None:
        return None
    try:
        value = parse_output(output_model, raw_output(completion, operation))
    except InvalidOutput:
        return None
    record_call(
        CallOutcome(
            feature=feature,
            operation=operation,
            provider=completion.provider,
            model=completion.model,
            cached=True,
        ),
        context,
    )
    return StructuredOutcome[output_model](
        value=value,
        provider=completion.provider,
        model=completion.model,
        label=f"{completion.provider} · {completion.model} (cached)",
        offline=False,
        cached=True,
        request_id=completion.request_id,
    )


def _add_second_opinion(
    outcome: StructuredOutcome[T],
    chain: list[ProviderConfig],
    strategy: Callable[[ProviderCaller], tuple[T, Completion]],
    feature: str,
    operation: str,
    context: CallContext,
) -> None:
    """Ask another provider (or the same one again) for an independent answer to compare."""
    others = [p for p in chain if p.name != outcome.provider] or [
        p for p in chain if p.name == outcome.provider
    ]
    source_kind = "a second provider" if others[0].name != outcome.provider else "a second sample"
    try:
        value, completion = run_chain(
            feature, f"{operation}_cross_check", strategy, context, others
        )
    except Exception as err:  # a failed cross-check only lowers confidence
        logger.info("cross-check for %s unavailable: %s", operation, type(err).__name__)
        return
    outcome.second_opinion = value
    outcome.second_opinion_source = f"{source_kind} ({completion.provider})"


async def acomplete_structured(**kwargs: Any) -> StructuredOutcome[Any]:
    """`complete_structured` in a worker thread, for async callers."""
    return await asyncio.to_thread(lambda: complete_structured(**kwargs))


def dump_for_prompt(data: Any) -> str:
    """Compact JSON of data given to a prompt."""
    return json.dumps(data, ensure_ascii=False, default=str)
