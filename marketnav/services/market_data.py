"""Async client for the market-data services (crunchbase_api :8003, tracxn_api :8008).

One pooled httpx client per service, the service token from settings, timeouts, and tenacity
retries on connection failures, 429 and 502/503/504. Answers are the services' own pydantic
models. `stream_crunchbase` / `stream_tracxn` yield per-keyword progress (`ProgressEvent`) as
the service sends it (NDJSON) and end with the typed response.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from marketnav.services.http_tls import verified_tls_context
from marketnav.settings import get_settings
from scraper_services.common.contracts import (
    NDJSON_MEDIA_TYPE,
    CancelResponse,
    HealthResponse,
    ImportBatchRequest,
    ImportBatchResponse,
    OrganizationDataResponse,
    ProgressEvent,
)
from scraper_services.crunchbase.schemas import (
    BatchRequest,
    BatchResponse,
    CompanyLookupResponse,
    TopSimilarWithRankRequest,
    TopSimilarWithRankResponse,
)
from scraper_services.tracxn.schemas import (
    ScrapeBatchWithRankRequest,
    ScrapeBatchWithRankResponse,
    StartupLookupResponse,
)

Service = Literal["crunchbase", "tracxn"]
SERVICES: tuple[Service, ...] = ("crunchbase", "tracxn")
Model = TypeVar("Model", bound=BaseModel)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
CRUNCHBASE_SEARCH = "/search/crunchbase/top-similar-with-rank"
TRACXN_SEARCH = "/scrape-batch-api-with-rank"


class MarketDataError(RuntimeError):
    """A service answered with an error (or a stream ended with an `error` event)."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class MarketDataCancelled(MarketDataError):
    """The search was cancelled through `cancel()`."""


class _Retryable(Exception):
    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _error(response: httpx.Response) -> MarketDataError:
    try:
        detail: Any = response.json().get("message") or response.json().get("detail")
    except ValueError:
        detail = response.text[:300]
    return MarketDataError(f"{response.request.url.path}: {detail}", response.status_code)


