"""Payload models shared by both services (health, cancel, errors, progress events)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

NDJSON_MEDIA_TYPE = "application/x-ndjson"


def _json_number(value: Any) -> Any:
    """JSON numbers only: no booleans, no numeric strings (pydantic's lax mode takes both)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number")
    return value


# Field types shared by both services' requests. Text must contain a non-blank character.
Keyword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S")
]
CompanyNames = Annotated[list[Keyword], Field(min_length=1, max_length=50)]
RequestId = Annotated[str, StringConstraints(max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]
Integer = Annotated[int, BeforeValidator(_json_number)]
Weight = Annotated[
    float, BeforeValidator(_json_number), Field(json_schema_extra={"minimum": 0, "maximum": 1})
]
TargetDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000, pattern=r"\S")
]


class StoreHealth(BaseModel):
    backend: str
    ok: bool
    companies: int | None = None


class HealthResponse(BaseModel):
    status: Literal["healthy", "degraded"]
    api: str
    source: str = Field(description="`demo-dataset`, `crunchbase-api-v4` or `tracxn-api-2.2`")
    source_details: dict[str, Any] = Field(default_factory=dict)
    store: StoreHealth
    similarity_backend: str
    similarity_ready: bool


class CancelResponse(BaseModel):
    status: Literal["cancelled", "not_found"]
    request_id: str


class ErrorResponse(BaseModel):
    detail: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    detail: list[ValidationIssue]
    message: str = Field(description="All problems in one readable line")


class KeywordCompany(BaseModel):
    """A company as shown in per-keyword progress."""

    name: str
    cb_rank: int | None = None
    tracxn_score: float | None = None


class ProgressEvent(BaseModel):
    """One line of a streamed (NDJSON) search.

    `event` is one of: `search_started`, `search_result` (one per keyword, with its top
    companies), `sorting_start`, `company_rank` / `company_ranked` (one per top company, best
    first), `result` (the full JSON response in `data`), `cancelled`, `error`. `type` repeats the
    predecessor's detail type so the report engine can record it as a step detail verbatim.
    """

    event: str
    type: str
    message: str = ""
    request_id: str | None = None
    keyword: str | None = None
    index: int | None = None
    total: int | None = None
    status: str | None = None
    count: int | None = None
    top_companies: list[KeywordCompany] | None = None
    rank: int | None = None
    name: str | None = None
    cb_rank: int | None = None
    tracxn_score: float | None = None
    combined_score: float | None = None
    description: str | None = None
    status_code: int | None = None
    data: dict[str, Any] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request body"},
    401: {"model": ErrorResponse, "description": "Missing or invalid service token"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
    422: {"model": ValidationErrorResponse, "description": "Invalid request"},
    429: {"model": ErrorResponse, "description": "Rate limit exceeded (see Retry-After)"},
}
