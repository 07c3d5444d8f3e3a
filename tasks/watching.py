"""Telling people what changed: the e-mail digests (beat, every DIGEST_INTERVAL_SECONDS)."""

from __future__ import annotations

from dataclasses import asdict

from marketnav.db import session_scope
from marketnav.services.watching import digests
from tasks.celery_app import app


@app.task(name="tasks.watching.send_digests")
def send_digests() -> dict:
    """One e-mail a person for their pending notifications; counts of what was sent."""
    return asdict(digests.send_pending(session_scope))