class MarketDataClient:
    """Use as `async with MarketDataClient() as client: ...` (or call `aclose()`)."""

    def __init__(
        self,
        crunchbase_url: str | None = None,
        tracxn_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 120.0,
        attempts: int = 3,
        backoff_initial: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        settings = get_settings()
        headers = {"X-Service-Token": token or settings.service_token}
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
        timeouts = httpx.Timeout(timeout, connect=5.0)
        self._clients = {
            name: httpx.AsyncClient(
                base_url=url,
                headers=headers,
                timeout=timeouts,
                limits=limits,
                verify=verified_tls_context(),
                transport=transport,
            )
            for name, url in (
                ("crunchbase", crunchbase_url or settings.crunchbase_api_url),
                ("tracxn", tracxn_url or settings.tracxn_api_url),
            )
        }
        self._attempts = attempts
        self._wait = wait_exponential(multiplier=backoff_initial, max=10.0)

    async def __aenter__(self) -> MarketDataClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            reraise=True,
        )

    async def _request(
        self, service: Service, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        try:
            async for attempt in self._retrying():
                with attempt:
                    response = await self._clients[service].request(method, path, **kwargs)
                    if response.status_code in RETRY_STATUSES:
                        raise _Retryable(response)
                    return response
        except _Retryable as exc:
            raise _error(exc.response) from exc
        except httpx.TransportError as exc:
            raise MarketDataError(f"{service} service unreachable: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call(
        self, service: Service, method: str, path: str, model: type[Model], **kwargs: Any
    ) -> Model:
        response = await self._request(service, method, path, **kwargs)
        if response.status_code >= 400:
            raise _error(response)
        return model.model_validate_json(response.content)

    # -- health and cancellation -------------------------------------------------------------

    async def health(self, service: Service) -> HealthResponse:
        response = await self._request(service, "GET", "/health")
        if response.status_code not in (200, 503):
            raise _error(response)
        return HealthResponse.model_validate_json(response.content)

    async def cancel(self, service: Service, request_id: str) -> CancelResponse:
        return await self._call(service, "POST", f"/cancel/{request_id}", CancelResponse)

    # -- crunchbase --------------------------------------------------------------------------

    async def search_crunchbase(
        self, request: TopSimilarWithRankRequest
    ) -> TopSimilarWithRankResponse:
        body = request.model_dump(mode="json", exclude_none=True)
        return await self._call(
            "crunchbase", "POST", CRUNCHBASE_SEARCH, TopSimilarWithRankResponse, json=body
        )

    def stream_crunchbase(
        self, request: TopSimilarWithRankRequest
    ) -> AsyncIterator[ProgressEvent | TopSimilarWithRankResponse]:
        """Per-keyword progress events, then the response (last item)."""
        body = request.model_dump(mode="json", exclude_none=True)
        return self._stream("crunchbase", CRUNCHBASE_SEARCH, body, TopSimilarWithRankResponse)

    async def crunchbase_batch(self, request: BatchRequest) -> BatchResponse:
        body = request.model_dump(mode="json")
        return await self._call(
            "crunchbase", "POST", "/search/crunchbase/batch", BatchResponse, json=body
        )

    async def crunchbase_company(
        self, *, name: str | None = None, url: str | None = None, days_threshold: int = 15
    ) -> CompanyLookupResponse | None:
        """One company by name or URL; None when the service knows none."""
        params = {k: v for k, v in (("name", name), ("url", url)) if v}
        return await self._lookup(
            "crunchbase", {**params, "days_threshold": days_threshold}, CompanyLookupResponse
        )

    # -- tracxn ------------------------------------------------------------------------------

    async def search_tracxn(
        self, request: ScrapeBatchWithRankRequest
    ) -> ScrapeBatchWithRankResponse:
        body = request.model_dump(mode="json", exclude_none=True)
        return await self._call(
            "tracxn", "POST", TRACXN_SEARCH, ScrapeBatchWithRankResponse, json=body
        )

    def stream_tracxn(
        self, request: ScrapeBatchWithRankRequest
    ) -> AsyncIterator[ProgressEvent | ScrapeBatchWithRankResponse]:
        """Per-keyword progress events, then the response (last item)."""
        body = request.model_dump(mode="json", exclude_none=True)
        return self._stream("tracxn", TRACXN_SEARCH, body, ScrapeBatchWithRankResponse)

    async def tracxn_company(
        self,
        *,
        name: str | None = None,
        url: str | None = None,
        reference: str | None = None,
        freshness_days: int = 180,
    ) -> StartupLookupResponse | None:
        params = {k: v for k, v in (("name", name), ("url", url), ("reference", reference)) if v}
        return await self._lookup(
            "tracxn", {**params, "freshness_days": freshness_days}, StartupLookupResponse
        )

    # -- an organisation's own companies (both services keep them) --------------------------

    async def import_batch(
        self, service: Service, batch: ImportBatchRequest
    ) -> ImportBatchResponse:
        """One batch of imported companies; they are searchable when this returns."""
        body = batch.model_dump(mode="json", exclude_none=True)
        return await self._call(
            service, "POST", "/companies/import", ImportBatchResponse, json=body
        )

    async def organization_companies(
        self, service: Service, organization_id: int
    ) -> OrganizationDataResponse:
        path = f"/organizations/{organization_id}/companies"
        return await self._call(service, "GET", path, OrganizationDataResponse)

    async def delete_organization_companies(
        self, service: Service, organization_id: int
    ) -> OrganizationDataResponse:
        path = f"/organizations/{organization_id}/companies"
        return await self._call(service, "DELETE", path, OrganizationDataResponse)

    # -- shared ------------------------------------------------------------------------------

    async def _lookup(
        self, service: Service, params: dict[str, Any], model: type[Model]
    ) -> Model | None:
        response = await self._request(service, "GET", "/companies/lookup", params=params)
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise _error(response)
        return model.model_validate_json(response.content)

    async def _stream(
        self, service: Service, path: str, body: dict[str, Any], model: type[Model]
    ) -> AsyncIterator[ProgressEvent | Model]:
        client = self._clients[service]
        headers = {"Accept": NDJSON_MEDIA_TYPE}
        try:
            async for attempt in self._retrying():  # retries only until the stream is open
                with attempt:
                    request = client.build_request("POST", path, json=body, headers=headers)
                    response = await client.send(request, stream=True)
                    if response.status_code in RETRY_STATUSES:
                        await response.aread()
                        await response.aclose()
                        raise _Retryable(response)
        except _Retryable as exc:
            raise _error(exc.response) from exc
        except httpx.TransportError as exc:
            raise MarketDataError(f"{service} service unreachable: {exc}") from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                raise _error(response)
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                event = ProgressEvent.model_validate(json.loads(line))
                if event.event == "result" and event.data is not None:
                    yield model.model_validate(event.data)
                    return
                if event.event == "cancelled":
                    raise MarketDataCancelled(event.message, 409)
                if event.event == "error":
                    raise MarketDataError(event.message, event.status_code)
                yield event
            raise MarketDataError(f"{service}: stream ended without a result")
        finally:
            await response.aclose()
