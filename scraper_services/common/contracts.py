"""Payload models shared by both services (health, cancel, errors, progress events)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

# When two company rows are the same company, for the app's import and both services (the app
# imports contracts.py only, never a service's internals).
from scraper_services.common.company_identity import IdentityIndex as IdentityIndex
from scraper_services.common.company_identity import company_name_key as company_name_key
from scraper_services.common.company_identity import website_domain as website_domain

NDJSON_MEDIA_TYPE = "application/x-ndjson"


def _json_number(value: Any) -> Any:
    """JSON numbers only: no booleans, no numeric strings (pydantic's lax mode takes both)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number")
    return value


def clean_text(value: str, *, single_line: bool = True) -> str:
    """Text as the services store and search it: no control characters, no lone surrogates.

    C0/C1 control characters (NUL, the separators U+001C-U+001F, DEL, ...) and lone surrogates
    become spaces (PostgreSQL refuses NUL, UTF-8 refuses surrogates); a multi-line text keeps
    its newlines and tabs. A single-line text has its whitespace runs collapsed to one space,
    exactly as the keyword search splits words (`str.split`), so "non-empty here" means
    "non-empty there"."""
    kept = "\n\t" if not single_line else ""
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs") and ch not in kept else ch for ch in value
    )
    return " ".join(text.split()) if single_line else text.strip()


def _visible(value: str) -> bool:
    """At least one letter, digit, mark, punctuation or symbol (not only spaces/format chars)."""
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in value)


def _cleaned(single_line: bool, required: bool) -> AfterValidator:
    def clean(value: str) -> str:
        text = clean_text(value, single_line=single_line)
        if required and not _visible(text):
            raise PydanticCustomError(
                "blank_text",
                "must contain a visible character (control characters and whitespace are ignored)",
            )
        return text

    return AfterValidator(clean)


def line(max_length: int, *, required: bool = False) -> Any:
    """A one-line text type (keyword, name): its length checked as sent, then cleaned."""
    limits = StringConstraints(min_length=1 if required else 0, max_length=max_length)
    return Annotated[str, limits, _cleaned(True, required)]


def paragraph(max_length: int, *, required: bool = False) -> Any:
    """A multi-line text type (description): checked as sent, cleaned with its newlines kept."""
    limits = StringConstraints(min_length=1 if required else 0, max_length=max_length)
    return Annotated[str, limits, _cleaned(False, required)]


