"""The data of a project's completed source reports (Crunchbase, Tracxn, Social), normalised.

Verdict and Pitch deck read the latest completed version of each source report: the
companies from `analysis/companies.json` (the facts the market reports extract) or
`raw_data.json` (the raw service answer, in the service's or the predecessor's shape), the
posts from Social's `raw_data.json`; when a file is missing the version's sections stand in.
Everything returned is JSON-able so a step can checkpoint it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from marketnav.models import ReportSection
from marketnav.services.ai.offline import CompanyFacts, MarketStatistics, market_statistics
from marketnav.services.reports import evidence
from marketnav.services.reports.context import version_prefix
from marketnav.services.reports.runs import latest_completed
from marketnav.services.storage import Storage, StorageError
from scraper_services.common.money import parse_usd_amounts

logger = logging.getLogger(__name__)


class Company(BaseModel):
    name: str
    description: str = ""
    funding_usd: float | None = None
    rank: int | None = None
    score: float | None = None
    country: str = ""
    founded_year: int | None = None
    tags: list[str] = Field(default_factory=list)

    def facts(self) -> CompanyFacts:
        return CompanyFacts(
            name=self.name,
            description=self.description,
            funding_usd=self.funding_usd,
            rank=self.rank,
            country=self.country,
            founded_year=self.founded_year,
        )


class SourceData(BaseModel):
    """One completed source report, as later reports use it."""

    report_type: str
    run_id: int
    version: int
    completed_at: str = ""
    origin: str = Field(default="", description="raw_data.json, companies.json or sections")
    source_label: str = ""
    keywords: list[str] = Field(default_factory=list)
    companies_found: int = 0
    companies: list[Company] = Field(default_factory=list)
    posts: list[dict[str, Any]] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)
    section_excerpts: list[dict[str, str]] = Field(default_factory=list)
    # The run's stored aggregates (`median_funding` -> value and inputs), computed once when
    # its data was fetched; later reports reuse them instead of computing their own.
    aggregates: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def aggregate(self, name: str) -> float | None:
        value = (self.aggregates.get(name) or {}).get("value")
        return float(value) if isinstance(value, int | float) else None

    @property
    def record_count(self) -> int:
        return len(self.posts) if self.report_type == "social" else len(self.companies)

    def statistics(self) -> MarketStatistics:
        return market_statistics([c.facts() for c in self.companies])


# -- parsing ---------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    if isinstance(value, str):
        return parse_usd_amounts(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().replace(",", "").isdigit():
        return int(value.strip().replace(",", ""))
    return None


def _known(value: Any) -> str:
    text = str(value or "").strip()
    return "" if text.upper() in ("N/A", "NONE", "NULL", "-") else text


def _country(location: Any) -> str:
    parts = [p.strip() for p in _known(location).split(",") if p.strip()]
    return parts[-1] if parts else ""


def _tracxn_sections(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for section in item.get("full_data") or []:
        if isinstance(section, dict) and isinstance(section.get("data"), dict):
            sections.setdefault(str(section.get("section") or ""), {}).update(section["data"])
    return sections


def company_from_item(item: dict[str, Any]) -> Company | None:
    """A company from any known shape: extracted facts, Crunchbase or Tracxn service items."""
    if not isinstance(item, dict):
        return None
    data = item.get("company_data") if isinstance(item.get("company_data"), dict) else {}
    sections = _tracxn_sections(item)
    basic = sections.get("company_basic_details", {})
    money = {**sections.get("key_metrics", {}), **sections.get("funding_and_investors", {})}
    name = (
        _known(item.get("name"))
        or _known(data.get("Company Name"))
        or _known(sections.get("company_name", {}).get("name"))
    )
    if not name:
        return None
    description = (
        _known(item.get("description"))
        or _known(data.get("About"))
        or _known(sections.get("about", {}).get("description"))
    )
    funding = (
        _number(item.get("funding_usd"))
        or _number(item.get("total_funding_usd"))
        or _number(money.get("total_equity_funding_usd"))
        or _number(data.get("Total Funding Amount"))
        or _number(money.get("total_equity_funding"))
    )
    rank = _int(item.get("cb_rank")) or _int(data.get("CB Rank"))
    score = item.get("tracxn_score", money.get("tracxn_score"))
    country = (
        _known(item.get("country"))
        or _country(data.get("Headquarters"))
        or _country(basic.get("location"))
        or _known(item.get("hq_country"))
    )
    founded = (
        _int(item.get("founded_year"))
        or _int(data.get("Founded Year"))
        or _int(basic.get("founded_year"))
    )
    tags = item.get("tags") or data.get("Industry Tags") or item.get("categories")
    tags = tags or sections.get("coverage_areas", {}).get("sectors") or []
    return Company(
        name=name,
        description=description[:1200],
        funding_usd=funding,
        rank=rank,
        score=float(score) if isinstance(score, int | float) else None,
        country=country,
        founded_year=founded,
        tags=[str(t) for t in tags if _known(t)][:10] if isinstance(tags, list) else [],
    )


def _merge(companies: Iterable[Company | None]) -> list[Company]:
    """Unique by name; a later duplicate fills fields the first one lacks."""
    merged: dict[str, Company] = {}
    for company in companies:
        if company is None:
            continue
        key = company.name.strip().lower()
        if key not in merged:
            merged[key] = company
            continue
        first = merged[key]
        for name, value in company.model_dump().items():
            if value and not getattr(first, name):
                setattr(first, name, value)
    return list(merged.values())


def companies_from_raw(raw: Any) -> tuple[list[Company], int]:
    """(companies, how many were found) from a raw search answer of any known shape."""
    if isinstance(raw, list):
        companies = _merge(company_from_item(i) for i in raw)
        return companies, len(companies)
    if not isinstance(raw, dict):
        return [], 0
    top: list[Any] = []
    for key in ("top_companies", "top_companies_full_data", "companies", "startups"):
        if isinstance(raw.get(key), list):
            top += raw[key]
    everyone = raw.get("all_companies") if isinstance(raw.get("all_companies"), list) else []
    companies = _merge(company_from_item(i) for i in [*top, *everyone])
    meta = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    found = _int(meta.get("all_companies_count")) or len(companies)
    return companies, max(found, len(companies))


def posts_from_raw(raw: Any) -> list[dict[str, Any]]:
    """Post dicts (SocialPost shape) from Social's raw data; predecessor tweets are mapped."""
    items = raw.get("posts", raw.get("tweets", [])) if isinstance(raw, dict) else raw
    posts = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not item.get("text"):
            continue
        metrics = item.get("metrics") if isinstance(item.get("metrics"), dict) else {}
        author = item.get("author") if isinstance(item.get("author"), dict) else {}
        posts.append(
            {
                "id": str(item.get("id") or len(posts)),
                "text": str(item["text"]),
                "author": {
                    "username": str(author.get("username") or author.get("userName") or ""),
                    "name": str(author.get("name") or ""),
                    "followers": _int(author.get("followers", author.get("followers_count"))) or 0,
                },
                "created_at": item.get("created_at") or item.get("date"),
                "likes": _int(item.get("likes", metrics.get("like_count"))) or 0,
                "retweets": _int(item.get("retweets", metrics.get("retweet_count"))) or 0,
                "replies": _int(item.get("replies", metrics.get("reply_count"))) or 0,
                "url": str(item.get("url") or ""),
                "source": str(item.get("source") or ""),
            }
        )
    return posts


