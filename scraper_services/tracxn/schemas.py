"""Request and response models of the Tracxn service (the predecessor's contract, 6.2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scraper_services.common.contracts import (
    CompanyNames,
    Integer,
    Keyword,
    RequestId,
    RetrievalFields,
    RetrievalRequest,
    RetrievalSummary,
    TargetDescription,
    Weight,
)

SortBy = Literal["relevance", "Total Equity Funding", "tracxn_score"]


class ScrapeBatchWithRankRequest(RetrievalRequest):
    model_config = ConfigDict(extra="ignore")

    company_names: list[Keyword] = Field(
        min_length=1, max_length=20, description="Search keywords (Tracxn style: 'Pet AND Care')"
    )
    target_description: TargetDescription
    top_count: Integer = Field(ge=1, le=100)
    num_companies_per_search: Integer = Field(10, ge=1, le=100)
    freshness_days: Integer = Field(180, ge=0, le=365)
    similarity_weight: Weight = Field(0.75, description="0..1; with score_weight must sum to 1")
    score_weight: Weight = Field(0.25, description="0..1; with similarity_weight must sum to 1")
    sort_by: SortBy = Field("relevance", description="Order of each keyword's own results")
    request_id: RequestId | None = None
    project_id: RequestId | None = Field(None, deprecated=True)
    report_id: RequestId | None = None


class CompanyNamesRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    company_names: CompanyNames
    freshness_days: Integer = Field(180, ge=0, le=365)


class RankedStartup(RetrievalFields):
    """An `all_companies` item."""

    rank: int
    reference: str
    name: str
    description: str
    similarity_score: float
    tracxn_score: float | None
    normalized_tracxn_score: float | None = None
    combined_score: float
    appearance_count: int
    keywords: list[str]


class TopStartup(RetrievalFields):
    """A `top_companies_full_data` item; `source` is `database` (store) or `fetched`."""

    rank: int
    reference: str
    name: str
    similarity_score: float
    tracxn_score: float | None
    normalized_tracxn_score: float | None = None
    combined_score: float
    appearance_count: int
    keywords: list[str]
    full_data: list[dict[str, Any]]
    source: Literal["database", "fetched"]


class ScoreRange(BaseModel):
    min: float | None
    max: float | None


class KeywordStartup(BaseModel):
    name: str
    tracxn_score: float | None


class KeywordResult(BaseModel):
    count: int
    status: str
    error: str | None = None
    from_store: int = 0
    fetched: int = 0
    top_companies: list[KeywordStartup]


class RankMetadata(BaseModel):
    total_keywords_searched: int
    successful_keywords: int
    failed_keywords: int
    total_unique_companies: int
    all_companies_count: int
    top_count_requested: int
    top_count_returned: int
    target_description: str
    similarity_weight: float
    score_weight: float
    tracxn_score_range: ScoreRange
    keyword_results: dict[str, KeywordResult]
    fresh_from_db: int
    newly_fetched: int
    collection_time_seconds: float
    similarity_time_seconds: float
    total_time_seconds: float
    similarity_backend: str
    request_id: str
    report_id: str | None = None
    source: str
    retrieval: RetrievalSummary | None = None


class ScrapeBatchWithRankResponse(BaseModel):
    all_companies: list[RankedStartup]
    top_companies_full_data: list[TopStartup]
    metadata: RankMetadata
    source: str


class StartupProfile(BaseModel):
    reference: str
    name: str
    url: str
    website: str | None
    description: str
    tracxn_score: float | None
    categories: list[str]
    full_data: list[dict[str, Any]]
    fetched_at: str
    fresh: bool = Field(description="False when a stale stored copy is served (source down)")


class StartupLookupResponse(BaseModel):
    company: StartupProfile
    source: str


class StartupsByNamesResponse(BaseModel):
    companies: list[StartupProfile]
    not_found: list[str]
    source: str


class ServiceInfo(BaseModel):
    service: str
    source: str
    docs: str
