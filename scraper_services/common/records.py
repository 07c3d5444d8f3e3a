"""The company record every source returns and every store keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field


def utc_now() -> datetime:
    return datetime.now(UTC)


class CompanyRecord(BaseModel):
    """One company as a source describes it; `key` is the source's own stable id.

    For Crunchbase the key is the organisation permalink (`stripe`), for Tracxn the company
    reference (`/a/d/company/<id>/<domain>`). `details` holds the service-specific full data
    (Crunchbase `company_data`, Tracxn `full_data` sections) built by the source.
    """

    key: str
    name: str
    url: str = ""
    website: str | None = None
    description: str = ""
    categories: list[str] = Field(default_factory=list)
    founded_year: int | None = None
    hq_city: str | None = None
    hq_country: str | None = None
    total_funding_usd: float | None = None
    operating_status: str | None = None
    cb_rank: int | None = None
    tracxn_score: float | None = None
    details: dict[str, Any] | list[Any] = Field(default_factory=dict)
    origin: str = "demo-dataset"
    fetched_at: datetime = Field(default_factory=utc_now)
    owner: int | None = Field(None, description="The organisation whose import this is")
    sources: list[str] = Field(
        default_factory=list, description="Every source this entity was merged from"
    )
    # Web pages the company was found on (`url`, `title`, `fetched_at`), for web discovery.
    pages: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def similarity_text(self) -> str:
        """What the similarity model compares with the target description."""
        if self.categories:
            return f"{self.description} {' '.join(self.categories)}"
        return self.description

    @property
    def index_text(self) -> str:
        """What retrieval embeds and indexes: name, description and categories."""
        return f"{self.name}. {self.description} {' '.join(self.categories)}".strip()

    def age_days(self, now: datetime | None = None) -> float:
        fetched = self.fetched_at
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=UTC)
        return ((now or utc_now()) - fetched).total_seconds() / 86400.0
