"""Following one company of a report: re-checked with its data source, told when it changes.

Anyone who can open the project may follow a company from a Crunchbase or Tracxn report's
company section. What the report said (disclosed funding, status) is the starting point; beat
re-checks each followed company on the project's watch cadence (weekly without a watch)
through the data service's lookup with a one-day freshness (`days_threshold` /
`freshness_days`), so a stored copy older than that is fetched again from the source (a live
API; the bundled demo data set does not move). A change in funding or status gives the
follower one notification (bell, digest), worded as the version comparison words it: funding
that is no longer disclosed is unknown, never zero.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from marketnav.models import (
    CompanyFollow,
    MarketWatch,
    Notification,
    ReportSection,
    User,
    WatchFollower,
)
from marketnav.models.base import utcnow
from marketnav.services import market_data, projects
from marketnav.services.errors import ValidationFailed
from marketnav.services.reports.market_changes import funding_change
from marketnav.services.reports.pipelines.company_facts import crunchbase_company, tracxn_company
from marketnav.services.reports.runs import completed_run, report_for
from marketnav.services.watching import notifications
from marketnav.services.watching.cadence import advance

logger = logging.getLogger(__name__)

SOURCES = ("crunchbase", "tracxn")
FRESH_DAYS = 1
DEFAULT_CADENCE = "weekly"
# A re-check claimed by a process that died is taken up again after this.
CLAIM_SECONDS = 600

# (source, name, website) -> the company's current facts ({funding_usd, status}), None if
# the source does not know it.
Lookup = Callable[[str, str, str], Awaitable[dict[str, Any] | None]]


def follow(
    session: Session, user: User, project_id: int, source: str, company_slug: str
) -> CompanyFollow:
    """Follow a company shown in the latest version of the project's `source` report."""
    project, _ = projects.get(session, user, project_id)
    if source not in SOURCES:
        raise ValidationFailed("Companies are followed from a Crunchbase or Tracxn report.")
    section = _company_section(session, project.id, source, company_slug)
    if section is None:
        raise ValidationFailed("That company is not in this report.")
    facts = section.section_data.get("facts") or {}
    row = _follow_of(session, user.id, project.id, source, company_slug) or CompanyFollow(
        user_id=user.id,
        project_id=project.id,
        source=source,
        company_slug=company_slug,
        company_name=str(facts.get("name") or section.company_name)[:255],
        website=str(facts.get("website") or "")[:1000],
        last_facts=_facts(facts),
        next_check_at=advance(utcnow(), _cadence(session, project.id)),
    )
    session.add(row)
    session.flush()
    return row


def unfollow(session: Session, user: User, project_id: int, source: str, company_slug: str):
    project, _ = projects.get(session, user, project_id)
    row = _follow_of(session, user.id, project.id, source, company_slug)
    if row is not None:
        session.delete(row)


def followed(session: Session, user: User, project_id: int) -> list[dict[str, Any]]:
    """The companies `user` follows in the project (the viewer's buttons, the watch card)."""
    project, _ = projects.get(session, user, project_id)
    rows = session.exec(
        select(CompanyFollow)
        .where(CompanyFollow.user_id == user.id, CompanyFollow.project_id == project.id)
        .order_by(col(CompanyFollow.company_name))
    ).all()
    return [
        {
            "source": r.source,
            "slug": r.company_slug,
            "name": r.company_name,
            "key": f"{r.source}:{r.company_slug}",
            "checked": r.last_checked_at.strftime("%Y-%m-%d") if r.last_checked_at else "",
            "error": r.last_error,
        }
        for r in rows
    ]


# -- re-checking (beat) ---------------------------------------------------------------------


@dataclass
class CheckRun:
    checked: int = 0
    changed: int = 0
    failed: int = 0


def check_due(
    session_factory: Callable[[], Session],
    lookup: Lookup | None = None,
    *,
    now: datetime | None = None,
    batch: int = 200,
) -> CheckRun:
    """Re-check every due followed company this process claims; notify its follower."""
    now = now or utcnow()
    lookup = lookup or service_lookup
    result = CheckRun()
    with session_factory() as session:
        due = session.exec(
            select(CompanyFollow.id)
            .where(col(CompanyFollow.next_check_at) <= now)
            .order_by(col(CompanyFollow.next_check_at))
            .limit(batch)
        ).all()
    for follow_id in due:
        with session_factory() as session:
            claimed = session.execute(  # two beats never check one company twice at once
                update(CompanyFollow)
                .where(col(CompanyFollow.id) == follow_id, col(CompanyFollow.next_check_at) <= now)
                .values(next_check_at=now + timedelta(seconds=CLAIM_SECONDS))
            ).rowcount
            row = session.get(CompanyFollow, follow_id) if claimed else None
            target = (row.source, row.company_name, row.website) if row else None
        if target is None:
            continue
        try:
            current = asyncio.run(lookup(*target))
        except market_data.MarketDataError as err:
            _finish(session_factory, follow_id, now, None, f"{target[0]} lookup failed: {err}")
            result.failed += 1
            continue
        if current is None:
            _finish(session_factory, follow_id, now, None, "not found by the data source")
            result.failed += 1
            continue
        result.checked += 1
        result.changed += _finish(session_factory, follow_id, now, current, "")
    return result


