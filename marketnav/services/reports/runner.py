"""Executing a run inside a worker, and recovering runs whose worker disappeared.

`execute(run_id, worker)` claims the run for one attempt (a token unique to this execution: a
second delivery while a live attempt holds it does nothing, even on the same node), runs the
type's pipeline with a heartbeat and cancel watcher on a thread of its own, then marks the run
completed, failed or cancelled. Every write of an attempt is fenced (`runs.fenced_run`): once
the run was re-queued and claimed by another attempt, the stale one writes nothing more.
A completed run's export files are written after it is marked completed (and its final
progress event is out): the user reads the version meanwhile, and a download renders any file
not stored yet (`exports.write_exports`). `recover_stalled()` (beat) re-queues runs whose
heartbeat stopped and fails runs past their deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlmodel import select

from marketnav.db import session_scope
from marketnav.models import Project, Report, ReportRun
from marketnav.models.base import utcnow
from marketnav.services import progress, project_inputs, projects
from marketnav.services.ai import ProjectInputsData, flush_call_records
from marketnav.services.errors import DomainError
from marketnav.services.reports import exports, version_changes
from marketnav.services.reports.context import RunCancelled, RunContext, RunInfo
from marketnav.services.reports.runs import (
    StaleAttempt,
    fail_running_steps,
    fenced_run,
    heartbeat_stale,
    mark_finished,
)
from marketnav.services.reports.tracker import ReportProgressTracker, subject_for_project
from marketnav.services.storage import get_storage
from marketnav.services.watching import notifications, webhooks
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10.0
CANCEL_POLL_SECONDS = 0.5

Pipeline = Callable[[RunContext], Awaitable[None]]


def pipeline_for(report_type: str) -> Pipeline:
    module = importlib.import_module(f"marketnav.services.reports.pipelines.{report_type}")
    return module.run


@dataclass(frozen=True)
class Outcome:
    status: str
    error: str = ""
    # time.perf_counter() when the final status was committed and published (what the user
    # sees), and the export files written after a completion (format -> key).
    finished_at: float = 0.0
    files: dict[str, str] = field(default_factory=dict)


def _claim(run_id: int, worker: str) -> RunInfo | None:
    """Mark the run running for this worker, or None when there is nothing to do."""
    settings = get_settings()
    with session_scope() as session:
        run = session.get(ReportRun, run_id)
        if run is None or run.status in ("completed", "failed", "cancelled"):
            return None
        if run.status == "running" and run.worker != worker and not heartbeat_stale(run):
            return None  # a live worker has it (duplicate delivery)
        report = session.get(Report, run.report_id)
        project = session.get(Project, report.project_id) if report else None
        if report is None or project is None or project.status == "deleted":
            mark_finished(run, "cancelled", "The project was deleted.")
            session.add(run)
            return None
        if run.cancel_requested:
            mark_finished(run, "cancelled", "Cancelled.")
            session.add(run)
            return None
        now = utcnow()
        run.status, run.worker, run.heartbeat_at = "running", worker, now
        run.started_at = run.started_at or now
        run.deadline_at = run.deadline_at or now + timedelta(
            minutes=settings.report_deadline_minutes
        )
        session.add(run)
        inputs = projects.get_inputs(session, project)
        return RunInfo(
            run_id=run.id,
            report_id=report.id,
            report_type=report.report_type,
            version=run.version,
            project_id=project.id,
            project_name=project.name,
            organization_id=project.organization_id,
            inputs=ProjectInputsData(**project_inputs.as_dict(inputs)),
            inputs_hash=run.inputs_hash,
            partial_data_confirmed=run.partial_data_confirmed,
            worker=worker,
        )


def heartbeat_interval() -> float:
    """Beat well within the timeout, so a long step never makes a live run look orphaned."""
    return min(HEARTBEAT_SECONDS, get_settings().report_heartbeat_timeout_seconds / 3)


class RunWatcher:
    """Heartbeat, cancel, deadline and fence checks for one attempt, on a thread of its own.

    On its own thread, a step that blocks the event loop (a PDF render, a slow object-store
    write) cannot stop the heartbeat; a database error is logged and retried at the next poll,
    never the end of the watcher (else Cancel would never arrive). `stop_reason` says why it
    stopped the pipeline: "cancelled" or "stale" (another attempt holds the run).
    """

    def __init__(self, run_id: int, worker: str, main: asyncio.Task):
        self.run_id, self.worker, self.main = run_id, worker, main
        self.loop = main.get_loop()
        self.stop_reason = ""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"watch-{run_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()

    def _run(self) -> None:
        interval = heartbeat_interval()
        last_beat, last_error_log = 0.0, 0.0
        while not self._done.wait(CANCEL_POLL_SECONDS):
            beat = time.monotonic() - last_beat >= interval
            try:
                cancelled = _check_run(self.run_id, self.worker, beat)
            except StaleAttempt:
                self._stop_pipeline("stale")
                return
            except Exception:  # the database is down for a moment: keep watching
                if time.monotonic() - last_error_log >= 30:
                    logger.exception("report run %s: heartbeat/cancel check failed", self.run_id)
                    last_error_log = time.monotonic()
                continue
            if beat:
                last_beat = time.monotonic()
            if cancelled:
                self._stop_pipeline("cancelled")
                return

    def _stop_pipeline(self, reason: str) -> None:
        self.stop_reason = reason
        with contextlib.suppress(RuntimeError):  # the loop already closed: the run is over
            self.loop.call_soon_threadsafe(self.main.cancel)


def _check_run(run_id: int, worker: str, beat: bool) -> bool:
    """True when the run is to stop (cancelled or past its deadline); StaleAttempt when
    this attempt no longer holds it."""
    with session_scope() as session:
        run = fenced_run(session, run_id, worker)
        if run.deadline_at and utcnow() > run.deadline_at:
            run.cancel_requested = True
            run.error_message = "The report passed its deadline and was stopped."
        if beat:
            run.heartbeat_at = utcnow()
        session.add(run)
        return run.cancel_requested


async def _run_pipeline(ctx: RunContext) -> None:
    pipeline = pipeline_for(ctx.info.report_type)
    watcher = RunWatcher(ctx.info.run_id, ctx.info.worker, asyncio.current_task())
    watcher.start()
    try:
        await pipeline(ctx)
    except asyncio.CancelledError as err:
        if watcher.stop_reason == "stale":
            raise StaleAttempt(f"run {ctx.info.run_id} was taken over") from err
        raise RunCancelled() from err
    finally:
        watcher.stop()


def execute(run_id: int, worker: str = "") -> Outcome:
    """Run (or resume) one report run to its end. Never raises for a domain failure.

    Outcome "superseded": another attempt took the run over while this one stalled; this one
    stopped without writing.
    """
    attempt = f"{worker or 'worker'}#{uuid.uuid4().hex[:12]}"  # unique per execution
    info = _claim(run_id, attempt)
    if info is None:
        return Outcome("skipped")
    tracker = ReportProgressTracker(
        run_id, info.report_id, info.project_id, info.report_type, worker=attempt
    )
    tracker.publish()
    ctx = RunContext(
        info=info,
        tracker=tracker,
        storage=get_storage(),
        fan_out_limit=get_settings().report_fan_out,
    )
    try:
        _run_in_new_loop(_run_pipeline(ctx), ctx.fan_out_limit)
    except StaleAttempt:
        return _superseded(run_id, attempt)
    except RunCancelled:
        return _finish(ctx, "cancelled", _cancel_reason(run_id))
    except DomainError as err:
        return _finish(ctx, "failed", str(err))
    except Exception as err:  # a bug: the user sees a safe message, the log the traceback
        logger.exception("report run %s crashed", run_id)
        return _finish(ctx, "failed", f"The report failed unexpectedly ({type(err).__name__}).")
    outcome = _finish(ctx, "completed")
    if outcome.status != "completed":
        return outcome
    # The run is complete for everyone; its files are written now, in this worker slot (a
    # failure is logged and the download renders that format instead).
    written = exports.write_exports(run_id, ctx.storage, ctx.prefix)
    return replace(outcome, files=written.files)


def _run_in_new_loop(coro: Awaitable[None], fan_out: int) -> None:
    """`asyncio.run`, minus waiting for threads the run abandoned.

    AI calls run in threads (`acomplete_structured`); the pool is sized for the run's fan-out
    (the default is min(32, cores + 4), only 6 on two cores). A cancelled run stops awaiting
    its calls at once, but `asyncio.run` would still wait for the threads to return (an AI
    call can take a minute) before the run could be marked cancelled; here they finish in the
    background and their answers are dropped.
    """
    executor = ThreadPoolExecutor(max_workers=fan_out * 2 + 4, thread_name_prefix="report")
    loop = asyncio.new_event_loop()
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(coro)
    finally:
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()
            executor.shutdown(wait=False, cancel_futures=True)


def _cancel_reason(run_id: int) -> str:
    with session_scope() as session:
        run = session.get(ReportRun, run_id)
        return (run.error_message if run else "") or "Cancelled."


def _superseded(run_id: int, attempt: str) -> Outcome:
    logger.warning("report run %s: attempt %s was superseded; it stopped", run_id, attempt)
    return Outcome("superseded", "Another attempt holds this run.")


def _finish(ctx: RunContext, status: str, error: str = "") -> Outcome:
    try:
        return _finish_fenced(ctx, status, error)
    except StaleAttempt:
        return _superseded(ctx.info.run_id, ctx.info.worker)


def _finish_fenced(ctx: RunContext, status: str, error: str) -> Outcome:
    told: list[int] = []
    flush_call_records()  # a finished run's AI calls are all on record
    if status == "completed":
        ctx.write_sections()  # any added after the last step (none in the shipped pipelines)
    with session_scope() as session:
        run = fenced_run(session, ctx.info.run_id, ctx.info.worker)
        ctx.tracker.write_pending(session, run)  # the last feed rows, with the run's end
        mark_finished(run, status, error)
        if status == "completed":
            run.progress = 100
            run.current_step = "Complete"
            run.data = ctx.summary
            run.changes_summary = ctx.changes_summary[:500]
            since = version_changes.since_previous(session, run, ctx.info.report_type)
            if since.previous and since.comparable:
                # Kept with the version: what notifications and digests tell people.
                run.data = {**run.data, "market_changes": version_changes.stored(since)}
                told = notifications.record(session, run)
                webhooks.record(session, run)
            report = session.get(Report, run.report_id)
            report.latest_version = max(report.latest_version, run.version)
            session.add(report)
        session.add(run)
    ctx.tracker.finish(status, error)
    for user_id in told:  # the bells of the followers told (after the commit)
        progress.publish(notifications.subject_for_user(user_id), {"type": "notification"})
    return Outcome(status, error, finished_at=time.perf_counter())


@dataclass(frozen=True)
class Recovery:
    resumed: list[int]
    failed: list[int]


def recover_stalled() -> Recovery:
    """Beat: fail runs past their deadline; runs whose worker stopped beating are to resume."""
    resumed: list[int] = []
    failed: list[tuple[int, int]] = []
    with session_scope() as session:
        rows = session.exec(
            select(ReportRun, Report)
            .join(Report, Report.id == ReportRun.report_id)
            .where(ReportRun.status == "running")
        ).all()
        for run, report in rows:
            if not heartbeat_stale(run):
                continue
            if run.deadline_at and utcnow() > run.deadline_at:
                mark_finished(
                    run, "failed", "The report stopped responding and passed its deadline."
                )
                fail_running_steps(session, run.id, "The worker stopped before this step finished.")
                failed.append((run.id, report.project_id))
            else:
                run.worker = ""
                resumed.append(run.id)
            session.add(run)
    for run_id, project_id in failed:
        progress.publish(
            subject_for_project(project_id), {"type": "report_status", "run_id": run_id}
        )
    return Recovery(resumed, [run_id for run_id, _ in failed])
