"""HTTP client for the official upstream APIs: timeouts, retries with backoff, circuit breaker.

Retries (tenacity) cover transport errors, 429 and 5xx, honouring `Retry-After` up to the
backoff ceiling. After `failure_threshold` consecutive failed calls the circuit opens and calls
fail fast with `CircuitOpen` for `reset_seconds`; then one trial call is let through
(half-open) and its outcome closes or re-opens the circuit. A 404 is an answer (None), other
4xx are errors that neither retry nor trip the breaker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from scraper_services.common.sources import SourceError


class CircuitOpen(SourceError):
    """The upstream failed repeatedly; calls are refused until the reset time."""


class UpstreamHTTPError(SourceError):
    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response):
        super().__init__(f"upstream answered {response.status_code}")
        self.response = response

    @property
    def retry_after(self) -> float | None:
        value = self.response.headers.get("retry-after", "")
        try:
            return max(float(value), 0.0)
        except ValueError:
            return None


class CircuitBreaker:
    """closed -> (N consecutive failures) -> open -> (reset time) -> half-open -> closed/open."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_seconds:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half-open" and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._failures, self._opened_at, self._trial_running = 0, None, False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._trial_running = False


class UpstreamClient:
    """Pooled async JSON client for one upstream API."""

    def __init__(
        self,
        name: str,
        base_url: str,
        headers: dict[str, str],
        *,
        timeout: float = 15.0,
        attempts: int = 4,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.name = name
        self.breaker = breaker or CircuitBreaker()
        self._attempts = attempts
        self._backoff = wait_exponential(multiplier=backoff_initial, max=backoff_max)
        self._backoff_max = backoff_max
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={"Accept": "application/json", **headers},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            transport=transport,
        )

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableStatus) and error.retry_after is not None:
            return min(error.retry_after, self._backoff_max)
        return self._backoff(state)

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """The decoded JSON answer, or None on 404."""
        if not self.breaker.allow():
            raise CircuitOpen(f"{self.name}: circuit open after repeated upstream failures")
        try:
            response = await self._send_with_retries(method, path.lstrip("/"), params, json)
        except _RetryableStatus as exc:
            self.breaker.record_failure()
            raise UpstreamHTTPError(
                f"{self.name}: {exc} after {self._attempts} attempts", exc.response.status_code
            ) from exc
        except httpx.HTTPError as exc:
            self.breaker.record_failure()
            raise UpstreamHTTPError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        self.breaker.record_success()
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise UpstreamHTTPError(
                f"{self.name}: upstream answered {response.status_code}", response.status_code
            )
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamHTTPError(f"{self.name}: upstream sent invalid JSON") from exc

    async def _send_with_retries(
        self, method: str, path: str, params: dict[str, Any] | None, body: Any
    ) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type((_RetryableStatus, httpx.TransportError)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                response = await self._client.request(method, path, params=params, json=body)
                if response.status_code == 429 or response.status_code >= 500:
                    raise _RetryableStatus(response)
                return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        await self._client.aclose()
