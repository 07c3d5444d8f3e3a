"""Telling people what changed: e-mail digests and webhook posts (both run by beat)."""

from __future__ import annotations

from dataclasses import asdict

from marketnav.db import session_scope
from marketnav.services.watching import digests, webhooks
from tasks.celery_app import app


@app.task(name="tasks.watching.send_digests")
def send_digests() -> dict:
    """One e-mail a person for their pending notifications; counts of what was sent."""
    return asdict(digests.send_pending(session_scope))


@app.task(name="tasks.watching.deliver_webhooks")
def deliver_webhooks() -> dict:
    """Post the due webhook deliveries (retries included); counts by outcome."""
    return asdict(webhooks.deliver_due(session_scope))
