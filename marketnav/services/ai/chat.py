"""Streaming chat with modes and tool calls, over the `chat` provider chain.

`stream_chat(request)` is a sync generator of `ChatEvent`s (Celery, threads); `astream_chat`
is the same as an async generator (Reflex background events). Text arrives as `delta` events;
`reset` means "discard the text so far" (a provider died mid-answer and the next one answers);
validated tool calls arrive as `tool_call` events; the stream ends with `done` or `error`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field

from marketnav.services.ai import offline
from marketnav.services.ai.client import (
    OfflineAnswer,
    ProviderCaller,
    StreamDelta,
    backoff_seconds,
    new_request_id,
)
from marketnav.services.ai.editing import InputFill, review_fill
from marketnav.services.ai.failures import ProviderCallError, failure_message
from marketnav.services.ai.input_extraction import (
    Extraction,
    extract,
    follow_up_questions,
    missing_labels,
)
from marketnav.services.ai.modes import (
    FILL_PROJECT_INPUTS,
    Citation,
    CombinedModes,
    citations_in,
    system_prompt,
)
from marketnav.services.ai.providers import OFFLINE_LABEL, ProviderConfig, route_for
from marketnav.services.ai.records import CallContext
from marketnav.services.ai.results import Completion, ToolCall
from marketnav.services.ai.schemas import LABELS, ProjectInputsData, ReportSection
from marketnav.services.project_inputs import completion_status
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 20
REPORT_TYPES = "Quick Report, Crunchbase, Tracxn, Social, Verdict and Pitch Deck"


class ChatMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    """One user message and everything the assistant may use to answer it."""

    message: str = Field(min_length=1)
    # Earlier messages, oldest first, without `message` itself (last 20 are used).
    history: list[ChatMessage] = Field(default_factory=list)
    inputs: ProjectInputsData = Field(default_factory=ProjectInputsData)
    active_modes: list[str] = Field(default_factory=list)
    # Completed report sections, used when Research Mode is active or a report is open.
    sections: list[ReportSection] = Field(default_factory=list)
    # The report the user is reading (e.g. "Crunchbase Analysis v2"); its sections come first.
    open_report: str = ""
    context: CallContext = Field(default_factory=CallContext)
    temperature: float = 0.7
    max_tokens: int = 800


class ChatEvent(BaseModel):
    """One event of a streamed answer."""

    kind: Literal["delta", "reset", "tool_call", "done", "error"]
    text: str = ""  # delta: the new piece; done: the full answer; error: user-safe message
    tool_call: ToolCall | None = None
    fill: InputFill | None = None  # validated fill_project_inputs values with confidence
    provider: str = ""
    model: str = ""
    label: str = ""
    offline: bool = False
    mode_ids: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


ToolHandler = Callable[[ChatEvent], Any]


def build_messages(request: ChatRequest, prompt: str) -> list[dict[str, Any]]:
    """System prompt, the last 20 history messages, then the new message (once)."""
    history = list(request.history[-HISTORY_LIMIT:])
    if history and history[-1].role == "user" and history[-1].content == request.message:
        history.pop()  # the caller already stored the new message: do not send it twice
    return [
        {"role": "system", "content": prompt},
        *({"role": m.role, "content": m.content} for m in history),
        {"role": "user", "content": request.message},
    ]


def _conversation_text(request: ChatRequest) -> str:
    return "\n".join([*(m.content for m in request.history if m.role == "user"), request.message])


def _uses_reports(request: ChatRequest, modes: CombinedModes) -> bool:
    """Answers draw on report sections in Research Mode and on a report's own page."""
    return "research" in modes.mode_ids or bool(request.open_report and request.sections)


