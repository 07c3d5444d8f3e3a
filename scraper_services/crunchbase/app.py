"""crunchbase_api: competitors and funding data, ranked by similarity and Crunchbase rank."""

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
from scraper_services.common.contracts import (
    ERROR_RESPONSES,
    ErrorResponse,
    Keyword,
    LookupName,
    Website,
)
from scraper_services.common.demo_catalogue import load_demo_companies
from scraper_services.common.records import CompanyRecord
from scraper_services.common.service_context import ServiceContext, parse_trusted_proxies
from scraper_services.common.sources import CompanySource, DatasetSource, SourceError
from scraper_services.common.store import CompanyStore, store_url_for
from scraper_services.crunchbase.company_data import record_from_demo
from scraper_services.crunchbase.live_source import CrunchbaseApiSource
from scraper_services.crunchbase.schemas import (
    BatchRequest,
    BatchResponse,
    CompaniesByNamesResponse,
    CompanyLookupResponse,
    CompanyNamesRequest,
    CompanyProfile,
    HashtagSearchResponse,
    TopSimilarWithRankRequest,
    TopSimilarWithRankResponse,
)
from scraper_services.crunchbase.search_flow import SearchWithRankRun, run_batch

SERVICE = "crunchbase"
DEFAULT_PORT = 8003
DESCRIPTION = """
Companies for a list of keywords, ranked by `similarity * similarity_weight +
rank_score * rank_weight` where `rank_score = 1 - (cb_rank - min)/(max - min)`.

* Auth: header `X-Service-Token` (the platform's shared service token) on every endpoint but
  `/health` and the docs.
* Progress: send `Accept: application/x-ndjson` to `top-similar-with-rank` (or call its
  `/stream` path) to receive one JSON event per line: `search_started`, one `search_result` per
  keyword, `sorting_start`, `company_rank` per top company, then `result` with the full response.
* Source: every response carries `source` (`demo-dataset` unless configured live).
"""


def demo_source() -> DatasetSource:
    return DatasetSource([record_from_demo(company) for company in load_demo_companies()])


def make_source(settings: Settings) -> CompanySource:
    if settings.crunchbase_source == "live":
        return CrunchbaseApiSource(
            settings.crunchbase_api_key.get_secret_value(), settings.crunchbase_live_base_url
        )
    if settings.crunchbase_source == "dataset":
        return demo_source()
    raise ValueError(
        f"crunchbase_source must be 'dataset' or 'live', not {settings.crunchbase_source!r}"
    )


def make_store(settings: Settings) -> CompanyStore:
    return CompanyStore(
        store_url_for(settings.crunchbase_store_url, settings.var_dir, SERVICE), SERVICE
    )


def _profile(result: LookupResult) -> CompanyProfile:
    record: CompanyRecord = result.record
    return CompanyProfile(
        name=record.name,
        url=record.url,
        website=record.website,
        description=record.description,
        cb_rank=record.cb_rank,
        categories=record.categories,
        company_data=record.details if isinstance(record.details, dict) else {},
        fetched_at=record.fetched_at.isoformat(),
        fresh=result.fresh,
    )


def build_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["crunchbase"])

    def start_run(body: TopSimilarWithRankRequest) -> SearchWithRankRun:
        require_valid_weights(
            body.similarity_weight, body.rank_weight, ("similarity_weight", "rank_weight")
        )
        context.require_catalogue()
        return SearchWithRankRun(context, body, body.request_id or uuid.uuid4().hex)

    @router.post(
        "/search/crunchbase/top-similar-with-rank",
        response_model=TopSimilarWithRankResponse,
        responses={**RUN_RESPONSES, 200: NDJSON_RESPONSE_DOC},
    )
    async def top_similar_with_rank(body: TopSimilarWithRankRequest, request: Request):
        """Search every keyword, rank all companies found, return the top ones with full data.

        With `Accept: application/x-ndjson` the answer is streamed as progress events."""
        run = start_run(body)
        if wants_ndjson(request):
            return ndjson_response(tracked_events(context, run.request_id, run.events()))
        await run_to_completion(context, run.request_id, run.events(with_result=False))
        assert run.response is not None
        return Response(run.response.model_dump_json(), media_type="application/json")

    @router.post(
        "/search/crunchbase/top-similar-with-rank/stream",
        response_class=StreamingResponse,
        responses={**RUN_RESPONSES, 200: NDJSON_RESPONSE_DOC},
    )
    async def top_similar_with_rank_stream(body: TopSimilarWithRankRequest) -> StreamingResponse:
        """The same search, always streamed as NDJSON progress events (last one: `result`)."""
        run = start_run(body)
        return ndjson_response(tracked_events(context, run.request_id, run.events()))

    @router.post(
        "/search/crunchbase/batch", response_model=BatchResponse, responses=ERROR_RESPONSES
    )
    async def batch(body: BatchRequest) -> BatchResponse:
        """Companies per keyword (no ranking), with a summary."""
        return await run_batch(context, body)

    @router.get(
        "/search/crunchbase", response_model=HashtagSearchResponse, responses=ERROR_RESPONSES
    )
    async def search_one(
        hashtag: Annotated[Keyword, Query(description="One keyword")],
        num_companies: int = Query(5, ge=1, le=100),
        days_threshold: int = Query(15, ge=0, le=3650),
    ) -> HashtagSearchResponse:
        """Companies for one keyword (the predecessor's GET search)."""
        body = BatchRequest(
            keywords=[hashtag], num_companies=num_companies, days_threshold=days_threshold
        )
        result = await run_batch(context, body)
        return HashtagSearchResponse(data=result.results[0].companies, source=context.source.label)

    @router.get(
        "/companies/lookup",
        response_model=CompanyLookupResponse,
        responses={
            **ERROR_RESPONSES,
            400: {"model": ErrorResponse, "description": "Neither name nor url given"},
            404: {"model": ErrorResponse, "description": "No such company"},
            502: {"model": ErrorResponse, "description": "Upstream failed, nothing stored"},
        },
    )
    async def lookup(
        name: Annotated[LookupName | None, Query()] = None,
        url: Annotated[Website | None, Query()] = None,
        days_threshold: int = Query(15, ge=0, le=3650),
    ) -> CompanyLookupResponse:
        """One company by name or by website / Crunchbase profile URL."""
        if not (name and name.strip()) and not (url and url.strip()):
            raise HTTPException(status_code=400, detail="Give a company name or url")
        try:
            found = await lookup_company(context, name, url, days_threshold)
        except SourceError as exc:
            raise HTTPException(status_code=502, detail=str(exc)) from exc
        if found is None:
            raise HTTPException(status_code=404, detail=f"No company found for {name or url!r}")
        return CompanyLookupResponse(company=_profile(found), source=context.source.label)

    @router.post(
        "/companies/by-names",
        response_model=CompaniesByNamesResponse,
        responses={
            **ERROR_RESPONSES,
            502: {"model": ErrorResponse, "description": "Upstream failed"},
        },
    )
    async def by_names(body: CompanyNamesRequest) -> CompaniesByNamesResponse:
        """Several companies by name; unknown names are listed in `not_found`."""
        try:
            found, missing = await lookup_many(context, body.company_names, body.days_threshold)
        except SourceError as exc:
            raise HTTPException(status_code=502, detail=str(exc)) from exc
        return CompaniesByNamesResponse(
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
    """The crunchbase_api app; arguments override what settings would choose (tests, bench)."""
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
        context, title="MarketNavigator crunchbase_api", description=DESCRIPTION,
        routers=[build_router(context)], record_builder=record_from_demo,
    )  # fmt: skip
