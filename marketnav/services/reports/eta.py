"""ETA from the recency-weighted history of each step's duration (PREDECESSOR.md 4.9).

For each step: the last 20 durations of (report type, step key), newest first, weighted
linearly by recency (the i-th newest weighs (n - i) / (1 + ... + n)). No history -> the step's
default from the catalogue. Confidence by sample count: >= 10 high, >= 5 medium, else low; the
overall confidence is the lowest of the steps still to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketnav.models import StepTiming
from marketnav.services.reports.catalog import spec_for

HISTORY_SIZE = 20
_CONFIDENCE_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class StepHistory:
    avg_seconds: float
    samples: int

    @property
    def confidence(self) -> str:
        if self.samples >= 10:
            return "high"
        return "medium" if self.samples >= 5 else "low"


def recency_weighted_average(durations_newest_first: list[float]) -> float:
    """Linearly recency-weighted mean: the newest sample weighs most."""
    n = len(durations_newest_first)
    if n == 0:
        raise ValueError("no durations")
    total_weight = n * (n + 1) / 2
    return sum((n - i) * d for i, d in enumerate(durations_newest_first)) / total_weight


def load_history(session: Session, report_type: str) -> dict[str, StepHistory]:
    """History of every step of a report type (defaults where there is none), in one query."""
    spec = spec_for(report_type)
    newest_first = (
        func.row_number()
        .over(
            partition_by=StepTiming.step_key,
            order_by=(col(StepTiming.created_at).desc(), col(StepTiming.id).desc()),
        )
        .label("n")
    )
    ranked = (
        select(StepTiming.step_key, StepTiming.duration_seconds, newest_first)
        .where(StepTiming.report_type == report_type)
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.step_key, ranked.c.duration_seconds)
        .where(ranked.c.n <= HISTORY_SIZE)
        .order_by(ranked.c.step_key, ranked.c.n)
    ).all()
    durations: dict[str, list[float]] = {}
    for key, seconds in rows:
        durations.setdefault(key, []).append(seconds)
    history: dict[str, StepHistory] = {}
    for step in spec.steps:
        found = durations.get(step.key)
        history[step.key] = (
            StepHistory(recency_weighted_average(found), len(found))
            if found
            else StepHistory(step.default_seconds, 0)
        )
    return history


@dataclass(frozen=True)
class StepState:
    """What the estimator needs of one step of a run."""

    key: str
    name: str
    status: str
    started_at: datetime | None
    duration_seconds: float | None


def estimate(steps: list[StepState], history: dict[str, StepHistory], now: datetime) -> dict:
    """The `time_estimate` payload: totals, remaining, confidence and per-step figures."""
    elapsed = remaining = total = 0.0
    confidences: list[str] = []
    rows = []
    for step in steps:
        known = history.get(step.key, StepHistory(30.0, 0))
        total += known.avg_seconds
        running = step.status == "running"
        finished = step.status in ("completed", "skipped", "failed")
        if finished:
            elapsed += step.duration_seconds or 0.0
        elif running:
            in_step = (now - step.started_at).total_seconds() if step.started_at else 0.0
            elapsed += in_step
            remaining += max(0.0, known.avg_seconds - in_step)
            confidences.append(known.confidence)
        else:
            remaining += known.avg_seconds
            confidences.append(known.confidence)
        rows.append(
            {
                "step_key": step.key,
                "step_name": step.name,
                "avg_duration": round(known.avg_seconds, 1),
                "sample_count": known.samples,
                "confidence": known.confidence,
                "is_completed": finished,
                "is_running": running,
                "actual_duration": round(step.duration_seconds, 1)
                if step.duration_seconds is not None
                else None,
            }
        )
    overall = min(confidences, key=_CONFIDENCE_ORDER.__getitem__) if confidences else "high"
    return {
        "total_estimated_seconds": round(total, 1),
        "remaining_seconds": round(remaining, 1),
        "elapsed_seconds": round(elapsed, 1),
        "confidence": overall,
        "progress_percent": min(99, int(elapsed / total * 100)) if total else 0,
        "steps": rows,
    }
