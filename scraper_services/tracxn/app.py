"""tracxn_api: startups for keywords, ranked by similarity and Tracxn score."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse

from marketnav.settings import Settings, get_settings
from scraper_services.common.app_factory import (
    NDJSON_RESPONSE_DOC,
    RUN_RESPONSES,
    create_service_app,
    ndjson_response,
    require_valid_weights,
    run_to_completion,
    tracked_events,
    wants_ndjson,
)
from scraper_services.common.company_lookup import LookupResult, lookup_company, lookup_many
from scraper_services.common.contracts import ERROR_RESPONSES, ErrorResponse, LookupName, Website
from scraper_services.common.demo_catalogue import load_demo_companies
from scraper_services.common.service_context import ServiceContext, parse_trusted_proxies
from scraper_services.common.sources import CompanySource, DatasetSource, SourceError
from scraper_services.common.store import CompanyStore, store_url_for
from scraper_services.tracxn.full_data import record_from_demo
from scraper_services.tracxn.live_source import TracxnApiSource
from scraper_services.tracxn.schemas import (
    CompanyNamesRequest,
    ScrapeBatchWithRankRequest,
    ScrapeBatchWithRankResponse,
    ServiceInfo,
    StartupLookupResponse,
    StartupProfile,
    StartupsByNamesResponse,
)
from scraper_services.tracxn.search_flow import ScrapeWithRankRun

SERVICE = "tracxn"
DEFAULT_PORT = 8008
DESCRIPTION = """
Startups for a list of keywords, ranked by `similarity * similarity_weight +
(tracxn_score / 100) * score_weight`.

* Auth: header `X-Service-Token` on every endpoint but `/health` and the docs.
* Progress: send `Accept: application/x-ndjson` to `scrape-batch-api-with-rank` (or call its
  `/stream` path) for one JSON event per line: `search_started`, one `search_result` per
  keyword, `company_ranked` per top company, `top_selected`, then `result`.
