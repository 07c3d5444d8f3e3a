"""Request guards shared by the services: service-token auth, per-caller rate limit, body size.

- Auth: header `X-Service-Token: <settings.service_token>` (or `Authorization: Bearer <token>`);
  anything else is 401. Compared in constant time.
- Rate limit: a sliding 60-second window per caller (client address + token fingerprint);
  over the limit is 429 with `Retry-After`.
- Body size: request bodies over the limit are refused with 413 before any parsing.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SERVICE_TOKEN_HEADER = "X-Service-Token"
token_header = APIKeyHeader(
    name=SERVICE_TOKEN_HEADER,
    auto_error=False,
    description="The shared service token (`settings.service_token`).",
)


def presented_token(request: Request, header_value: str | None) -> str | None:
    if header_value:
        return header_value
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class RateLimiter:
    """Sliding-window limiter: at most `limit` requests per `window` seconds per caller."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit, self.window, self._clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, caller: str) -> float | None:
        """None when allowed (and counted), else seconds until the next request is allowed."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(caller, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(self.window - (now - hits[0]), 0.0)
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle callers
                idle = [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]
                for key in idle:
                    del self._hits[key]
            return None


def service_guard(token: str, limiter: RateLimiter):
    """A FastAPI dependency enforcing the token, then the caller's rate limit."""
    expected = token.encode()

    async def guard(request: Request, header_value: str | None = Security(token_header)) -> str:
        presented = presented_token(request, header_value)
        if not presented or not hmac.compare_digest(presented.encode(), expected):
            raise HTTPException(
                status_code=401,
                detail=f"Missing or invalid service token: send the {SERVICE_TOKEN_HEADER} header",
                headers={"WWW-Authenticate": f'ApiKey header="{SERVICE_TOKEN_HEADER}"'},
            )
        fingerprint = hashlib.sha256(presented.encode()).hexdigest()[:12]
        caller = f"{request.client.host if request.client else 'unknown'}:{fingerprint}"
        wait = limiter.check(caller)
        if wait is not None:
            raise HTTPException(
                status_code=429,
                detail=f"Rate limit of {limiter.limit} requests per minute exceeded",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return caller

    return guard


class BodySizeLimitMiddleware:
    """Refuses request bodies larger than `max_bytes` with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None):
        self.app, self.default_max_bytes = app, max_bytes
        self.larger = larger or {}  # path prefix -> limit (company imports come in batches)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next(
            (limit for prefix, limit in self.larger.items() if path.startswith(prefix)),
            self.default_max_bytes,
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, limit: int) -> None:
        detail = f'{{"detail":"Request body larger than {limit} bytes"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(detail)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": detail})
