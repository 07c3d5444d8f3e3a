"""Request and response models of the Crunchbase service (the predecessor's contract, 6.1)."""

from __future__ import annotations

from typing import Any

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


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TopSimilarWithRankRequest(RetrievalRequest, _Request):
    keywords: list[Keyword] = Field(min_length=1, max_length=20)
    target_description: TargetDescription
    num_companies: Integer = Field(10, ge=1, le=100, description="Companies per keyword")
    top_count: Integer = Field(10, ge=1, le=100)
    days_threshold: Integer = Field(15, ge=0, le=3650, description="Freshness window of the store")
    similarity_weight: Weight = Field(0.75, description="0..1; with rank_weight must sum to 1")
    rank_weight: Weight = Field(0.25, description="0..1; with similarity_weight must sum to 1")
    request_id: RequestId | None = Field(None, description="Lets POST /cancel/{id} stop it")
    report_id: RequestId | None = None


class BatchRequest(_Request):
    keywords: list[Keyword] = Field(min_length=1, max_length=20)
    num_companies: Integer = Field(5, ge=1, le=100)
    days_threshold: Integer = Field(15, ge=0, le=3650)


class CompanyNamesRequest(_Request):
    company_names: CompanyNames
    days_threshold: Integer = Field(15, ge=0, le=3650)


class RankedCompany(RetrievalFields):
    """An `all_companies` item."""

    url: str
    name: str
    description: str
    similarity_score: float
    cb_rank: int | None
    rank_score: float | None = None
    combined_score: float
    combined_rank: int
    appearance_count: int
    keywords: list[str]


class TopCompany(RetrievalFields):
    """A `top_companies_full_data` item."""

    company_data: dict[str, Any]
    name: str
    similarity_score: float
    cb_rank: int | None
    rank_score: float | None = None
    combined_score: float
    combined_rank: int
    appearance_count: int
    keywords: list[str]
    url: str


class KeywordCompanyRank(BaseModel):
    name: str
    cb_rank: int | None


class KeywordResult(BaseModel):
    count: int
    status: str = "success"
    error: str | None = None
    from_store: int = 0
    fetched: int = 0
    top_companies: list[KeywordCompanyRank]


class SortedTopCompany(BaseModel):
    name: str
    cb_rank: int | None
    description: str
    combined_score: float


class RankRange(BaseModel):
    min_rank: int | None
    max_rank: int | None
    range: int | None


class Weights(BaseModel):
    similarity_weight: float
    rank_weight: float


class RankMetadata(BaseModel):
    total_keywords_searched: int
    successful_keywords: int
    failed_keywords: int
    total_unique_companies: int
    all_companies_count: int
    top_count_requested: int
    top_count_returned: int
    target_description: str
    keyword_results: dict[str, KeywordResult]
    sorted_top_companies: list[SortedTopCompany]
    cb_rank_range: RankRange
    weights: Weights
    collection_time_seconds: float
    similarity_time_seconds: float
    scraping_time_seconds: float
    total_time_seconds: float
    companies_from_store: int
    companies_fetched: int
    similarity_backend: str
    request_id: str
    report_id: str | None = None
    source: str
    retrieval: RetrievalSummary | None = None


class TopSimilarWithRankResponse(BaseModel):
    all_companies: list[RankedCompany]
    top_companies_full_data: list[TopCompany]
    metadata: RankMetadata
    source: str


class KeywordBatchResult(BaseModel):
    keyword: str
    companies: list[dict[str, Any]]
    count: int
    time_taken_seconds: float
    status: str
    error: str | None = None


class BatchSummary(BaseModel):
    total_keywords: int
    successful_keywords: int
    failed_keywords: int
    total_companies_found: int
    total_time_seconds: float


class BatchResponse(BaseModel):
    results: list[KeywordBatchResult]
    summary: BatchSummary
    source: str


class HashtagSearchResponse(BaseModel):
    data: list[dict[str, Any]]
    source: str


class CompanyProfile(BaseModel):
    name: str
    url: str
    website: str | None
    description: str
    cb_rank: int | None
    categories: list[str]
    company_data: dict[str, Any]
    fetched_at: str
    fresh: bool = Field(description="False when a stale stored copy is served (source down)")


class CompanyLookupResponse(BaseModel):
    company: CompanyProfile
    source: str


class CompaniesByNamesResponse(BaseModel):
    companies: list[CompanyProfile]
    not_found: list[str]
    source: str