* Source: every response carries `source` (`demo-dataset` unless configured live).
"""

LOOKUP_RESPONSES = {
    **ERROR_RESPONSES,
    400: {"model": ErrorResponse, "description": "Neither name, url nor reference given"},
    404: {"model": ErrorResponse, "description": "No such company"},
    502: {"model": ErrorResponse, "description": "Upstream failed, nothing stored"},
}


def demo_source() -> DatasetSource:
    return DatasetSource([record_from_demo(company) for company in load_demo_companies()])


def make_source(settings: Settings) -> CompanySource:
    if settings.tracxn_source == "live":
        return TracxnApiSource(
            settings.tracxn_api_key.get_secret_value(), settings.tracxn_live_base_url
        )
    if settings.tracxn_source == "dataset":
        return demo_source()
    raise ValueError(f"tracxn_source must be 'dataset' or 'live', not {settings.tracxn_source!r}")


def make_store(settings: Settings) -> CompanyStore:
    url = store_url_for(settings.tracxn_store_url, settings.var_dir, SERVICE)
    return CompanyStore(url, SERVICE)


def _profile(result: LookupResult) -> StartupProfile:
    record = result.record
    return StartupProfile(
        reference=record.key,
        name=record.name,
        url=record.url,
        website=record.website,
        description=record.description,
        tracxn_score=record.tracxn_score,
        categories=record.categories,
        full_data=record.details if isinstance(record.details, list) else [],
        fetched_at=record.fetched_at.isoformat(),
        fresh=result.fresh,
    )


def build_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["tracxn"])

    def start_run(body: ScrapeBatchWithRankRequest) -> ScrapeWithRankRun:
        require_valid_weights(
            body.similarity_weight, body.score_weight, ("similarity_weight", "score_weight")
        )
        context.require_catalogue()
        return ScrapeWithRankRun(context, body, body.request_id or uuid.uuid4().hex)

    @router.get("/", response_model=ServiceInfo, responses=ERROR_RESPONSES)
    async def root() -> ServiceInfo:
        """What this service is and where its docs are."""
        return ServiceInfo(service="tracxn_api", source=context.source.label, docs="/docs")

    @router.post(
        "/scrape-batch-api-with-rank",
        response_model=ScrapeBatchWithRankResponse,
        responses={**RUN_RESPONSES, 200: NDJSON_RESPONSE_DOC},
    )
    async def scrape_batch_api_with_rank(body: ScrapeBatchWithRankRequest, request: Request):
        """Search every keyword, rank all startups found, return the top ones with full data.

        With `Accept: application/x-ndjson` the answer is streamed as progress events."""
        run = start_run(body)
        if wants_ndjson(request):
            return ndjson_response(tracked_events(context, run.request_id, run.events()))
        await run_to_completion(context, run.request_id, run.events(with_result=False))
        assert run.response is not None
        return Response(run.response.model_dump_json(), media_type="application/json")

    @router.post(
        "/scrape-batch-api-with-rank/stream",
        response_class=StreamingResponse,
        responses={**RUN_RESPONSES, 200: NDJSON_RESPONSE_DOC},
    )
    async def scrape_batch_api_with_rank_stream(
        body: ScrapeBatchWithRankRequest,
    ) -> StreamingResponse:
        """The same search, always streamed as NDJSON progress events (last one: `result`)."""
        run = start_run(body)
        return ndjson_response(tracked_events(context, run.request_id, run.events()))

    @router.get(
        "/companies/lookup", response_model=StartupLookupResponse, responses=LOOKUP_RESPONSES
    )
    async def lookup(
        name: Annotated[LookupName | None, Query()] = None,
        url: Annotated[Website | None, Query()] = None,
        reference: Annotated[
            Website | None, Query(description="/a/d/company/<id>/<domain>")
        ] = None,
        freshness_days: int = Query(180, ge=0, le=365),
    ) -> StartupLookupResponse:
        """One company by name, website, or Tracxn reference (`/a/d/company/<id>/<domain>`)."""
        link = (reference or "").strip() or (url or "").strip() or None
        label = (name or "").strip() or None
        if not link and not label:
            raise HTTPException(status_code=400, detail="Give a company name, url or reference")
        try:
            found = await lookup_company(context, label, link, freshness_days)
        except SourceError as exc:
            raise HTTPException(status_code=502, detail=str(exc)) from exc
        if found is None:
            raise HTTPException(status_code=404, detail=f"No company found for {label or link!r}")
        return StartupLookupResponse(company=_profile(found), source=context.source.label)

    @router.post(
        "/companies/by-names",
        response_model=StartupsByNamesResponse,
        responses={
            **ERROR_RESPONSES,
            502: {"model": ErrorResponse, "description": "Upstream failed"},
        },
    )
    async def by_names(body: CompanyNamesRequest) -> StartupsByNamesResponse:
        """Several companies by name; unknown names are listed in `not_found`."""
        try:
            found, missing = await lookup_many(context, body.company_names, body.freshness_days)
        except SourceError as exc:
            raise HTTPException(status_code=502, detail=str(exc)) from exc
        return StartupsByNamesResponse(
            companies=[_profile(r) for r in found], not_found=missing, source=context.source.label
        )

    return router


def create_app(
    settings: Settings | None = None,
    *,
    source: CompanySource | None = None,
    store: CompanyStore | None = None,
    rate_limit_per_minute: int | None = None,
) -> FastAPI:
    """The tracxn_api app; arguments override what settings would choose (tests, bench)."""
    settings = settings or get_settings()
    context = ServiceContext(
        name=SERVICE,
        source=source or make_source(settings),
        store=store or make_store(settings),
        token=settings.service_token,
        similarity_backend=settings.similarity_backend,
        rate_limit_per_minute=rate_limit_per_minute or settings.scraper_rate_limit_per_minute,
        trusted_proxies=parse_trusted_proxies(settings.scraper_trusted_proxies),
    )
    return create_service_app(
        context, title="MarketNavigator tracxn_api", description=DESCRIPTION,
        routers=[build_router(context)], record_builder=record_from_demo,
    )  # fmt: skip