def offline_reply(request: ChatRequest, modes: CombinedModes) -> OfflineAnswer:
    """The offline assistant: saves stated inputs (Editing), cites reports (Research)."""
    known = request.inputs.answered()
    if "editing" in modes.mode_ids:
        found = extract(request.message, known)
        if found.values:
            return _offline_fill(found, known)
        if "research" not in modes.mode_ids:
            missing = found.missing(known)
            question = (follow_up_questions(known, limit=1) or ["What should I update?"])[0]
            text = f"{OFFLINE_LABEL}: I found no project details to save in that message."
            if missing:
                text += f" Still missing: {missing_labels(missing)}."
            return OfflineAnswer(content=f"{text} {question}")
    if _uses_reports(request, modes):
        return OfflineAnswer(
            content=offline.research_answer(request.message, request.sections).answer
        )
    if completion_status(request.inputs.model_dump()) != "complete":
        question = follow_up_questions(known, limit=1)[0]
        return OfflineAnswer(
            content=f"{OFFLINE_LABEL}: let's complete your project inputs. {question} "
            "Switch on Editing Mode so I can save your answers."
        )
    return OfflineAnswer(
        content=f"{OFFLINE_LABEL}: your project inputs are complete. You can now run the "
        f"{REPORT_TYPES} reports; switch on Research Mode to ask about finished reports."
    )


def _offline_fill(found: Extraction, known: dict[str, str]) -> OfflineAnswer:
    """Save what the message states (suggestions marked) and name what is still missing."""
    stated = [LABELS[k] for k in found.values if k not in found.suggested]
    parts = [f"{OFFLINE_LABEL}: I saved {', '.join(stated)} from your message."] if stated else []
    for key, why in found.suggested.items():
        parts.append(
            f'Suggested {LABELS[key]}: "{found.values[key]}" ({why}; not stated by you, '
            "change it any time)."
        )
    if not stated:
        parts[0] = f"{OFFLINE_LABEL}: {parts[0]}"
    for key, problem in found.problems.items():
        parts.append(f"Not saved: {LABELS[key]} ({problem}).")
    missing = found.missing(known)
    if missing:
        questions = follow_up_questions({**known, **found.values}, limit=1)
        parts.append(f"Still missing: {missing_labels(missing)}. Next: {questions[0]}")
    else:
        parts.append("Every required input is filled: you can run the reports now.")
    arguments = {**found.values, "suggested": found.suggested}
    call = ToolCall(id="offline-fill", name=FILL_PROJECT_INPUTS, arguments=json.dumps(arguments))
    return OfflineAnswer(content=" ".join(parts), tool_calls=[call])


def _word_pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def _stream_provider(
    caller: ProviderCaller, messages: list[dict[str, Any]], params: dict[str, Any]
) -> Iterator[ChatEvent | Completion]:
    """Stream from one provider with retries; yields events, then the Completion."""
    max_retries = get_settings().ai_max_retries
    include_usage = True
    for retry in range(max_retries + 1):
        emitted = False
        try:
            for piece in caller.stream_once(messages, include_usage=include_usage, **params):
                if isinstance(piece, StreamDelta):
                    emitted = True
                    yield ChatEvent(kind="delta", text=piece.text)
                else:
                    yield piece
                    return
        except ProviderCallError as err:
            if emitted:
                yield ChatEvent(kind="reset")
            if err.kind == "bad_request" and include_usage and not emitted:
                include_usage = False  # the server may not know stream_options: try without
                continue
            if not err.retryable or retry == max_retries:
                raise
            time.sleep(backoff_seconds(retry + 1))


def _answer_events(
    request: ChatRequest, caller: ProviderCaller, messages: list, modes: CombinedModes
) -> Iterator[ChatEvent | Completion]:
    """Events of the first answer from one provider (offline answers stream word by word)."""
    if caller.provider.is_offline:
        completion = caller.offline(lambda: offline_reply(request, modes))
        for piece in _word_pieces(completion.content):
            yield ChatEvent(kind="delta", text=piece)
        yield completion
        return
    params: dict[str, Any] = {"temperature": request.temperature, "max_tokens": request.max_tokens}
    if modes.tools:
        params.update(tools=modes.tools, tool_choice="auto")
    yield from _stream_provider(caller, messages, params)