# -- loading ---------------------------------------------------------------------------------


def _read_json(storage: Storage, key: str) -> Any:
    """The JSON at `key`, or None when it is missing or not JSON (other errors propagate)."""
    try:
        return json.loads(storage.get(key))
    except StorageError:
        return None
    except ValueError:
        logger.warning("source data %s is not valid JSON; using the sections", key)
        return None


def _sections(session: Session, run_id: int) -> list[ReportSection]:
    return list(
        session.exec(
            select(ReportSection)
            .where(ReportSection.run_id == run_id)
            .order_by(col(ReportSection.position), col(ReportSection.id))
        ).all()
    )


def load_source(
    session: Session,
    storage: Storage,
    organization_id: int,
    project_id: int,
    report_type: str,
) -> SourceData | None:
    """The latest completed version of one source report, or None."""
    run = latest_completed(session, project_id, report_type)
    if run is None or run.status != "completed":
        return None
    prefix = version_prefix(organization_id, project_id, report_type, run.version)
    rows = _sections(session, run.id)
    data = SourceData(
        report_type=report_type,
        run_id=run.id,
        version=run.version,
        completed_at=run.completed_at.isoformat() if run.completed_at else "",
        summary=dict(run.data or {}),
        section_excerpts=[
            {"key": r.section_key, "title": r.company_name or r.title, "excerpt": r.markdown[:600]}
            for r in rows[:12]
        ],
        aggregates={
            item.ref.rsplit(":", 1)[1]: item.data
            for item in evidence.for_run(session, run.id)
            if item.kind == "aggregate"
        },
    )
    raw = _read_json(storage, prefix + "raw_data.json")
    if report_type == "social":
        data.posts = posts_from_raw(raw) if raw is not None else []
        data.origin = "raw_data.json" if raw is not None else "sections"
        if isinstance(raw, dict):
            data.keywords = [str(k) for k in raw.get("keywords") or []]
            data.source_label = str(raw.get("source") or "")
        data.source_label = data.source_label or str(data.summary.get("source") or "")
        return data
    if isinstance(raw, dict):
        data.keywords = [str(k) for k in raw.get("keywords") or []]
        data.source_label = str(raw.get("source") or "")
    facts = _read_json(storage, prefix + "analysis/companies.json")
    companies, found = companies_from_raw(raw) if raw is not None else ([], 0)
    if isinstance(facts, list) and facts:
        extracted = _merge(company_from_item(i) for i in facts)
        data.companies = _merge([*extracted, *companies])
        data.origin = "analysis/companies.json"
    elif companies:
        data.companies = companies
        data.origin = "raw_data.json"
    else:
        data.companies = _merge(
            Company(name=r.company_name, description=r.markdown[:600])
            for r in rows
            if r.company_name
        )
        data.origin = "sections"
    data.companies_found = max(found, len(data.companies))
    return data


def load_sources(
    session: Session,
    storage: Storage,
    organization_id: int,
    project_id: int,
    report_types: Iterable[str],
) -> dict[str, SourceData | None]:
    return {t: load_source(session, storage, organization_id, project_id, t) for t in report_types}
