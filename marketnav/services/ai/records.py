"""Recording every AI call, and the lookups for the report view and the status page."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import case, delete, func
from sqlmodel import Session, col, select

from marketnav.db import get_engine, session_scope
from marketnav.models.ai import AICallRecord
from marketnav.models.base import utcnow
from marketnav.services.ai.record_writer import writer


class CallContext(BaseModel):
    """What a call is for: the subject it is accounted to (e.g. report 12) and its organisation."""

    model_config = ConfigDict(frozen=True)

    subject_type: str | None = None
    subject_id: str | None = None
    organization_id: int | None = None

    @field_validator("subject_id", mode="before")
    @classmethod
    def _stringify(cls, value: object) -> object:
        return None if value is None else str(value)


class CallOutcome(BaseModel):
    """One attempt's accounting data, written as an AICallRecord."""

    feature: str
    operation: str = ""
    request_id: str = ""
    attempt: int = 1
    provider: str
    model: str = ""
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = True
    ok: bool = True
    error_kind: str = ""
    cached: bool = False


class AICallView(BaseModel):
    """A call record as the UI shows it."""

    id: int
    created_at: datetime
    feature: str
    operation: str
    provider: str
    model: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_known: bool
    ok: bool
    error_kind: str
    cached: bool
    attempt: int
    request_id: str


class SubjectUsage(BaseModel):
    """Totals of the calls accounted to one subject (shown per report)."""

    calls: list[AICallView]
    total_calls: int
    failed_calls: int
    cached_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    # True when some model had no price, so the total is a lower bound.
    cost_incomplete: bool
    providers: list[str]


class ProviderUsage(BaseModel):
    """Per provider and model totals for the status page."""

    provider: str
    model: str
    calls: int
    failed_calls: int
    cached_calls: int
    avg_latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_incomplete: bool


class UsageSummary(BaseModel):
    """All AI usage in a period, for the status page."""

    since: datetime | None
    total_calls: int
    failed_calls: int
    cached_calls: int
    cost_usd: float
    by_provider: list[ProviderUsage]


def record_call(outcome: CallOutcome, context: CallContext | None = None) -> None:
    """Queue one call record for the writer thread (`record_writer`): the call does not wait
    for the database, and accounting never breaks the call (a failed write is logged)."""
    fields = {
        **outcome.model_dump(),
        **(context or CallContext()).model_dump(),
        "created_at": utcnow(),  # when the call ended, not when the writer got to it
    }
    writer.put(get_engine(), lambda: AICallRecord(**fields))


def flush_call_records() -> bool:
    """Wait until this process's queued call records are written; False on a timeout."""
    return writer.flush()


def _view(record: AICallRecord) -> AICallView:
    return AICallView.model_validate(record, from_attributes=True)


def calls_for_subject(subject_type: str, subject_id: str | int) -> SubjectUsage:
    """Every call accounted to a subject (e.g. "report", 12), oldest first, with totals."""
    writer.flush()  # this process's own calls are counted
    with session_scope() as session:
        records = session.exec(
            select(AICallRecord)
            .where(AICallRecord.subject_type == subject_type)
            .where(AICallRecord.subject_id == str(subject_id))
            .order_by(col(AICallRecord.created_at), col(AICallRecord.id))
        ).all()
        calls = [_view(r) for r in records]
    return SubjectUsage(
        calls=calls,
        total_calls=len(calls),
        failed_calls=sum(1 for c in calls if not c.ok),
        cached_calls=sum(1 for c in calls if c.cached),
        prompt_tokens=sum(c.prompt_tokens for c in calls),
        completion_tokens=sum(c.completion_tokens for c in calls),
        cost_usd=round(sum(c.cost_usd for c in calls), 6),
        cost_incomplete=any(not c.cost_known for c in calls),
        providers=list(dict.fromkeys(c.provider for c in calls)),
    )


def recent_calls(limit: int = 50, organization_id: int | None = None) -> list[AICallView]:
    """The latest calls, newest first (optionally for one organisation)."""
    writer.flush()  # this process's own calls are counted
    with session_scope() as session:
        query = select(AICallRecord)
        if organization_id is not None:
            query = query.where(AICallRecord.organization_id == organization_id)
        query = query.order_by(col(AICallRecord.created_at).desc(), col(AICallRecord.id).desc())
        return [_view(r) for r in session.exec(query.limit(limit)).all()]


def usage_summary(
    since: datetime | None = None,
    organization_id: int | None = None,
    organization_ids: list[int] | None = None,
) -> UsageSummary:
    """Totals per provider and model since `since` (all time when None).

    `organization_id` / `organization_ids` narrow it to calls made for those organisations.
    """
    writer.flush()  # this process's own calls are counted
    not_ok = func.sum(case((col(AICallRecord.ok).is_(False), 1), else_=0))
    cached = func.sum(case((col(AICallRecord.cached).is_(True), 1), else_=0))
    unknown = func.sum(case((col(AICallRecord.cost_known).is_(False), 1), else_=0))
    query = select(
        AICallRecord.provider,
        AICallRecord.model,
        func.count(),
        not_ok,
        cached,
        func.avg(AICallRecord.latency_ms),
        func.sum(AICallRecord.prompt_tokens),
        func.sum(AICallRecord.completion_tokens),
        func.sum(AICallRecord.cost_usd),
        unknown,
    ).group_by(AICallRecord.provider, AICallRecord.model)
    if since is not None:
        query = query.where(AICallRecord.created_at >= since)
    if organization_id is not None:
        query = query.where(AICallRecord.organization_id == organization_id)
    if organization_ids is not None:
        query = query.where(col(AICallRecord.organization_id).in_(organization_ids))
    with session_scope() as session:
        rows = session.exec(query.order_by(AICallRecord.provider, AICallRecord.model)).all()
    by_provider = [
        ProviderUsage(
            provider=provider,
            model=model,
            calls=calls,
            failed_calls=int(failed or 0),
            cached_calls=int(hits or 0),
            avg_latency_ms=round(float(latency or 0.0), 1),
            prompt_tokens=int(prompt or 0),
            completion_tokens=int(completion or 0),
            cost_usd=round(float(cost or 0.0), 6),
            cost_incomplete=bool(missing),
        )
        for provider, model, calls, failed, hits, latency, prompt, completion, cost, missing in rows
    ]
    return UsageSummary(
        since=since,
        total_calls=sum(p.calls for p in by_provider),
        failed_calls=sum(p.failed_calls for p in by_provider),
        cached_calls=sum(p.cached_calls for p in by_provider),
        cost_usd=round(sum(p.cost_usd for p in by_provider), 6),
        by_provider=by_provider,
    )


def prune(session: Session, older_than_days: int) -> int:
    """Delete call records older than the retention window; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.exec(delete(AICallRecord).where(col(AICallRecord.created_at) < cutoff))
    return result.rowcount or 0
