"""The FastAPI app factory both services use: lifespan, guards, errors, health, cancel, NDJSON.

Open without a token: `/health`, `/docs`, `/openapi.json`. Everything else goes through the
service-token guard and the per-caller rate limit. Validation problems answer 422 with the
usual `detail` list plus a one-line `message`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from scraper_services.common.company_imports import (
    RecordBuilder,
    delete_organization,
    import_batch,
)
from scraper_services.common.contracts import (
    ERROR_RESPONSES,
    NDJSON_MEDIA_TYPE,
    CancelResponse,
    ErrorResponse,
    HealthResponse,
    ImportBatchRequest,
    ImportBatchResponse,
    OrganizationDataResponse,
    ProgressEvent,
)
from scraper_services.common.guards import BodySizeLimitMiddleware, RateLimiter, service_guard
from scraper_services.common.keyword_collection import Cancelled
from scraper_services.common.ranking import weight_error
from scraper_services.common.service_context import ServiceContext

log = logging.getLogger(__name__)


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    return f"{location}: {error.get('msg', 'invalid')}"


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    issues = [
        {
            "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    message = "; ".join(_describe(error) for error in exc.errors()) or "Invalid request"
    return JSONResponse(status_code=422, content={"detail": issues, "message": message})


def wants_ndjson(request: Request) -> bool:
    return NDJSON_MEDIA_TYPE in request.headers.get("accept", "")


def ndjson_response(events: AsyncIterator[ProgressEvent]) -> StreamingResponse:
    """Streams events one JSON object per line; a failure becomes a final `error` line."""

    async def lines() -> AsyncIterator[bytes]:
        try:
            async for event in events:
                yield event.model_dump_json(exclude_none=True).encode() + b"\n"
        except Exception as exc:  # the status line is gone: report in-band
            log.exception("stream failed")
            status = getattr(exc, "status_code", 500)
            detail = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
            error = {"event": "error", "type": "error", "status_code": status, "message": detail}
            yield json.dumps(error).encode() + b"\n"

    return StreamingResponse(
        lines(), media_type=NDJSON_MEDIA_TYPE, headers={"Cache-Control": "no-store"}
    )


NDJSON_RESPONSE_DOC = {
    "description": "Progress events, one JSON object per line (see `ProgressEvent`)",
    "content": {NDJSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProgressEvent"}}},
}


def create_service_app(
    context: ServiceContext,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    record_builder: RecordBuilder,
    extra_models: Sequence[type[BaseModel]] = (ProgressEvent,),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await context.start()
        try:
            yield
        finally:
            await context.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.context = context
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=context.max_body_bytes,
        larger={"/companies/import": IMPORT_BODY_BYTES},
    )
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]

    @app.get(
        "/health",
        response_model=HealthResponse,
        tags=["health"],
        responses={503: {"model": HealthResponse, "description": "Store or model not ready"}},
    )
    async def health() -> JSONResponse:
        """Service status, its data source and its store (no token needed)."""
        healthy, body = await context.health()
        return JSONResponse(status_code=200 if healthy else 503, content=body)

    guard = service_guard(context.token, RateLimiter(context.rate_limit_per_minute))
    cancel_router = APIRouter(tags=["requests"])

    @cancel_router.post(
        "/cancel/{request_id}", response_model=CancelResponse, responses=ERROR_RESPONSES
    )
    async def cancel(
        request_id: str = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$"),
    ) -> CancelResponse:
        """Ask a running search to stop; it stops before its next keyword."""
        found = context.cancellations.cancel(request_id)
        return CancelResponse(status="cancelled" if found else "not_found", request_id=request_id)

    for router in [*routers, cancel_router, _organization_data_router(context, record_builder)]:
        app.include_router(router, dependencies=[Depends(guard)])

    original_openapi = app.openapi

    def openapi_with_extra_models() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original_openapi()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in extra_models:
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in model_schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components.setdefault(model.__name__, model_schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi_with_extra_models  # type: ignore[method-assign]
    return app


IMPORT_BODY_BYTES = 4 * 1024 * 1024


def _organization_data_router(context: ServiceContext, build: RecordBuilder) -> APIRouter:
    """An organisation's imported companies: add a batch, count, delete (organisation gone)."""
    router = APIRouter(tags=["organisation data"])
    organization = Path(ge=1, le=2**31 - 1)

    @router.post("/companies/import", response_model=ImportBatchResponse, responses=RUN_RESPONSES)
    async def import_companies(body: ImportBatchRequest) -> ImportBatchResponse:
        """Store and index one batch of an organisation's companies; searchable on return."""
        context.require_catalogue()
        return await asyncio.to_thread(import_batch, context, body, build)

    @router.get(
        "/organizations/{organization_id}/companies",
        response_model=OrganizationDataResponse,
        responses=ERROR_RESPONSES,
    )
    async def organization_companies(organization_id: int = organization) -> dict:
        """How many companies the organisation has imported."""
        count = await asyncio.to_thread(context.store.count_owner, organization_id)
        return {"organization_id": organization_id, "companies": count}

    @router.delete(
        "/organizations/{organization_id}/companies",
        response_model=OrganizationDataResponse,
        responses=ERROR_RESPONSES,
    )
    async def delete_organization_companies(organization_id: int = organization) -> dict:
        """Delete everything the organisation imported (it was deleted)."""
        deleted = await asyncio.to_thread(delete_organization, context, organization_id)
        return {"organization_id": organization_id, "companies": 0, "deleted": deleted}

    @router.api_route(
        "/organizations/{organization_id}/companies",
        methods=["OPTIONS", "POST", "PUT", "PATCH"],
        include_in_schema=False,
    )
    async def organization_companies_other_methods() -> JSONResponse:
        """405 naming both methods (Starlette's own 405 names only the first route's)."""
        return JSONResponse(
            status_code=405,
            content={"detail": "Method Not Allowed"},
            headers={"Allow": "GET, DELETE"},
        )

    return router


def require_valid_weights(first: float, second: float, names: tuple[str, str]) -> None:
    """400 unless both weights are in 0..1 and sum to 1 (±0.001)."""
    problem = weight_error(first, second, *names)
    if problem:
        raise HTTPException(status_code=400, detail=problem)


async def tracked_events(
    context: ServiceContext, request_id: str, events: AsyncIterator[ProgressEvent]
) -> AsyncIterator[ProgressEvent]:
    """Registers the run for cancellation; a cancellation ends the stream with `cancelled`."""
    context.cancellations.begin(request_id)
    try:
        async for event in events:
            yield event
    except Cancelled:
        yield ProgressEvent(
            event="cancelled",
            type="cancelled",
            message=f"Request {request_id} was cancelled",
            request_id=request_id,
            status_code=409,
        )
    finally:
        context.cancellations.finish(request_id)


async def run_to_completion(
    context: ServiceContext, request_id: str, events: AsyncIterator[ProgressEvent]
) -> None:
    """Drains a run without streaming; a cancellation becomes 409."""
    async for event in tracked_events(context, request_id, events):
        if event.event == "cancelled":
            raise HTTPException(status_code=409, detail=event.message)


RUN_RESPONSES: dict[int | str, dict] = {
    **ERROR_RESPONSES,
    400: {"model": ErrorResponse, "description": "Weights out of 0..1 or not summing to 1"},
    409: {"model": ErrorResponse, "description": "Cancelled through POST /cancel/{request_id}"},
    503: {"model": ErrorResponse, "description": "Similarity model unavailable"},
}
