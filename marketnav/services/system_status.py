"""Live checks of every component, run by a Celery task and shown on the System status page."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

import httpx
from kombu import Connection
from sqlalchemy import text
from sqlmodel import Session, col, select

from marketnav.db import get_engine, session_scope
from marketnav.models import AuditLog, SystemCheck, User
from marketnav.models.base import utcnow
from marketnav.services import audit
from marketnav.services.ai import check_providers
from marketnav.services.errors import RateLimited
from marketnav.services.permissions import INSTANCE, Action, authorize
from marketnav.services.redis_client import get_redis
from marketnav.services.storage import get_storage
from marketnav.settings import get_settings


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    kind: str
    ok: bool
    latency_ms: float
    detail: str


def _timed(name: str, kind: str, probe: Callable[[], str]) -> ComponentStatus:
    start = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as err:  # any failure means "down"; the message says why
        detail, ok = f"{type(err).__name__}: {err}"[:300], False
    return ComponentStatus(name, kind, ok, round((time.perf_counter() - start) * 1000, 1), detail)


def _database() -> str:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return get_engine().dialect.name


def _broker() -> str:
    url = get_settings().celery_broker_url
    with Connection(url, connect_timeout=3) as connection:
        connection.ensure_connection(max_retries=1)
    return url.split(":", 1)[0]


def _redis() -> str:
    redis = get_redis()
    if redis is None:
        return "not configured (embedded defaults)"
    redis.ping()
    return "PONG"


def _storage() -> str:
    storage = get_storage()
    storage.ping()
    return storage.name


def _http_health(url: str, headers: dict[str, str] | None = None) -> Callable[[], str]:
    def probe() -> str:
        response = httpx.get(url, timeout=3.0, headers=headers)
        response.raise_for_status()
        body = response.json() if "json" in response.headers.get("content-type", "") else {}
        return str(body.get("source") or body.get("status") or response.status_code)

    return probe


def _ai_providers() -> list[ComponentStatus]:
    # The AI layer probes each configured provider; with no key it reports the offline analyser.
    return [
        ComponentStatus(f"AI: {p.name}", "ai", p.ok, round(p.latency_ms, 1), p.detail)
        for p in check_providers(timeout=5.0)
    ]


def run_checks() -> list[ComponentStatus]:
    """Check every component now."""
    settings = get_settings()
    token = {"X-Service-Token": settings.service_token}
    return [
        _timed("Database", "database", _database),
        _timed("Celery broker", "broker", _broker),
        _timed("Redis", "redis", _redis),
        _timed("Object storage", "storage", _storage),
        _timed(
            "Crunchbase service",
            "scraper",
            _http_health(f"{settings.crunchbase_api_url}/health", token),
        ),
        _timed(
            "Tracxn service", "scraper", _http_health(f"{settings.tracxn_api_url}/health", token)
        ),
        *_ai_providers(),
    ]


def run_and_store() -> SystemCheck:
    """Run the checks and keep the result for the status page."""
    results = run_checks()
    with session_scope() as session:
        row = SystemCheck(components=[asdict(r) for r in results])
        session.add(row)
        session.flush()
        return row


def latest() -> SystemCheck | None:
    with session_scope() as session:
        return session.exec(
            select(SystemCheck).order_by(col(SystemCheck.id).desc()).limit(1)
        ).first()


# "Check now": one queued check at a time for the whole instance. A request stays pending until
# a check result newer than it lands, or for at most CHECK_PENDING_SECONDS (a lost message).
CHECK_PENDING_SECONDS = 30
CHECK_REQUESTED = "system.check_requested"


def pending_check_seconds(session: Session) -> float:
    """How long the pending "Check now" request still blocks another one (0 = none pending)."""
    now = utcnow()
    requested = session.exec(
        select(AuditLog.created_at)
        .where(AuditLog.action == CHECK_REQUESTED)
        .where(col(AuditLog.created_at) >= now - timedelta(seconds=CHECK_PENDING_SECONDS))
        .order_by(col(AuditLog.created_at).desc())
        .limit(1)
    ).first()
    if requested is None:
        return 0.0
    answered = session.exec(
        select(SystemCheck.id).where(col(SystemCheck.created_at) >= requested).limit(1)
    ).first()
    if answered is not None:
        return 0.0
    return max(0.0, CHECK_PENDING_SECONDS - (now - requested).total_seconds())


def request_check(session: Session, user: User | None, client: str = "") -> None:
    """Allow and record one "Check now" (instance administrators only; one pending at a time).

    The caller queues the task after its transaction commits. Two requests in the same instant
    can both pass (the check is a read, then an insert); the limit is about unbounded clicking.
    """
    authorize(session, user, Action.INSTANCE_RUN_CHECK, INSTANCE)
    wait = pending_check_seconds(session)
    if wait > 0:
        raise RateLimited(
            "A check is already queued; its result shows here when it lands "
            f"(try again in {math.ceil(wait)} seconds if it does not)."
        )
    audit.record(session, CHECK_REQUESTED, user_id=user.id, client=client)
