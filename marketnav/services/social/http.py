"""One JSON GET with retries, shared by the live social sources.

429 and 5xx answers and transport errors are retried (tenacity) with exponential backoff; a
`Retry-After` (seconds or an HTTP date) or `x-ratelimit-reset` (seconds, Reddit) header sets the
wait instead, capped at `max_wait` seconds. Every failure becomes a `SocialDataError` whose
message names the service and the HTTP status, never a key or a token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from marketnav.services.http_tls import verified_tls_context
from marketnav.services.social.models import SocialDataError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RetryableResponse(Exception):
    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """The wait a 429/503 asks for: `Retry-After` (seconds or date) or `x-ratelimit-reset`."""
    for header in ("retry-after", "x-ratelimit-reset"):
        value = (response.headers.get(header) or "").strip()
        if not value:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return None


class ServerWait:
    """Tenacity wait: the server's Retry-After when it gives one (capped), else exponential."""

    def __init__(self, backoff_initial: float, max_wait: float):
        self._exponential = wait_exponential(multiplier=backoff_initial, max=max_wait)
        self._max_wait = max_wait

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableResponse):
            asked = retry_after_seconds(error.response)
            if asked is not None:
                return min(asked, self._max_wait)
        return self._exponential(state)


class JsonClient:
    """GETs JSON from one service with retries; `name` is how errors name the service."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff_initial: float = 1.0,
        max_wait: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        auth_message: Callable[[int], str] | None = None,
    ):
        self.name = name
        self._base_url = base_url.rstrip("/")
        self._headers = headers or {}
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._attempts = max(1, attempts)
        self._wait = ServerWait(backoff_initial, max_wait)
        self._transport = transport
        self._auth_message = auth_message or (
            lambda status: f"{name} refused the request (HTTP {status})."
        )

    def session(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._base_url,
            headers={**self._headers, **(headers or {})},
            timeout=self._timeout,
            verify=verified_tls_context(),
            transport=self._transport,
        )

    async def get_json(
        self, client: httpx.AsyncClient, path: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self.request_json(client, "GET", path, params=params)

    async def request_json(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        """One request, retried on 429/5xx/transport errors; the JSON object it answers."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type((RetryableResponse, httpx.TransportError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await client.request(method, path, params=params, json=json)
                    if response.status_code in RETRY_STATUSES:
                        raise RetryableResponse(response)
        except RetryableResponse as err:
            status = err.response.status_code
            what = "kept rate-limiting the search" if status == 429 else "kept failing"
            raise SocialDataError(
                f"{self.name} {what} (HTTP {status} after {self._attempts} attempts); "
                "try again later.",
                status,
            ) from err
        except httpx.TransportError as err:
            raise SocialDataError(f"{self.name} is unreachable ({type(err).__name__}).") from err
        status = response.status_code
        if status in (401, 403):
            raise SocialDataError(self._auth_message(status), status)
        if status >= 400:
            raise SocialDataError(f"{self.name} answered HTTP {status}.", status)
        try:
            body = response.json()
        except ValueError as err:
            raise SocialDataError(f"{self.name} answered with invalid JSON.", status) from err
        if not isinstance(body, dict):
            raise SocialDataError(f"{self.name} answered with an unexpected shape.", status)
        return body


def as_int(value: Any) -> int:
    """An engagement count from JSON (missing or null is 0)."""
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def parse_datetime(value: Any) -> datetime | None:
    """A post date from ISO text, a Twitter-style date, or epoch seconds (UTC)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    for parse in (
        lambda v: datetime.strptime(v, "%a %b %d %H:%M:%S %z %Y"),
        lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")),
    ):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