def stream_chat(
    request: ChatRequest, tool_handler: ToolHandler | None = None
) -> Iterator[ChatEvent]:
    """Stream the assistant's answer to `request`, with modes, tools and provider fallover.

    `tool_handler(event)` (optional) is called for each validated tool call, e.g. to save the
    filled inputs; its return value is sent back to the model as the tool result so the model
    can confirm in words when it answered with a tool call only.
    """
    prompt, modes = system_prompt(
        request.inputs, request.active_modes, request.sections, request.open_report
    )
    messages = build_messages(request, prompt)
    request_id = new_request_id()
    failures: list[str] = []
    for provider in route_for("chat"):
        caller = ProviderCaller(provider, "chat", "chat", request_id, request.context)
        try:
            completion: Completion | None = None
            for item in _answer_events(request, caller, messages, modes):
                if isinstance(item, Completion):
                    completion = item
                else:
                    yield item
            if completion is None:
                raise ProviderCallError("malformed_response", "stream ended without an answer")
            yield from _finish(request, caller, messages, modes, completion, tool_handler)
            return
        except ProviderCallError as err:
            failures.append(err.kind)
            logger.warning("chat: provider %s failed (%s); falling over", provider.name, err.kind)
    yield ChatEvent(kind="error", text=failure_message("chat", failures), mode_ids=modes.mode_ids)


def _finish(
    request: ChatRequest,
    caller: ProviderCaller,
    messages: list[dict[str, Any]],
    modes: CombinedModes,
    completion: Completion,
    tool_handler: ToolHandler | None,
) -> Iterator[ChatEvent]:
    """Tool-call events, a confirmation when the model said nothing, then `done`."""
    offered = {tool["function"]["name"] for tool in modes.tools}
    tool_results: list[tuple[ToolCall, Any]] = []
    for call in completion.tool_calls:
        if call.name not in offered and not caller.provider.is_offline:
            logger.info("chat: ignoring call to tool %s not offered", call.name)
            continue
        fill = None
        if call.name == FILL_PROJECT_INPUTS:
            fill = review_fill(call.arguments, _conversation_text(request), completion.offline)
        event = ChatEvent(
            kind="tool_call", tool_call=call, fill=fill, provider=caller.provider.name
        )
        yield event
        result = tool_handler(event) if tool_handler else None
        if result is None and fill is not None:
            result = {"saved": fill.values(), "rejected": fill.rejected}
        tool_results.append((call, result))
    text = completion.content
    if not text.strip() and tool_results:
        text = yield from _confirmation(caller, messages, completion, tool_results)
    yield ChatEvent(
        kind="done",
        text=text,
        provider=completion.provider,
        model=completion.model,
        label=_label(caller.provider, completion),
        offline=completion.offline,
        mode_ids=modes.mode_ids,
        citations=citations_in(text, request.sections) if _uses_reports(request, modes) else [],
    )


def _confirmation(
    caller: ProviderCaller,
    messages: list[dict[str, Any]],
    completion: Completion,
    tool_results: list[tuple[ToolCall, Any]],
) -> Iterator[ChatEvent]:
    """Ask the model to confirm the tool results in words (templated if that fails)."""
    follow_up = [
        *messages,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c, _ in tool_results
            ],
        },
        *(
            {"role": "tool", "tool_call_id": c.id, "content": json.dumps(r, default=str)}
            for c, r in tool_results
        ),
    ]
    parts: list[str] = []
    try:
        for item in caller.stream_once(follow_up, temperature=0.3, max_tokens=300):
            if isinstance(item, StreamDelta):
                parts.append(item.text)
                yield ChatEvent(kind="delta", text=item.text)
        if "".join(parts).strip():
            return "".join(parts)
    except ProviderCallError as err:
        logger.info("chat: confirmation call failed (%s); using a template", err.kind)
        if parts:
            yield ChatEvent(kind="reset")
    names = ", ".join(dict.fromkeys(c.name.replace("_", " ") for c, _ in tool_results))
    text = f"Done ({names})."
    yield ChatEvent(kind="delta", text=text)
    return text


def _label(provider: ProviderConfig, completion: Completion) -> str:
    return OFFLINE_LABEL if completion.offline else f"{provider.name} · {completion.model}"


async def astream_chat(
    request: ChatRequest, tool_handler: ToolHandler | None = None
) -> AsyncIterator[ChatEvent]:
    """`stream_chat` as an async generator (each step runs in a worker thread)."""
    events = stream_chat(request, tool_handler)
    done = object()
    try:
        while True:
            event = await asyncio.to_thread(next, events, done)
            if event is done:
                return
            yield event
    finally:
        await asyncio.to_thread(events.close)