def _finish(
    session_factory: Callable[[], Session],
    follow_id: int,
    now: datetime,
    current: dict[str, Any] | None,
    error: str,
) -> int:
    """Store the check; 1 when it found a change (and told the follower)."""
    with session_factory() as session:
        row = session.get(CompanyFollow, follow_id)
        if row is None:
            return 0
        row.last_checked_at, row.last_error = now, error[:500]
        row.next_check_at = advance(now, _cadence(session, row.project_id))
        told = 0
        if current is not None:
            lines = describe_change(row.company_name, row.last_facts, current)
            user = session.get(User, row.user_id)
            if lines and user is not None and notifications.may_open(session, user, row.project_id):
                session.add(
                    Notification(
                        user_id=row.user_id,
                        project_id=row.project_id,
                        kind="company",
                        report_type=row.source,
                        version=0,
                        since_version=0,
                        subject=row.company_name[:255],
                        anchor=f"sec-company_{row.company_slug}"[:160],
                        summary="; ".join(lines)[:500],
                        change_count=len(lines),
                        email_status="pending" if _wants_email(session, row) else "none",
                    )
                )
                told = 1
            row.last_facts = current
        session.add(row)
    return told


def describe_change(name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed in a company's funding or status, in the versions' words."""
    lines = []
    funding = funding_change(before.get("funding_usd"), after.get("funding_usd"))
    if funding:
        lines.append(f"{name}: {funding}")
    was, now = str(before.get("status") or ""), str(after.get("status") or "")
    if was and now and was.casefold() != now.casefold():
        lines.append(f"{name}: status {was} → {now}")
    return lines


async def service_lookup(source: str, name: str, website: str) -> dict[str, Any] | None:
    """The company's facts from its data service, fetched again when older than a day."""
    async with market_data.MarketDataClient(timeout=60) as client:
        if source == "crunchbase":
            found = await client.crunchbase_company(
                name=name, url=website or None, days_threshold=FRESH_DAYS
            )
            if found is None:
                return None
            company = found.company
            item = {"company_data": company.company_data, "name": company.name}
            return _facts(crunchbase_company(item, 1).model_dump())
        found = await client.tracxn_company(
            name=name, url=website or None, freshness_days=FRESH_DAYS
        )
        if found is None:
            return None
        company = found.company
        item = {"full_data": company.full_data, "name": company.name}
        return _facts(tracxn_company(item, 1).model_dump())


# -- helpers --------------------------------------------------------------------------------


def _facts(company: dict[str, Any]) -> dict[str, Any]:
    funding = company.get("funding_usd")
    return {
        "funding_usd": float(funding) if isinstance(funding, int | float) else None,
        "status": str(company.get("status") or ""),
    }


def _company_section(
    session: Session, project_id: int, source: str, slug: str
) -> ReportSection | None:
    report = report_for(session, project_id, source)
    run = completed_run(session, report.id, report.latest_version) if report else None
    if run is None:
        return None
    return session.exec(
        select(ReportSection).where(
            ReportSection.run_id == run.id,
            ReportSection.section_key == f"company_{slug}",
            ReportSection.kind == "company",
        )
    ).first()


def _follow_of(
    session: Session, user_id: int, project_id: int, source: str, slug: str
) -> CompanyFollow | None:
    return session.exec(
        select(CompanyFollow).where(
            CompanyFollow.user_id == user_id,
            CompanyFollow.project_id == project_id,
            CompanyFollow.source == source,
            CompanyFollow.company_slug == slug,
        )
    ).first()


def _cadence(session: Session, project_id: int) -> str:
    watch = session.exec(select(MarketWatch).where(MarketWatch.project_id == project_id)).first()
    return watch.cadence if watch is not None else DEFAULT_CADENCE


def _wants_email(session: Session, row: CompanyFollow) -> bool:
    follower = session.exec(
        select(WatchFollower).where(
            WatchFollower.project_id == row.project_id, WatchFollower.user_id == row.user_id
        )
    ).first()
    # A digest when the person takes e-mail for the project (following it), else the bell only.
    return bool(follower and follower.email_digest)
