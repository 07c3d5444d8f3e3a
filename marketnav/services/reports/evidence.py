"""The evidence of a report run: the records it used and the aggregates it computed from them.

Every run keeps what its figures rest on, in `report_evidence` rows:

Refs are namespaced by the report type that fetched the record (`crunchbase:company:<slug>`),
so a report built on two sources keeps both sources' records apart:

- `company:<slug>`: a company record as the run received it, with its source (the bundled demo
  data set, the organisation's import by name, or a live API) and when the run fetched it;
- `post:<id>`: a social post with its link, author and date;
- `aggregate:<name>`: a figure computed across records (median disclosed funding, companies
  found), with its inputs, computed once per data run and reused by every report built on it.

Reports built on other reports (Verdict, Pitch deck) read their sources' evidence, so a figure
cites the same record wherever it appears. `data_used` sums the evidence up for the "Data used"
box at the top of every report.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from statistics import median
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from marketnav.models import ReportEvidence
from marketnav.models.base import utcnow
from marketnav.services.wording import plural
from scraper_services.common.contracts import WEB_ORIGIN
from scraper_services.common.money import format_usd

DEMO_ORIGIN = "demo-dataset"
IMPORT_PREFIX = "import:"


class EvidenceItem(BaseModel):
    """One record or aggregate a figure can point to."""

    ref: str
    kind: str  # company | post | aggregate
    label: str
    source: str
    demo: bool = False
    url: str = ""
    fetched_at: datetime | None = None
    detail: str = ""
    # Numbers this evidence supports (funding, founded year, rank, an aggregate's value).
    values: list[float] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)

    def citation(self) -> dict[str, Any]:
        """What a section's Sources list shows for it (JSON-able, stored with the section)."""
        pages = self.data.get("web_pages") or []
        return {
            **({"pages": pages} if pages else {}),
            "ref": self.ref,
            "kind": self.kind,
            "label": self.label,
            "source": self.source,
            "demo": self.demo,
            "url": self.url,
            "fetched_at": self.fetched_at.date().isoformat() if self.fetched_at else "",
            "detail": self.detail,
        }


def origin_source(service_label: str, origin: str) -> tuple[str, bool]:
    """(how a reader sees a record's source, whether it is demo data) from its origin."""
    origin = origin or DEMO_ORIGIN
    if origin == DEMO_ORIGIN:
        return f"{service_label} · bundled demo data set (not live {service_label} data)", True
    if origin == WEB_ORIGIN:
        return f"The open web · found by web discovery (not in the {service_label} data)", False
    if origin.startswith(IMPORT_PREFIX):
        name = origin.removeprefix(IMPORT_PREFIX).strip() or "unnamed"
        return f"{service_label} · your organisation's import “{name}”", False
    return f"{service_label} · live API ({origin})", False


# -- builders ----------------------------------------------------------------------------


def company_item(
    namespace: str,
    service_label: str,
    company: Any,
    fetched_at: datetime | None,
) -> EvidenceItem:
    """Evidence for one company of a market run (a `MarketCompany`)."""
    source, demo = origin_source(service_label, company.origin)
    web_only = company.web_only
    facts = [
        f"total funding {format_usd(company.funding_usd)}"
        if company.funding_usd
        else "funding unknown"
        if web_only
        else "funding not disclosed",
        f"founded {company.founded_year}" if company.founded_year else "",
        company.headquarters,
        company.standing,
    ]
    values = [
        v
        for v in (company.funding_usd, company.founded_year, company.cb_rank, company.tracxn_score)
        if v is not None
    ]
    pages = list(getattr(company, "web_pages", None) or [])
    if web_only:
        found_on = plural(len(pages), "page")
        facts.insert(0, f"known only from the web ({found_on}, listed below)")
    return EvidenceItem(
        ref=f"{namespace}:company:{company.slug}",
        kind="company",
        label=company.name,
        source=source,
        demo=demo,
        url=company.website or company.url,
        fetched_at=fetched_at,
        detail=" · ".join(f for f in facts if f),
        values=[float(v) for v in values],
        data={
            "funding_usd": company.funding_usd,
            "founded_year": company.founded_year,
            "country": company.country,
            "relevance": company.similarity,
            "origin": company.origin or DEMO_ORIGIN,
            "rows": company.rows,
            **({"web_pages": pages} if pages else {}),
        },
    )


def aggregate_item(
    namespace: str,
    name: str,
    label: str,
    value: float | None,
    shown: str,
    inputs: dict[str, Any],
    *,
    source: str,
    demo: bool,
    fetched_at: datetime | None,
) -> EvidenceItem:
    """A figure computed across records, with the inputs it was computed from."""
    return EvidenceItem(
        ref=f"{namespace}:aggregate:{name}",
        kind="aggregate",
        label=label,
        source=source,
        demo=demo,
        fetched_at=fetched_at,
        detail=shown,
        values=[float(value)] if value is not None else [],
        data={"value": value, "inputs": inputs},
    )


