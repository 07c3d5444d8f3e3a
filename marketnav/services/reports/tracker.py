"""ReportProgressTracker: a run's steps in the database, published on the progress bus.

The tracker is the only writer of a run's step rows while a worker holds the run. Every
mutation recomputes the weighted progress and is published in a snapshot (steps, details, ETA)
to `project:{id}:reports`, which every open project or report page of that project listens to;
the changes made in one turn of the run's loop (ten memos starting at once) share one snapshot.
Overall progress = sum(weight x step percent) / sum(weight), where completed and skipped steps
count 100 and failed or pending ones 0 (PREDECESSOR.md 4.8).

A step's end (completed with its checkpoint, failed, skipped) is written before it is
published; the ends reached together (`end_step`: a fan-out's steps) share one transaction.
A step's start, feed rows, messages and percentages are written behind: with the next end,
the run's end, or once `write_interval` has passed since the last write, all pending steps
in one transaction. A write is a locked transaction (~9 ms) on the run's event loop and a
Crunchbase Analysis changes its steps about 90 times; a page reloaded meanwhile reads the
database at most `write_interval` behind, and the next snapshot brings it up to date.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from marketnav.db import session_scope
from marketnav.models import ReportRun, ReportStep, StepTiming
from marketnav.models.base import utcnow
from marketnav.services import progress
from marketnav.services.reports.catalog import spec_for
from marketnav.services.reports.eta import StepHistory, StepState, estimate, load_history
from marketnav.services.reports.runs import StaleAttempt, fenced_run

logger = logging.getLogger(__name__)

MAX_DETAILS = 50
DETAILS_IN_EVENT = 20
WRITE_INTERVAL_SECONDS = 0.5  # at most this far behind the published progress
STEP_FIELDS = (
    "status",
    "progress_percent",
    "message",
    "started_at",
    "completed_at",
    "duration_seconds",
    "error_message",
    "details",
    "step_metadata",
    "checkpoint",
)


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()  # every waiter may have been cancelled: not "never retrieved"


def subject_for_project(project_id: int) -> str:
    return f"project:{project_id}:reports"


def weighted_progress(steps: list[ReportStep]) -> int:
    total = sum(s.weight for s in steps)
    if not total:
        return 0
    done = 0.0
    for step in steps:
        if step.status in ("completed", "skipped"):
            done += step.weight * 100
        elif step.status == "running":
            done += step.weight * step.progress_percent
    return int(done / total)


def step_view(step: ReportStep, details_limit: int = DETAILS_IN_EVENT) -> dict[str, Any]:
    """A step as pages show it."""
    return {
        "key": step.step_key,
        "number": step.step_number,
        "name": step.step_name,
        "weight": step.weight,
        "status": step.status,
        "progress": step.progress_percent,
        "message": step.message,
        "duration": round(step.duration_seconds, 1) if step.duration_seconds is not None else None,
        "started_at": step.started_at.timestamp() if step.started_at else None,
        "error": step.error_message,
        "details": step.details[-details_limit:],
        "detail_count": len(step.details),
    }


def build_snapshot(
    *,
    report_id: int,
    report_type: str,
    run_id: int,
    version: int,
    status: str,
    error: str,
    steps: list[ReportStep],
    history: dict[str, StepHistory],
) -> dict[str, Any]:
    """The progress payload pages render: steps, details, weighted progress and ETA."""
    ordered = sorted(steps, key=lambda s: s.step_number)
    states = [
        StepState(s.step_key, s.step_name, s.status, s.started_at, s.duration_seconds)
        for s in ordered
    ]
    running = next((s for s in ordered if s.status == "running"), None)
    return {
        "type": "report_progress",
        "report_id": report_id,
        "report_type": report_type,
        "run_id": run_id,
        "version": version,
        "status": status,
        "progress": 100 if status == "completed" else weighted_progress(ordered),
        "current_step": (running.message or running.step_name) if running else "",
        "error": error,
        "steps": [step_view(s) for s in ordered],
        "eta": estimate(states, history, utcnow()),
        "published_at": time.time(),
    }


def initialize_steps(session: Session, run: ReportRun, report_type: str) -> list[ReportStep]:
    """Create the run's pending steps once (a resumed run keeps its rows)."""
    existing = session.exec(select(ReportStep).where(ReportStep.run_id == run.id)).all()
    if existing:
        return sorted(existing, key=lambda s: s.step_number)
    rows = [
        ReportStep(
            run_id=run.id,
            step_number=number,
            step_key=spec.key,
            step_name=spec.name,
            weight=spec.weight,
            message=spec.description,
        )
        for number, spec in enumerate(spec_for(report_type).steps, start=1)
    ]
    session.add_all(rows)
    session.flush()
    return rows


