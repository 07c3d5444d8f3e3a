"""A local OpenAI-compatible chat-completions server for tests and benchmarks.

Real HTTP (FastAPI + uvicorn in a background thread) so the real `openai` SDK can be pointed at
it. Several named providers share one server: provider `alpha` lives at `/p/alpha/v1`. Each
provider has a queue of scripted behaviours; when the queue is empty it answers `default_content`.

    with OpenAITestServer() as server:
        server.script("alpha", Behaviour.status(429), Behaviour.content("hi"))
        OpenAI(base_url=server.base_url("alpha"), api_key="k") ...
        assert server.request_count("alpha") == 2

Scripts can also be queued over HTTP: `POST /_script/{provider}` with a list of behaviours.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

BehaviourKind = Literal["content", "tool_call", "status", "hang", "malformed", "stream_hang"]


class ScriptedToolCall(BaseModel):
    """One tool call the fake model makes."""

    name: str
    arguments: dict[str, Any] | str = Field(default_factory=dict)


class Behaviour(BaseModel):
    """What the server does for one request."""

    kind: BehaviourKind = "content"
    content: str = ""
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)
    status: int = 200
    hang_seconds: float = 30.0
    delay_seconds: float = 0.0
    chunk_delay_seconds: float = 0.0  # streaming: pause between chunks
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str | None = None

    @classmethod
    def content_reply(cls, content: str | dict | list, **extra: Any) -> Behaviour:
        """Answer with text (dicts/lists are sent as JSON text)."""
        text = content if isinstance(content, str) else json.dumps(content)
        return cls(kind="content", content=text, **extra)

    @classmethod
    def tool_call(cls, name: str, arguments: dict | str, content: str = "", **extra) -> Behaviour:
        """Answer with one tool call (and optional text before it)."""
        call = ScriptedToolCall(name=name, arguments=arguments)
        return cls(kind="tool_call", tool_calls=[call], content=content, **extra)

    @classmethod
    def failure(cls, status: int, **extra: Any) -> Behaviour:
        """Answer with an HTTP error status (429, 500, 503, 401 ...)."""
        return cls(kind="status", status=status, **extra)

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Behaviour:
        """Wait longer than the client's timeout before answering."""
        return cls(kind="hang", hang_seconds=seconds)

    @classmethod
    def malformed(cls) -> Behaviour:
        """Answer 200 with a body that is not valid JSON."""
        return cls(kind="malformed")

    @classmethod
    def stream_hang(cls, content: str, seconds: float = 30.0) -> Behaviour:
        """Stream the first half of `content`, then stall (a provider dying mid-stream)."""
        return cls(kind="stream_hang", content=content, hang_seconds=seconds)


class ProviderScript:
    """Queue, counters and fixed delay of one fake provider."""

    def __init__(self) -> None:
        self.queue: deque[Behaviour] = deque()
        self.requests: list[dict[str, Any]] = []
        self.answered = 0  # requests whose answer was sent (after their delay)
        self.fixed_delay_seconds = 0.0
        self.default_content = "ok"
        # Builds the answer (text or a Behaviour) from the request body when the queue is empty.
        self.responder: Callable[[dict[str, Any]], str | Behaviour] | None = None


def _word_tokens(text: str) -> int:
    return max(1, len(text.split())) if text else 0


def _prompt_tokens(body: dict[str, Any]) -> int:
    total = 0
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if isinstance(content, list):
            content = " ".join(str(part.get("text", "")) for part in content)
        total += _word_tokens(str(content)) + 3
    return total


def _tool_call_payload(call: ScriptedToolCall, index: int) -> dict[str, Any]:
    arguments = call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
    return {
        "index": index,
        "id": f"call_{uuid.uuid4().hex[:12]}",
        "type": "function",
        "function": {"name": call.name, "arguments": arguments},
    }


