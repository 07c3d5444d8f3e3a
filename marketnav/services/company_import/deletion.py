"""An organisation's imported companies are deleted from both services when it is deleted.

`schedule` writes an `OrganizationDataDeletion` row in the transaction that deletes the
organisation, so the delete cannot be lost; `purge` then asks each service to delete and
records which ones confirmed. A service that is unreachable stays pending and is retried by
beat (`tasks.imports.retry_data_deletions`) until it confirms.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlmodel import Session, col, select

from marketnav.db import session_scope
from marketnav.models import OrganizationDataDeletion
from marketnav.models.base import utcnow
from marketnav.services.market_data import SERVICES, MarketDataClient, MarketDataError

logger = logging.getLogger(__name__)


def schedule(session: Session, organization_id: int) -> OrganizationDataDeletion:
    row = OrganizationDataDeletion(organization_id=organization_id, pending=list(SERVICES))
    session.add(row)
    return row


def pending(session: Session, organization_id: int | None = None) -> list[OrganizationDataDeletion]:
    query = select(OrganizationDataDeletion).where(
        col(OrganizationDataDeletion.completed_at).is_(None)
    )
    if organization_id is not None:
        query = query.where(OrganizationDataDeletion.organization_id == organization_id)
    return list(session.exec(query.order_by(col(OrganizationDataDeletion.id))).all())


async def purge(
    organization_id: int | None = None,
    client_factory: Callable[[], MarketDataClient] = MarketDataClient,
) -> dict[int, dict[str, str]]:
    """Run the pending deletions (of one organisation, or all); {org: {service: error}} left."""
    with session_scope() as session:
        rows = [
            (r.id, r.organization_id, list(r.pending)) for r in pending(session, organization_id)
        ]
    left: dict[int, dict[str, str]] = {}
    if not rows:
        return left
    async with client_factory() as client:
        for row_id, org_id, services in rows:
            errors: dict[str, str] = {}
            for service in services:
                try:
                    answer = await client.delete_organization_companies(service, org_id)
                    logger.info(
                        "organisation %s: %s deleted %s companies", org_id, service, answer.deleted
                    )
                except MarketDataError as exc:
                    errors[service] = str(exc)
                    logger.warning(
                        "organisation %s: %s did not delete its companies: %s", org_id, service, exc
                    )
            with session_scope() as session:
                row = session.get(OrganizationDataDeletion, row_id)
                if row is None:
                    continue
                row.pending = [s for s in services if s in errors]
                row.attempts += 1
                row.last_error = "; ".join(f"{s}: {e}" for s, e in errors.items())[:1000]
                row.completed_at = None if errors else utcnow()
                session.add(row)
            if errors:
                left[org_id] = errors
    return left


def purge_sync(organization_id: int | None = None) -> dict[int, dict[str, str]]:
    return asyncio.run(purge(organization_id))