# Field types shared by both services' requests. Every text is cleaned (`clean_text`) once its
# length is checked; required text must keep a visible character once cleaned (else 422).
Keyword = line(100, required=True)
CompanyNames = Annotated[list[Keyword], Field(min_length=1, max_length=50)]
RequestId = Annotated[str, StringConstraints(max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]
Integer = Annotated[int, BeforeValidator(_json_number)]
Weight = Annotated[
    float, BeforeValidator(_json_number), Field(json_schema_extra={"minimum": 0, "maximum": 1})
]
TargetDescription = paragraph(5000, required=True)


OrganizationId = Annotated[int, BeforeValidator(_json_number), Field(ge=1, le=2**31 - 1)]
ShortText = line(1000)
CompanyName = line(200, required=True)
LongText = paragraph(5000)
Website = line(500)
Category = line(100)
Place = line(200)
LookupName = line(200)  # optional: blank means "not given" (400 if nothing is)


class ProjectQuery(BaseModel):
    """The whole project, for retrieval by meaning (optional on both search endpoints).

    Without it the services rank by `target_description` alone, as the predecessor did.
    Retrieval embeds the description (`text`), matches the audience and business model by
    their words only (`lexical_context`) and looks up the named competitors; the geography is
    carried for the reports and the record."""

    description: LongText = ""
    audience: ShortText = ""
    business_model: ShortText = ""
    geography: ShortText = ""
    named_competitors: list[CompanyName] = Field(
        default_factory=list,
        max_length=20,
        description="Companies the user named (names or websites); each is looked up",
    )

    def text(self, fallback: str = "") -> str:
        """What the project means, as one text for the embedder and BM25."""
        # The audience and the business model are not embedded: competitors sell the same
        # thing, and "for Shopify merchants" pulled in Shopify and its apps for a support bot.
        # Leave-sector-out F1 on the gold set (bench/fit_relevance.py), 2026-12-05: 0.599 with
        # the audience embedded, 0.605 without, 0.617 with it and the business model matched
        # by words (`lexical_context`); the geography's words added nothing (0.618).
        return (self.description or fallback).strip()

    def lexical_context(self) -> str:
        """The audience and business model, for the lexical (BM25) side of retrieval only."""
        return " ".join(p for p in (self.audience, self.business_model) if p)


class NamedCompetitor(BaseModel):
    """A company the user named, and what the data set holds for it."""

    name: str = Field(description="As the user wrote it")
    found: bool
    matched_name: str | None = None
    key: str | None = Field(None, description="The service's key of the matched company")


class RetrievalSummary(BaseModel):
    """How the candidates were retrieved and judged (in `metadata.retrieval`)."""

    embedding_model: str
    lexical: str = "bm25"
    fusion: str = "reciprocal rank fusion"
    relevance_floor: float
    candidates: int
    above_floor: int = Field(description="Candidates at or above the relevance floor")
    named_competitors: list[NamedCompetitor] = Field(default_factory=list)
    organization_data: bool = Field(description="The organisation's own imports were searched")


class RetrievalRequest(BaseModel):
    """The retrieval fields both search requests accept (unknown to old clients: optional)."""

    project: ProjectQuery | None = None
    organization_id: OrganizationId | None = Field(
        None, description="Also search this organisation's imported companies (never others')"
    )


# The import label (source) of companies web discovery found; their origin is "import:web".
WEB_IMPORT_LABEL = "web"
WEB_ORIGIN = f"import:{WEB_IMPORT_LABEL}"


class WebPage(BaseModel):
    """A public web page a company was found on (web discovery's evidence)."""

    url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://")]
    title: line(300) = ""
    fetched_at: datetime


class RetrievalFields(BaseModel):
    """What each ranked company says about its relevance (both services' items)."""

    relevance: float = Field(0.0, description="Calibrated probability of being a competitor")
    named_by_user: bool = False
    origin: str = Field("demo-dataset", description="demo-dataset, import:<label> or a live API")
    web_pages: list[WebPage] = Field(
        default_factory=list, description="Pages it was found on (companies from the web)"
    )


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


# -- company imports (an organisation's own data) -----------------------------------------

IMPORT_BATCH_MAX = 500
ImportLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[\w .:-]+$"),
]


class ImportedCompany(BaseModel):
    """One company of an organisation's import, already parsed and deduplicated by the app."""

    name: CompanyName
    website: Website | None = None
    description: LongText = ""
    categories: list[Category] = Field(default_factory=list, max_length=30)
    founded_year: Annotated[int, Field(ge=1800, le=2100)] | None = None
    hq_city: Place | None = None
    hq_country: Place | None = None
    total_funding_usd: Annotated[float, Field(ge=0)] | None = None
    status: Literal["operating", "public", "acquired", "closed"] = "operating"
    sources: list[ImportLabel] = Field(
        default_factory=list, max_length=10, description="Every import layout it came from"
    )
    pages: list[WebPage] = Field(
        default_factory=list, max_length=20, description="Web pages it was found on (source web)"
    )


class ImportBatchRequest(BaseModel):
    organization_id: OrganizationId
    import_id: RequestId
    companies: list[ImportedCompany] = Field(min_length=1, max_length=IMPORT_BATCH_MAX)


class ImportBatchResponse(BaseModel):
    received: int
    created: int
    merged: int = Field(description="Rows that matched a company the organisation already had")
    searchable: int = Field(description="The organisation's companies searchable now")


class OrganizationDataResponse(BaseModel):
    organization_id: int
    companies: int
    deleted: int = 0
