"""Telling people what changed (beat): e-mail digests, webhook posts, followed companies."""

from __future__ import annotations

from dataclasses import asdict

from marketnav.db import session_scope
from marketnav.services.watching import company_follows, digests, webhooks
from tasks.celery_app import app


@app.task(name="tasks.watching.send_digests")
def send_digests() -> dict:
    """One e-mail a person for their pending notifications; counts of what was sent."""
    return asdict(digests.send_pending(session_scope))


@app.task(name="tasks.watching.deliver_webhooks")
def deliver_webhooks() -> dict:
    """Post the due webhook deliveries (retries included); counts by outcome."""
    return asdict(webhooks.deliver_due(session_scope))


@app.task(name="tasks.watching.check_companies")
def check_companies() -> dict:
    """Re-check the followed companies that are due with their data source."""
    return asdict(company_follows.check_due(session_scope))