def _usage(behaviour: Behaviour, body: dict[str, Any]) -> dict[str, int]:
    prompt = behaviour.prompt_tokens
    if prompt is None:
        prompt = _prompt_tokens(body)
    completion = behaviour.completion_tokens
    if completion is None:
        args = "".join(
            c.arguments if isinstance(c.arguments, str) else json.dumps(c.arguments)
            for c in behaviour.tool_calls
        )
        completion = _word_tokens(behaviour.content) + _word_tokens(args)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion_body(behaviour: Behaviour, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": behaviour.content or None}
    finish = "stop"
    if behaviour.tool_calls:
        calls = [_tool_call_payload(c, i) for i, c in enumerate(behaviour.tool_calls)]
        message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in calls]
        finish = "tool_calls"
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": behaviour.model or body.get("model", "test-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": _usage(behaviour, body),
    }


def _chunk(body: dict[str, Any], chunk_id: str, delta: dict, finish: str | None = None) -> str:
    payload = {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n"


def _split_text(text: str) -> list[str]:
    """Split into word-sized pieces that keep their spaces."""
    pieces: list[str] = []
    for index, word in enumerate(text.split(" ")):
        pieces.append(word if index == 0 else " " + word)
    return [p for p in pieces if p]


async def _interruptible_sleep(seconds: float, stopping: threading.Event) -> None:
    """Sleep, but wake up early when the server is stopping (no dangling hangs)."""
    deadline = time.monotonic() + seconds
    while not stopping.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


async def _stream(
    behaviour: Behaviour, body: dict[str, Any], stopping: threading.Event
) -> AsyncIterator[str]:
    chunk_id = f"chatcmpl-{uuid.uuid4().hex[:16]}"
    yield _chunk(body, chunk_id, {"role": "assistant", "content": ""})
    pieces = _split_text(behaviour.content)
    if behaviour.kind == "stream_hang":
        for piece in pieces[: max(1, len(pieces) // 2)]:
            yield _chunk(body, chunk_id, {"content": piece})
        await _interruptible_sleep(behaviour.hang_seconds, stopping)
        return
    for piece in pieces:
        yield _chunk(body, chunk_id, {"content": piece})
        await _interruptible_sleep(behaviour.chunk_delay_seconds, stopping)
    for index, call in enumerate(behaviour.tool_calls):
        payload = _tool_call_payload(call, index)
        arguments = payload["function"]["arguments"]
        head = {**payload, "function": {"name": call.name, "arguments": ""}}
        yield _chunk(body, chunk_id, {"tool_calls": [head]})
        step = max(1, len(arguments) // 3)
        for start in range(0, len(arguments), step):
            part = {"index": index, "function": {"arguments": arguments[start : start + step]}}
            yield _chunk(body, chunk_id, {"tool_calls": [part]})
    finish = "tool_calls" if behaviour.tool_calls else "stop"
    yield _chunk(body, chunk_id, {}, finish)
    if (body.get("stream_options") or {}).get("include_usage"):
        usage_chunk = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "test-model"),
            "choices": [],
            "usage": _usage(behaviour, body),
        }
        yield f"data: {json.dumps(usage_chunk)}\n\n"
    yield "data: [DONE]\n\n"


class OpenAITestServer:
    """The fake server: scripting API in-process and over HTTP, run in a thread."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._scripts: dict[str, ProviderScript] = defaultdict(ProviderScript)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.app = self._build_app()

    # Scripting -------------------------------------------------------------------------------
    def script(self, provider: str, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests to `provider`."""
        with self._lock:
            self._scripts[provider].queue.extend(behaviours)

    def set_fixed_delay(self, provider: str, seconds: float) -> None:
        """Delay every answer of `provider` by `seconds` (benchmarks)."""
        with self._lock:
            self._scripts[provider].fixed_delay_seconds = seconds

    def set_default_content(self, provider: str, content: str | dict) -> None:
        """What `provider` answers when its queue is empty."""
        text = content if isinstance(content, str) else json.dumps(content)
        with self._lock:
            self._scripts[provider].default_content = text

    def set_responder(
        self, provider: str, responder: Callable[[dict[str, Any]], str | Behaviour]
    ) -> None:
        """Answer `provider`'s unscripted requests with `responder(request body)`."""
        with self._lock:
            self._scripts[provider].responder = responder

    def request_count(self, provider: str) -> int:
        with self._lock:
            return len(self._scripts[provider].requests)

    def answered_count(self, provider: str) -> int:
        """How many of `provider`'s requests have had their answer sent (the rest are out)."""
        with self._lock:
            return self._scripts[provider].answered

    def requests(self, provider: str) -> list[dict[str, Any]]:
        """Bodies of the requests `provider` received, oldest first."""
        with self._lock:
            return list(self._scripts[provider].requests)

    def reset(self) -> None:
        """Forget every queue, counter and delay."""
        with self._lock:
            self._scripts.clear()

    def base_url(self, provider: str) -> str:
        return f"http://{self.host}:{self.port}/p/{provider}/v1"

    def _next(self, provider: str, body: dict[str, Any]) -> tuple[Behaviour, float]:
        with self._lock:
            script = self._scripts[provider]
            script.requests.append(body)
            if script.queue:
                behaviour = script.queue.popleft()
            elif script.responder is not None:
                answer = script.responder(body)
                behaviour = (
                    answer
                    if isinstance(answer, Behaviour)
                    else Behaviour(kind="content", content=answer)
                )
            else:
                behaviour = Behaviour(kind="content", content=script.default_content)
            return behaviour, script.fixed_delay_seconds

    # HTTP ------------------------------------------------------------------------------------
    def _build_app(self) -> FastAPI:
        app = FastAPI(title="OpenAI test server")

        @app.post("/p/{provider}/v1/chat/completions")
        async def chat_completions(provider: str, request: Request) -> Response:
            body = await request.json()
            behaviour, fixed_delay = self._next(provider, body)
            delay = fixed_delay + behaviour.delay_seconds
            if delay:
                await _interruptible_sleep(delay, self._stopping)
            if behaviour.kind == "hang":
                await _interruptible_sleep(behaviour.hang_seconds, self._stopping)
            with self._lock:
                self._scripts[provider].answered += 1
            if behaviour.kind == "status":
                error = {"message": f"scripted {behaviour.status}", "type": "scripted"}
                return JSONResponse({"error": error}, status_code=behaviour.status)
            if behaviour.kind == "malformed":
                return Response('{"id": "broken", "choices": [', media_type="application/json")
            if body.get("stream"):
                return StreamingResponse(
                    _stream(behaviour, body, self._stopping), media_type="text/event-stream"
                )
            return JSONResponse(_completion_body(behaviour, body))

        @app.get("/p/{provider}/v1/models")
        async def models(provider: str) -> dict[str, Any]:
            data = [{"id": "test-model", "object": "model", "created": 0, "owned_by": provider}]
            return {"object": "list", "data": data}

        @app.post("/_script/{provider}")
        async def script(provider: str, behaviours: list[Behaviour]) -> dict[str, int]:
            self.script(provider, *behaviours)
            return {"queued": len(behaviours)}

        @app.get("/_requests/{provider}")
        async def received(provider: str) -> dict[str, int]:
            return {"count": self.request_count(provider)}

        @app.post("/_delay/{provider}")
        async def delay(provider: str, seconds: float) -> dict[str, float]:
            self.set_fixed_delay(provider, seconds)
            return {"fixed_delay_seconds": seconds}

        return app

    def start(self) -> OpenAITestServer:
        """Bind a free port and serve in a daemon thread; returns when ready."""
        # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets whose
        # proto says TCP, and accepted sockets copy it. Without it, an answer on a reused
        # connection waited ~40 ms for the client's delayed ACK (Nagle), which the report
        # benchmark counted as the engine's own time.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("OpenAI test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - manual use: python -m tests.support...
    server = OpenAITestServer().start()
    print(f"OpenAI test server on {server.base_url('default')}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