class ReportProgressTracker:
    """Record a run's step transitions and broadcast them."""

    def __init__(
        self,
        run_id: int,
        report_id: int,
        project_id: int,
        report_type: str,
        worker: str = "",
        write_interval: float = WRITE_INTERVAL_SECONDS,
    ):
        """`worker` is the attempt holding the run: each write is refused once it lost it."""
        self.run_id, self.report_id, self.worker = run_id, report_id, worker
        self.write_interval = write_interval
        self._pending: set[str] = set()  # steps changed since the last write
        self._pending_timings: list[tuple[str, float]] = []
        self._written_at = time.monotonic()
        self.fenced_at: float | None = None  # monotonic time of the last fenced write
        self.cancel_requested = False
        self._flush_timer: asyncio.TimerHandle | None = None
        # Step ends waiting for their one shared write (`end_step`), and what it writes too.
        self._ends: asyncio.Future | None = None
        self._ends_also: list[Callable[[Session], None]] = []
        self._publish_soon: asyncio.Handle | None = None
        self.project_id, self.report_type = project_id, report_type
        self.subject = subject_for_project(project_id)
        with session_scope() as session:
            run = session.get(ReportRun, run_id)
            if run is None:
                raise LookupError(f"run {run_id} not found")
            self.version = run.version
            self._steps = {s.step_key: s for s in initialize_steps(session, run, report_type)}
            for step in self._steps.values():
                session.expunge(step)
            self._history = load_history(session, report_type)
        self._status = "running"

    # -- queries -------------------------------------------------------------------------

    def status_of(self, key: str) -> str:
        return self._step(key).status

    @property
    def step_keys(self) -> list[str]:
        return list(self._steps)

    def step_name(self, key: str) -> str:
        return self._step(key).step_name

    def checkpoint(self, key: str) -> dict[str, Any]:
        return dict(self._step(key).checkpoint)

    @property
    def progress(self) -> int:
        return weighted_progress(list(self._steps.values()))

    def snapshot(self, status: str | None = None, error: str = "") -> dict[str, Any]:
        return build_snapshot(
            report_id=self.report_id,
            report_type=self.report_type,
            run_id=self.run_id,
            version=self.version,
            status=status or self._status,
            error=error,
            steps=list(self._steps.values()),
            history=self._history,
        )

    # -- mutations -----------------------------------------------------------------------

    def start_step(self, key: str, message: str = "") -> None:
        def change(step: ReportStep) -> None:
            step.status, step.started_at, step.progress_percent = "running", utcnow(), 0
            step.completed_at, step.duration_seconds, step.error_message = None, None, ""
            step.message = message or step.step_name

        self._mutate(key, change)  # a resumed run redoes a running step as a pending one

    def update_step_progress(self, key: str, percent: int) -> None:
        self._mutate(key, lambda s: setattr(s, "progress_percent", max(0, min(100, percent))))

    def update_step_message(self, key: str, message: str, percent: int | None = None) -> None:
        def change(step: ReportStep) -> None:
            step.message = message[:500]
            if percent is not None:
                step.progress_percent = max(0, min(100, percent))

        self._mutate(key, change)

    def add_step_detail(
        self, key: str, detail_type: str, message: str, data: dict[str, Any] | None = None
    ) -> None:
        detail: dict[str, Any] = {
            "type": detail_type,
            "message": message,
            "timestamp": time.time(),
            "data": data or {},
        }

        def change(step: ReportStep) -> None:
            step.details = [*step.details, detail][-MAX_DETAILS:]

        self._mutate(key, change)

    def complete_step(
        self,
        key: str,
        metadata: dict[str, Any] | None = None,
        checkpoint: dict[str, Any] | None = None,
    ) -> None:
        self._mutate(key, self._completion(metadata, checkpoint), step_end=True, timed=True)

    async def end_step(
        self,
        key: str,
        metadata: dict[str, Any] | None = None,
        checkpoint: dict[str, Any] | None = None,
        *,
        write_also: Callable[[Session], None] | None = None,
    ) -> None:
        """`complete_step` for steps that may end together (a fan-out's memos or categories).

        The ends reached in one turn of the run's loop, and `write_also(session)` (the steps'
        sections), are written in one transaction and published in one snapshot after it;
        returns once this step's end is committed (raises what the write raised). Ten ends
        arriving at once were ten fenced transactions one after another on the loop, ~0.2 s
        before the next stage could start.
        """
        self._change(key, self._completion(metadata, checkpoint), timed=True)
        if write_also is not None and write_also not in self._ends_also:
            self._ends_also.append(write_also)
        if self._ends is None:
            loop = asyncio.get_running_loop()
            self._ends = loop.create_future()
            self._ends.add_done_callback(_retrieve)
            loop.call_soon(self._write_ends)
        # Shielded: a step cancelled meanwhile must not cancel the others' write.
        await asyncio.shield(self._ends)

    def _completion(
        self, metadata: dict[str, Any] | None, checkpoint: dict[str, Any] | None
    ) -> Callable[[ReportStep], None]:
        def change(step: ReportStep) -> None:
            now = utcnow()
            step.status, step.progress_percent, step.completed_at = "completed", 100, now
            step.duration_seconds = (
                (now - step.started_at).total_seconds() if step.started_at else 0
            )
            step.step_metadata = metadata or {}
            step.checkpoint = checkpoint or {}

        return change

    def _write_ends(self) -> None:
        ends, self._ends = self._ends, None
        write_also, self._ends_also = self._ends_also, []
        try:
            with session_scope() as session:
                run = fenced_run(session, self.run_id, self.worker)
                for write in write_also:
                    write(session)
                self.write_pending(session, run)
            self._written()
            self.publish()  # every change made while the ends waited is in this snapshot
        except Exception as err:
            ends.set_exception(err)
        else:
            ends.set_result(None)

    def fail_step(self, key: str, error: str) -> None:
        def change(step: ReportStep) -> None:
            now = utcnow()
            step.status, step.error_message, step.completed_at = "failed", error[:2000], now
            step.duration_seconds = (
                (now - step.started_at).total_seconds() if step.started_at else 0
            )

        self._mutate(key, change, step_end=True)

    def skip_step(self, key: str, reason: str) -> None:
        def change(step: ReportStep) -> None:
            step.status, step.progress_percent = "skipped", 100
            step.step_metadata = {"skip_reason": reason}
            step.message = reason[:500]
            step.duration_seconds = 0.0

        self._mutate(key, change, step_end=True)

    def finish(self, status: str, error: str = "") -> None:
        """Publish the final snapshot; the caller committed the run's end and, in the same
        transaction, `write_pending`."""
        self._written()
        self._status = status
        self._drop_scheduled_publish()  # never a running snapshot after the last one
        progress.publish(self.subject, self.snapshot(status=status, error=error))

    def publish(self) -> None:
        """Publish the current snapshot now (a publication still scheduled is dropped)."""
        self._drop_scheduled_publish()
        progress.publish(self.subject, self.snapshot())

    def _drop_scheduled_publish(self) -> None:
        if self._publish_soon is not None:
            self._publish_soon.cancel()
            self._publish_soon = None

    def _publish_later(self) -> None:
        """Publish once the run's loop has run what is ready: the changes made meanwhile go
        in the same snapshot. Ten memos started at once changed their steps twenty times in
        one turn of the loop, and every snapshot (all steps, the ETA, ~2 ms) held back the
        next start."""
        if self._ends is not None:
            return  # step ends are not written yet: their write publishes this change
        if self._publish_soon is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # driven outside a run's loop
            self.publish()
            return
        self._publish_soon = loop.call_soon(self._publish_scheduled)

    def _publish_scheduled(self) -> None:
        self._publish_soon = None
        if self._ends is None:  # else step ends came meanwhile: their write publishes
            self.publish()

    # -- internals -----------------------------------------------------------------------

    def _step(self, key: str) -> ReportStep:
        try:
            return self._steps[key]
        except KeyError:
            raise KeyError(f"{self.report_type} has no step {key!r}") from None

    def _change(self, key: str, change, *, timed: bool = False) -> None:
        """Apply `change` to step `key` in memory; it is pending until the next write. `timed`:
        the step completed, its duration is a sample for the ETA."""
        step = self._step(key)
        change(step)
        self._pending.add(key)
        if timed and (step.duration_seconds or 0) > 0:
            self._pending_timings.append((key, step.duration_seconds))

    def _mutate(self, key: str, change, *, step_end: bool = False, timed: bool = False) -> None:
        self._change(key, change, timed=timed)
        # Written before the snapshot goes out, so an attempt that lost the run (StaleAttempt
        # from the fence) publishes nothing; a stalled attempt's next write is always due.
        if step_end or time.monotonic() - self._written_at >= self.write_interval:
            self.flush()
        else:
            self._flush_later()
        self._publish_later()

    def _flush_later(self) -> None:
        """Write the pending changes `write_interval` from now, should nothing write them
        before: a step that starts and then waits a minute on one call is 'running' in the
        database meanwhile."""
        if self._flush_timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # driven outside a run's loop: the next write takes them
            return
        self._flush_timer = loop.call_later(self.write_interval, self._timed_flush)

    def _timed_flush(self) -> None:
        self._flush_timer = None
        try:
            self.flush()
        except StaleAttempt:
            pass  # another attempt holds the run: the run's watcher stops this one
        except Exception:  # the database is away for a moment: the next write retries
            logger.warning("report run %s: progress write failed", self.run_id, exc_info=True)

    def flush(self) -> None:
        """Write every pending step change now (its own transaction)."""
        if self._pending:  # a timing always comes with its step's change
            with session_scope() as session:
                self.write_pending(session)
            self._written()

    def write_pending(self, session: Session, run: ReportRun | None = None) -> None:
        """Write the pending step changes, the run's progress and heartbeat in `session`
        (`run`: the run row the caller already holds through `fenced_run`)."""
        # The run row first, as every write of the attempt: a frozen attempt then blocks
        # the others on one row, never on a step row after the run was taken over.
        run = run or fenced_run(session, self.run_id, self.worker)
        for key in sorted(self._pending):
            step = self._steps[key]
            session.execute(
                update(ReportStep)
                .where(ReportStep.id == step.id)
                .values({name: getattr(step, name) for name in STEP_FIELDS})
            )
        run.progress = self.progress
        running = next((s for s in self._steps.values() if s.status == "running"), None)
        run.current_step = (running.message or running.step_name)[:255] if running else ""
        run.heartbeat_at = utcnow()
        for key, seconds in self._pending_timings:
            session.add(
                StepTiming(report_type=self.report_type, step_key=key, duration_seconds=seconds)
            )
        session.add(run)
        self.cancel_requested = run.cancel_requested

    def _written(self) -> None:
        """The pending changes are committed."""
        self._pending.clear()
        self._pending_timings.clear()
        self._written_at = self.fenced_at = time.monotonic()
