"""Tracxn-shaped company records: from the demo data set and from Tracxn API 2.2 results.

`full_data` keeps the predecessor's list of `{section, data}` sections (company_name,
company_basic_details, about, key_metrics, funding_and_investors, coverage_areas).
"""

from __future__ import annotations

from typing import Any

from scraper_services.common.demo_catalogue import DemoCompany
from scraper_services.common.money import format_usd
from scraper_services.common.records import CompanyRecord

PLATFORM_BASE = "https://platform.tracxn.com"
LIVE_LABEL = "tracxn-api-2.2"


def reference_for(company_id: str, domain: str) -> str:
    return f"/a/d/company/{company_id}/{domain}"


def _sections(
    name: str,
    description: str,
    categories: list[str],
    founded_year: int | None,
    location: str,
    website: str | None,
    status: str,
    score: float | None,
    funding_usd: float | None,
) -> list[dict[str, Any]]:
    return [
        {"section": "company_name", "data": {"name": name}},
        {
            "section": "company_basic_details",
            "data": {
                "founded_year": founded_year,
                "location": location or "N/A",
                "website": website or "N/A",
                "status": status,
            },
        },
        {"section": "about", "data": {"description": description}},
        {
            "section": "key_metrics",
            "data": {"tracxn_score": score, "total_equity_funding": format_usd(funding_usd)},
        },
        {
            "section": "funding_and_investors",
            "data": {
                "total_equity_funding": format_usd(funding_usd),
                "total_equity_funding_usd": funding_usd,
            },
        },
        {"section": "coverage_areas", "data": {"sectors": categories}},
    ]


def record_from_demo(company: DemoCompany, origin: str = "demo-dataset") -> CompanyRecord:
    reference = reference_for(company.tracxn_id, company.domain)
    location = ", ".join(p for p in (company.hq_city, company.hq_country) if p)
    return CompanyRecord(
        key=reference,
        name=company.name,
        url=PLATFORM_BASE + reference,
        website=company.website,
        description=company.description,
        categories=list(company.categories),
        founded_year=company.founded_year,
        hq_city=company.hq_city,
        hq_country=company.hq_country,
        total_funding_usd=company.total_funding_usd,
        operating_status=company.status,
        tracxn_score=company.tracxn_score,
        details=_sections(
            company.name,
            company.description,
            list(company.categories),
            company.founded_year,
            location,
            company.website,
            company.status,
            company.tracxn_score,
            company.total_funding_usd,
        ),
        origin=origin,
    )


def _score(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("overall", value.get("value"))
    return float(value) if isinstance(value, int | float) else None


def _funding(company: dict[str, Any]) -> float | None:
    funding = company.get("totalEquityFunding") or {}
    amount = (funding.get("amount") or {}).get("USD") if isinstance(funding, dict) else None
    value = amount.get("value") if isinstance(amount, dict) else amount
    return float(value) if isinstance(value, int | float) else None


def record_from_api(company: dict[str, Any]) -> CompanyRecord:
    """A record from one item of a Tracxn API `companies` answer (`result[]`)."""
    company_id = str(company.get("id") or "")
    domain = str(company.get("domain") or "")
    description_field = company.get("description") or {}
    if isinstance(description_field, dict):
        description = description_field.get("long") or description_field.get("short") or ""
    else:
        description = str(description_field)
    sectors = [
        s.get("name")
        for s in company.get("sectorList") or []
        if isinstance(s, dict) and s.get("name")
    ]
    feeds = [
        f.get("name") for f in company.get("feeds") or [] if isinstance(f, dict) and f.get("name")
    ]
    location_field = company.get("location") or {}
    city = location_field.get("city") if isinstance(location_field, dict) else None
    country = location_field.get("country") if isinstance(location_field, dict) else None
    founded = company.get("foundedYear")
    founded_year = (
        int(founded) if isinstance(founded, int | str) and str(founded).isdigit() else None
    )
    score, funding = _score(company.get("tracxnScore")), _funding(company)
    reference = reference_for(company_id, domain) if company_id else ""
    website = f"https://{domain}" if domain else None
    name = str(company.get("name") or domain or company_id)
    status = str(company.get("companyStage") or company.get("status") or "N/A")
    return CompanyRecord(
        key=reference,
        name=name,
        url=PLATFORM_BASE + reference,
        website=website,
        description=description,
        categories=list(dict.fromkeys(sectors + feeds)),
        founded_year=founded_year,
        hq_city=city,
        hq_country=country,
        total_funding_usd=funding,
        operating_status=status,
        tracxn_score=score,
        details=_sections(
            name,
            description,
            sectors + feeds,
            founded_year,
            ", ".join(p for p in (city, country) if p),
            website,
            status,
            score,
            funding,
        ),
        origin=LIVE_LABEL,
    )
