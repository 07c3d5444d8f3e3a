"""Crunchbase-shaped company records: from the demo data set and from Crunchbase API v4 entities.

`company_data` keeps the predecessor's scraped field names ("Company Name", "About",
"Industry Tags", "Total Funding Amount", ...) so report code written for it keeps working;
fields a source does not know are "N/A" (or [] for tables), as before.
"""

from __future__ import annotations

from typing import Any

from scraper_services.common.demo_catalogue import DemoCompany
from scraper_services.common.money import format_usd
from scraper_services.common.records import CompanyRecord

PROFILE_BASE = "https://www.crunchbase.com/organization/"
LIVE_LABEL = "crunchbase-api-v4"

_UNKNOWN_TEXT = (
    "Legal Name", "Also Known As", "Company Type", "Facebook", "LinkedIn", "Growth Score",
    "Growth Score update date", "heat score", "Growth Prediction", "Growth Prediction update date",
    "Growth Insight", "Number of Funding Rounds", "Funding Prediction", "Acquisition Prediction",
    "IPO Prediction", "Number of Lead Investors", "Number of Investors", "Headcount",
    "Employee Profiles count", "Investor Profiles count", "Contacts count", "Tech Details summary",
    "Total Products Active", "Active Tech Count", "Monthly Visits", "Monthly Visits Growth",
    "Global Traffic Rank", "Monthly Rank Growth", "Visit Duration", "Visit Duration Growth",
    "Page Views / Visit", "Page Views / Visit Growth", "Bounce Rate", "Bounce Rate Growth",
)  # fmt: skip
_UNKNOWN_TABLES = (
    "Funding Table", "Investors Table", "Current Employees Table", "Board Members Table",
    "Web Traffic Table",
)  # fmt: skip
_STATUS = {"operating": "Active", "public": "Active", "acquired": "Acquired", "closed": "Closed"}


def _base_company_data() -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(_UNKNOWN_TEXT, "N/A")
    data.update({table: [] for table in _UNKNOWN_TABLES})
    return data


def record_from_demo(company: DemoCompany, origin: str = "demo-dataset") -> CompanyRecord:
    url = PROFILE_BASE + company.slug
    hq = ", ".join(part for part in (company.hq_city, company.hq_country) if part) or "N/A"
    data = _base_company_data()
    data.update(
        {
            "Company Name": company.name,
            "Operating Status": _STATUS.get(company.status, "Active"),
            "Company Type": "For Profit",
            "About": company.description,
            "Website": company.website or "N/A",
            "Industry Tags": list(company.categories),
            "Founded Year": company.founded_year or "N/A",
            "Headquarters": hq,
            "Total Funding Amount": format_usd(company.total_funding_usd),
            "CB Rank": company.cb_rank,
            "IPO Status": "Public" if company.status == "public" else "Private",
            "url": url,
            "Source": origin,
        }
    )
    return CompanyRecord(
        key=company.slug,
        name=company.name,
        url=url,
        website=company.website,
        description=company.description,
        categories=list(company.categories),
        founded_year=company.founded_year,
        hq_city=company.hq_city,
        hq_country=company.hq_country,
        total_funding_usd=company.total_funding_usd,
        operating_status=company.status,
        cb_rank=company.cb_rank,
        details=data,
        origin=origin,
    )


def _value(field: Any) -> Any:
    return field.get("value") if isinstance(field, dict) else field


def record_from_entity(
    properties: dict[str, Any], cards: dict[str, Any] | None = None
) -> CompanyRecord:
    """A record from an API v4 organisation (search entity or `GET /entities/...` answer)."""
    identifier = properties.get("identifier") or {}
    permalink = identifier.get("permalink") or properties.get("permalink") or ""
    name = identifier.get("value") or properties.get("name") or permalink
    description = properties.get("description") or properties.get("short_description") or ""
    categories = [_value(c) for c in properties.get("categories") or [] if _value(c)]
    locations = {
        loc.get("location_type"): loc.get("value")
        for loc in properties.get("location_identifiers") or []
        if isinstance(loc, dict)
    }
    founded = _value(properties.get("founded_on")) or ""
    funding = properties.get("funding_total") or {}
    funding_usd = funding.get("value_usd") if isinstance(funding, dict) else None
    rank = properties.get("rank_org_company") or properties.get("rank_org")
    url = PROFILE_BASE + permalink
    status = properties.get("operating_status") or "active"
    data = _base_company_data()
    data.update(
        {
            "Company Name": name,
            "Legal Name": properties.get("legal_name") or "N/A",
            "Operating Status": str(status).title(),
            "Company Type": str(properties.get("company_type") or "N/A").replace("_", " ").title(),
            "About": description,
            "Website": properties.get("website_url") or "N/A",
            "Facebook": _value(properties.get("facebook")) or "N/A",
            "LinkedIn": _value(properties.get("linkedin")) or "N/A",
            "Industry Tags": categories,
            "Founded Year": int(founded[:4]) if founded[:4].isdigit() else "N/A",
            "Headquarters": ", ".join(
                v for v in (locations.get("city"), locations.get("country")) if v
            )
            or "N/A",
            "Number of Funding Rounds": properties.get("num_funding_rounds") or "N/A",
            "Number of Investors": properties.get("num_investors") or "N/A",
            "Headcount": properties.get("num_employees_enum") or "N/A",
            "Total Funding Amount": format_usd(funding_usd),
            "CB Rank": rank,
            "url": url,
            "Source": LIVE_LABEL,
        }
    )
    for round_ in (cards or {}).get("raised_funding_rounds") or []:
        money = round_.get("money_raised") or {}
        data["Funding Table"].append(
            {
                "Announced Date": round_.get("announced_on") or "N/A",
                "Transaction Name": _value(round_.get("identifier")) or "N/A",
                "Number of Investors": round_.get("num_investors") or "N/A",
                "Money Raised": format_usd(money.get("value_usd")),
                "Lead Investors": [
                    _value(i) for i in round_.get("lead_investor_identifiers") or []
                ],
            }
        )
    return CompanyRecord(
        key=permalink,
        name=name,
        url=url,
        website=properties.get("website_url"),
        description=description,
        categories=categories,
        founded_year=data["Founded Year"] if isinstance(data["Founded Year"], int) else None,
        hq_city=locations.get("city"),
        hq_country=locations.get("country"),
        total_funding_usd=funding_usd,
        operating_status=str(status),
        cb_rank=int(rank) if isinstance(rank, int | float) else None,
        details=data,
        origin=LIVE_LABEL,
    )