def market_items(
    namespace: str,
    service_label: str,
    companies: list[Any],
    companies_found: int,
    fetched_at: datetime | None = None,
) -> list[EvidenceItem]:
    """Evidence of a Crunchbase or Tracxn data run: each company, and the run's aggregates.

    The aggregates are computed here once; the reports and slides built on the run read them.
    """
    fetched_at = fetched_at or utcnow()
    items = [company_item(namespace, service_label, c, fetched_at) for c in companies]
    demo = any(i.demo for i in items)
    source = items[0].source if len({i.source for i in items}) == 1 else f"{service_label} data"
    funded = {c.name: c.funding_usd for c in companies if c.funding_usd}
    undisclosed = [c.name for c in companies if not c.funding_usd]
    common = {"source": source, "demo": demo, "fetched_at": fetched_at}
    items.append(
        aggregate_item(
            namespace,
            "companies_found",
            "Companies matched by the search",
            companies_found,
            f"{plural(companies_found, 'company')} matched; "
            f"the {len(companies)} closest were analysed",
            {"analysed": [c.name for c in companies]},
            **common,
        )
    )
    items.append(
        aggregate_item(
            namespace,
            "companies_analysed",
            "Companies analysed",
            len(companies),
            f"{_companies(len(companies))} analysed, {len(funded)} with disclosed funding, "
            f"{len(undisclosed)} without (unknown, not zero)",
            {"funded": sorted(funded), "undisclosed": undisclosed},
            **common,
        )
    )
    amounts = list(funded.values())
    if len(amounts) > 1:  # one figure is no median
        items.append(
            aggregate_item(
                namespace,
                "median_funding",
                "Median disclosed funding",
                median(amounts),
                f"median of {len(amounts)} disclosed amounts: {format_usd(median(amounts))}; "
                f"{_companies(len(undisclosed))} without disclosed funding left out",
                {"amounts_usd": funded, "left_out": undisclosed},
                **common,
            )
        )
    if amounts:
        items.append(
            aggregate_item(
                namespace,
                "total_funding",
                "Total disclosed funding",
                sum(amounts),
                f"sum of {len(amounts)} disclosed amounts: {format_usd(sum(amounts))}",
                {"amounts_usd": funded},
                **common,
            )
        )
    return items


def _companies(count: int) -> str:
    return f"{count} {'company' if count == 1 else 'companies'}"


def post_item(namespace: str, post: dict[str, Any], source: str, demo: bool) -> EvidenceItem:
    """Evidence for one social post (link, author, date)."""
    author = post.get("author") or {}
    handle = author.get("username") if isinstance(author, dict) else str(author)
    created = post.get("created_at")
    when = created if isinstance(created, datetime) else _parse_time(created)
    text = str(post.get("text") or "")
    return EvidenceItem(
        ref=f"{namespace}:post:{post.get('id')}",
        kind="post",
        label=f"@{handle}" if handle else "post",
        source=source,
        demo=demo,
        url=str(post.get("url") or ""),
        fetched_at=when,
        detail=text[:240],
        data={"text": text, "likes": post.get("likes"), "replies": post.get("replies")},
    )


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# -- the store ---------------------------------------------------------------------------


def record(session: Session, run_id: int, items: Iterable[EvidenceItem]) -> int:
    """Write (or overwrite) a run's evidence; a retried step never duplicates a row."""
    existing = {
        row.ref: row
        for row in session.exec(select(ReportEvidence).where(ReportEvidence.run_id == run_id))
    }
    written = 0
    for item in items:
        row = existing.get(item.ref) or ReportEvidence(run_id=run_id, ref=item.ref[:160])
        row.kind, row.label, row.source = item.kind, item.label[:255], item.source[:255]
        row.demo, row.url, row.fetched_at = item.demo, item.url[:1000], item.fetched_at
        row.detail = item.detail
        row.data = {**item.data, "values": item.values}
        session.add(row)
        written += 1
    return written


def for_run(session: Session, run_id: int) -> list[EvidenceItem]:
    """A run's evidence, in the order it was recorded."""
    rows = session.exec(
        select(ReportEvidence)
        .where(ReportEvidence.run_id == run_id)
        .order_by(col(ReportEvidence.id))
    ).all()
    items = []
    for row in rows:
        data = dict(row.data or {})
        values = [float(v) for v in data.pop("values", []) or []]
        items.append(
            EvidenceItem(
                ref=row.ref,
                kind=row.kind,
                label=row.label,
                source=row.source,
                demo=row.demo,
                url=row.url,
                fetched_at=row.fetched_at,
                detail=row.detail,
                values=values,
                data=data,
            )
        )
    return items


# -- the "Data used" box -------------------------------------------------------------------


def data_used(items: Iterable[EvidenceItem], report: str = "") -> list[dict[str, Any]]:
    """One line per source: what kind of records, how many, demo or live, and when.

    `report` names the report the evidence came from ("Tracxn Insights v2") for reports built
    on other reports.
    """
    groups: OrderedDict[str, list[EvidenceItem]] = OrderedDict()
    for item in items:
        if item.kind != "aggregate":
            groups.setdefault(item.source, []).append(item)
    lines = []
    for source, members in groups.items():
        kinds = {m.kind for m in members}
        noun = "posts" if kinds == {"post"} else "companies" if kinds == {"company"} else "records"
        dates = sorted(m.fetched_at.date().isoformat() for m in members if m.fetched_at)
        lines.append(
            {
                "source": source,
                "records": len(members),
                "noun": noun,
                "demo": any(m.demo for m in members),
                "dates": f"{dates[0]} to {dates[-1]}"
                if dates and dates[0] != dates[-1]
                else (dates[0] if dates else ""),
                "report": report,
            }
        )
    return lines


def empty_source_line(source: str, noun: str, demo: bool, report: str = "") -> dict[str, Any]:
    """A "Data used" line for a source that was searched and returned nothing."""
    return {
        "source": source,
        "records": 0,
        "noun": noun,
        "demo": demo,
        "dates": "",
        "report": report,
    }


def is_demo(lines: Iterable[dict[str, Any]]) -> bool:
    return any(line.get("demo") for line in lines)


def run_is_demo(summary: dict[str, Any]) -> bool:
    """Whether a run was built on demo data (its Data used lines, or older runs' flag)."""
    return is_demo(summary.get("data_used") or []) or bool(summary.get("demo_data"))
