"""Report runs through a real Celery `reports` worker (threads pool, as `run_stack.py` starts it).

The worker is a separate process with this test's settings: the market-data services over HTTP
(demo data set), the OpenAI-compatible test server (answers built from each request's schema,
optional delays), S3 on moto, and either Redis + PostgreSQL or the embedded SQLite defaults.
The tests start runs with `runs.start` and `tasks.reports.enqueue`, as the project page does,
then check the database, the object store and the progress bus.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from marketnav.models import Project, Report, ReportRun, ReportSection, ReportStep, StepTiming
from marketnav.models.base import utcnow
from marketnav.services import projects
from marketnav.services.reports import exports, runner, runs
from marketnav.services.reports.catalog import REPORT_ORDER, spec_for
from marketnav.services.reports.context import version_prefix
from marketnav.services.reports.tracker import subject_for_project
from marketnav.services.storage import get_storage
from marketnav.settings import get_settings
from tests import ai_fixtures
from tests.factories import make_project, make_user
from tests.support import report_stack
from tests.support.openai_test_server import Behaviour
from tests.support.report_stack import (
    HEARTBEAT_TIMEOUT,
    MODEL_KEYWORDS,
    PET_INPUTS,
    PROVIDER,
    ProgressRecorder,
    fresh_report_tasks,
    operation_of,
    reports_worker,
    schema_answer,
    use_schema_answers,
    wait_until,
)

openai_server = ai_fixtures.openai_server
fake_ai = ai_fixtures.fake_ai
report_env = report_stack.report_env
pg_stack = report_stack.pg_stack

pytestmark = pytest.mark.integration

FINAL = ("completed", "failed", "cancelled")
SLOW_CALL = 8.0  # seconds an AI call takes where a test needs one in flight


# -- helpers ------------------------------------------------------------------------------


def _project(db: Session, name: str = "Pet care"):
    user = make_user(db, f"{name.split()[0]} Owner", f"{name.split()[0].lower()}@example.com")
    project = make_project(db, user, name)
    projects.save_inputs(db, user, project.id, PET_INPUTS)
    db.commit()
    return user, project


def _start(db: Session, tasks, user, project_id: int, report_type: str) -> int:
    run = runs.start(db, user, project_id, report_type, confirm_partial=True)
    db.commit()
    tasks.enqueue(run.id)
    return run.id


def _run(db: Session, run_id: int) -> ReportRun:
    db.expire_all()
    return db.get(ReportRun, run_id)


def _steps(db: Session, run_id: int) -> dict[str, ReportStep]:
    db.expire_all()
    rows = db.exec(select(ReportStep).where(ReportStep.run_id == run_id)).all()
    return {s.step_key: s for s in rows}


def _sections(db: Session, run_id: int) -> list[ReportSection]:
    db.expire_all()
    return list(db.exec(select(ReportSection).where(ReportSection.run_id == run_id)).all())


def _wait_status(db: Session, run_id: int, statuses, timeout: float, worker=None) -> ReportRun:
    statuses = (statuses,) if isinstance(statuses, str) else statuses
    run = wait_until(lambda: (r := _run(db, run_id)).status in statuses and r, timeout, 0.1)
    if not run:
        current = _run(db, run_id)
        steps = {k: (s.status, s.error_message) for k, s in _steps(db, run_id).items()}
        log = worker.tail() if worker else ""
        pytest.fail(f"run {run_id} is {current.status}, not {statuses}: {steps}\n{log}")
    return run


def _wait_step(db: Session, run_id: int, key: str, status: str, timeout: float) -> ReportStep:
    step = wait_until(
        lambda: (s := _steps(db, run_id).get(key)) is not None and s.status == status and s,
        timeout,
        0.1,
    )
    assert step, f"step {key} of run {run_id} never became {status}: {_steps(db, run_id)}"
    return step


def _all_done(steps: dict[str, ReportStep]) -> bool:
    """Every step completed, but the web search: skipped (web discovery is off by default)."""
    return all(
        s.status == ("skipped" if key == "web_search" else "completed") for key, s in steps.items()
    )


def _timings(db: Session, report_type: str) -> Counter:
    db.expire_all()
    keys = db.exec(select(StepTiming.step_key).where(StepTiming.report_type == report_type))
    return Counter(keys.all())


def _prefix(db: Session, run_id: int) -> str:
    run = _run(db, run_id)
    report = db.get(Report, run.report_id)
    project = db.get(Project, report.project_id)
    return version_prefix(project.organization_id, project.id, report.report_type, run.version)


def _assert_completed(db: Session, run_id: int, report_type: str, recorder: ProgressRecorder):
    run = _run(db, run_id)
    assert run.status == "completed", run.error_message
    assert (run.progress, run.version) == (100, 1)
    steps = _steps(db, run_id)
    assert set(steps) == set(spec_for(report_type).step_keys)
    for key, step in steps.items():
        if key == "web_search":  # web discovery is off by default: skipped, saying why
            assert step.status == "skipped" and step.message, step.message
            continue
        assert step.status == "completed", (report_type, key, step.status, step.error_message)
        assert step.completed_at is not None and step.duration_seconds is not None
    sections = _sections(db, run_id)
    assert sections, f"{report_type} wrote no sections"
    keys = [s.section_key for s in sections]
    assert len(keys) == len(set(keys))
    assert all(s.markdown.strip() for s in sections)
    assert not run.data.get("offline_analysis"), f"{report_type} used the offline analyser"

    prefix = _prefix(db, run_id)
    assert prefix.startswith("organizations/") and f"/reports/{report_type}/v1/" in prefix
    stored = set(get_storage().list(prefix))
    expected = {f"report.{ext}" for ext in exports.formats_for(report_type)} | {"metadata.json"}
    missing = {name for name in expected if prefix + name not in stored}
    assert not missing, f"{report_type}: {missing} not in {sorted(stored)}"
    metadata = json.loads(get_storage().get(prefix + "metadata.json"))
    assert (metadata["run_id"], metadata["version"]) == (run_id, 1)
    assert metadata["report_type"] == report_type

    events = recorder.for_run(run_id)
    assert events, f"no progress events for {report_type}"
    values = [e["progress"] for e in events]
    assert values == sorted(values), f"{report_type} progress went backwards: {values}"
    assert events[-1]["status"] == "completed" and values[-1] == 100
    assert all(e["report_type"] == report_type and e["version"] == 1 for e in events)
    # Every step that took time was seen running (changes made in one turn of the run's loop
    # share a snapshot, so a step that starts and ends in it is only seen ended).
    for key, step in steps.items():
        seen = [next(s["status"] for s in e["steps"] if s["key"] == key) for e in events]
        if (step.duration_seconds or 0) >= 0.05:
            assert "running" in seen, (report_type, key, seen)
        assert seen[-1] == step.status, (report_type, key, seen)
    return run, steps, sections


# -- every report type ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_every_report_type_end_to_end_on_postgres_redis_and_s3(tmp_path, pg_stack):
    db = pg_stack
    tasks = fresh_report_tasks()
    assert tasks.app.conf.broker_url.startswith("redis://")
    user, project = _project(db)
    sources = ["quick_report", "crunchbase", "tracxn", "social"]
    with (
        ProgressRecorder(subject_for_project(project.id)) as recorder,
        reports_worker(tmp_path, concurrency=4) as worker,
    ):
        # The four independent types run side by side, then the two that read their data.
        first = {t: _start(db, tasks, user, project.id, t) for t in sources}
        for run_id in first.values():
            _wait_status(db, run_id, FINAL, 120, worker)
        second = {t: _start(db, tasks, user, project.id, t) for t in ("verdict", "pitch_deck")}
        for run_id in second.values():
            _wait_status(db, run_id, FINAL, 120, worker)
        wait_until(
            lambda: all(
                (e := recorder.for_run(r)) and e[-1]["status"] in FINAL
                for r in [*first.values(), *second.values()]
            ),
            10,
        )
    run_ids = {**first, **second}
    assert list(run_ids) == list(REPORT_ORDER)
    for report_type, run_id in run_ids.items():
        _assert_completed(db, run_id, report_type, recorder)
    verdict = _run(db, run_ids["verdict"])
    assert not verdict.partial_data_confirmed  # all three sources were there
    for report_type in REPORT_ORDER:
        # One timing per step that ran (a skipped web search records none).
        ran = [k for k in spec_for(report_type).step_keys if k != "web_search"]
        assert sum(_timings(db, report_type).values()) == len(ran)


# -- embedded defaults ----------------------------------------------------------------------


def test_quick_report_and_crunchbase_on_embedded_defaults(tmp_path, db, report_env):
    """SQLite database and broker, local object storage, the database-polling progress bus."""
    settings = get_settings()
    assert not settings.redis_url and not settings.uses_s3 and not settings.database_url
    tasks = fresh_report_tasks()
    assert tasks.app.conf.broker_url.startswith("sqla+sqlite")
    user, project = _project(db)
    with (
        ProgressRecorder(subject_for_project(project.id)) as recorder,
        reports_worker(tmp_path, concurrency=2) as worker,
    ):
        run_ids = {
            t: _start(db, tasks, user, project.id, t) for t in ("quick_report", "crunchbase")
        }
        for run_id in run_ids.values():
            _wait_status(db, run_id, FINAL, 120, worker)
        wait_until(lambda: all(recorder.for_run(r)[-1:] for r in run_ids.values()), 5)
    for report_type, run_id in run_ids.items():
        _assert_completed(db, run_id, report_type, recorder)
    stored = get_storage().list("organizations/")
    assert get_storage().name == "local" and any(
        k.endswith("quick_report/v1/report.pdf") for k in stored
    )
    assert report_env.request_count(PROVIDER) > 0


# -- worker killed mid-run -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_run_resumes_after_its_worker_is_killed(tmp_path, pg_stack, report_env):
    db = pg_stack
    tasks = fresh_report_tasks()
    user, project = _project(db)
    # The first company memo comes back at once, the other memos and the summaries take
    # long: the worker dies with one memo stored and the rest in flight.
    memo_calls = itertools.count()

    def respond(body: dict) -> Behaviour:
        operation = operation_of(body)
        delay = 0.0
        if operation == "crunchbase_deep_dive":
            delay = 0.0 if next(memo_calls) == 0 else SLOW_CALL
        elif operation in ("crunchbase_fast_analysis", "crunchbase_strategic_summary"):
            delay = SLOW_CALL
        return Behaviour(kind="content", content=schema_answer(body), delay_seconds=delay)

    report_env.set_responder(PROVIDER, respond)
    with reports_worker(tmp_path, "doomed", concurrency=2) as doomed:
        run_id = _start(db, tasks, user, project.id, "crunchbase")
        memo_folder = _prefix(db, run_id) + "analysis/company_deep_dive/"
        # A step's start is written behind (within the tracker's write interval).
        assert wait_until(
            lambda: (
                get_storage().list(memo_folder)
                and _steps(db, run_id)["company_deep_dive"].status == "running"
            ),
            60,
        ), doomed.tail()
        doomed.kill()
    memos_stored = len(get_storage().list(memo_folder))
    before = _steps(db, run_id)
    done_before = {k: s.completed_at for k, s in before.items() if s.status == "completed"}
    assert {"init", "api_search", "sorting", "fetching_details"} <= set(done_before)
    assert before["company_deep_dive"].status == "running"
    assert _run(db, run_id).status == "running"  # nobody told the database
    keyword_calls = _operation_count(report_env, "crunchbase_keywords")
    memos_before = _operation_prompts(report_env, "deep-dive investment memo")
    timings_before = _timings(db, "crunchbase")

    use_schema_answers(report_env, PROVIDER)  # no more delays
    # Nothing to recover while the heartbeat is fresh; after the timeout the run is resumed.
    assert wait_until(lambda: runs.heartbeat_stale(_run(db, run_id)), HEARTBEAT_TIMEOUT + 10)
    with reports_worker(tmp_path, "rescuer", concurrency=2) as rescuer:
        recovery = tasks.recover_stalled()  # the beat task: recover_stalled() + enqueue
        assert (recovery["resumed"], recovery["failed"]) == ([run_id], [])
        run = _wait_status(db, run_id, FINAL, 90, rescuer)
    assert run.status == "completed", run.error_message
    assert run.version == 1 and "rescuer" in run.worker
    assert db.exec(select(func.count()).select_from(ReportRun)).one() == 1
    after = _steps(db, run_id)
    for key, completed_at in done_before.items():
        assert after[key].completed_at == completed_at, f"{key} ran again"
    assert _all_done(after)
    # One timing per step for this run: finished steps were not timed again.
    timings = _timings(db, "crunchbase")
    assert set(timings.values()) == {1} and set(timings) == set(after) - {"web_search"}
    assert all(timings_before[k] == 1 for k in done_before)
    assert _operation_count(report_env, "crunchbase_keywords") == keyword_calls
    # Memos already in the object store were not asked for again; the others were, once.
    memos_after = _operation_prompts(report_env, "deep-dive investment memo")
    sections = _sections(db, run_id)
    companies = [s for s in sections if s.kind == "company"]
    assert memos_stored == 1 and len(companies) == run.data["company_count"] > 1
    assert len(memos_after) - len(memos_before) == len(companies) - memos_stored
    keys = [s.section_key for s in sections]
    assert len(keys) == len(set(keys)) == run.data["sections_count"]


def _operation_count(server, operation: str) -> int:
    bodies = server.requests(PROVIDER)
    return sum(
        1
        for b in bodies
        if (b.get("response_format") or {}).get("json_schema", {}).get("name") == operation
    )


def _operation_prompts(server, marker: str) -> list[str]:
    return [
        b["messages"][0]["content"]
        for b in server.requests(PROVIDER)
        if marker in b["messages"][0]["content"]
    ]


# -- cancel and retry ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_cancel_frees_the_worker_and_retry_resumes_the_same_version(tmp_path, pg_stack, report_env):
    db = pg_stack
    tasks = fresh_report_tasks()
    user, project = _project(db)
    other_user, other_project = _project(db, "Second project")
    # The section calls take long: cancelling must not wait for them to come back.
    use_schema_answers(report_env, PROVIDER, delays={"quick_": SLOW_CALL})
    with reports_worker(tmp_path, concurrency=1) as worker:
        run_id = _start(db, tasks, user, project.id, "quick_report")
        _wait_step(db, run_id, "api_search", "running", 30)
        assert wait_until(lambda: _operation_prompts(report_env, "Section: "), 10)
        init_done = _steps(db, run_id)["init"].completed_at
        runs.cancel(db, user, run_id)
        db.commit()
        run = _wait_status(db, run_id, FINAL, 60, worker)
        assert run.status == "cancelled" and run.error_message == "Cancelled."
        # The run ended while its slow section calls were still out: cancelling did not wait.
        out = report_env.request_count(PROVIDER) - report_env.answered_count(PROVIDER)
        assert out > 0, "the run waited for its AI calls before it was cancelled"
        steps = _steps(db, run_id)
        assert (steps["api_search"].status, steps["api_search"].error_message) == (
            "failed",
            "Cancelled.",
        )
        assert steps["save"].status == "pending"
        assert _sections(db, run_id) == []

        # The only slot of the worker is free again: another run completes (while the
        # abandoned calls are still out).
        use_schema_answers(report_env, PROVIDER)
        other = _start(db, tasks, other_user, other_project.id, "quick_report")
        assert _wait_status(db, other, FINAL, 60, worker).status == "completed"

        retried = runs.retry(db, user, run_id)
        db.commit()
        assert (retried.id, retried.version) == (run_id, 1)
        tasks.enqueue(run_id)
        run = _wait_status(db, run_id, FINAL, 60, worker)
    assert run.status == "completed" and run.version == 1, run.error_message
    steps = _steps(db, run_id)
    assert steps["init"].completed_at == init_done  # resumed, not restarted
    assert _all_done(steps)
    keys = [s.section_key for s in _sections(db, run_id)]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 6
    report = db.get(Report, run.report_id)
    assert report.latest_version == 1
    assert db.exec(select(func.count()).select_from(ReportRun)).one() == 2


# -- a run stuck past its deadline -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_stuck_run_past_its_deadline_is_failed_by_the_beat_task_and_can_be_retried(
    tmp_path, pg_stack, report_env
):
    from marketnav.services.reports.tracker import initialize_steps

    db = pg_stack
    tasks = fresh_report_tasks()
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    db.commit()
    # As a worker that died long ago leaves it: running, no heartbeat, deadline passed.
    steps = {s.step_key: s for s in initialize_steps(db, run, "quick_report")}
    steps["init"].status, steps["init"].started_at = "running", utcnow() - timedelta(hours=2)
    run.status, run.worker = "running", "gone@host:1"
    run.started_at = utcnow() - timedelta(hours=2)
    run.heartbeat_at = utcnow() - timedelta(hours=1)
    run.deadline_at = utcnow() - timedelta(minutes=30)
    db.add_all([run, *steps.values()])
    db.commit()
    # A live run of another project is left alone.
    live_user, live_project = _project(db, "Live project")
    live = runs.start(db, live_user, live_project.id, "quick_report")
    live.status, live.worker, live.heartbeat_at = "running", "alive@host:2", utcnow()
    db.add(live)
    db.commit()

    with reports_worker(tmp_path, "general", concurrency=1, queues="default,reports") as worker:
        # Through the broker, as beat sends it (routed to the default queue).
        result = tasks.app.send_task("tasks.reports.recover_stalled")
        recovery = result.get(timeout=30)
        assert (recovery["resumed"], recovery["failed"]) == ([], [run.id])
        failed = _run(db, run.id)
        assert failed.status == "failed" and "passed its deadline" in failed.error_message
        step = _steps(db, run.id)["init"]
        assert step.status == "failed" and "worker stopped" in step.error_message
        assert _run(db, live.id).status == "running"

        retried = runs.retry(db, user, run.id)
        db.commit()
        assert retried.deadline_at is None
        tasks.enqueue(run.id)
        done = _wait_status(db, run.id, FINAL, 60, worker)
    assert done.status == "completed" and done.version == 1, done.error_message
    assert done.deadline_at > utcnow()  # a fresh deadline for the resumed attempt
    assert _all_done(_steps(db, run.id))


# -- duplicate delivery ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_duplicate_delivery_while_a_live_worker_holds_the_run_does_nothing(
    tmp_path, pg_stack, report_env
):
    db = pg_stack
    tasks = fresh_report_tasks()
    user, project = _project(db)
    # The keyword call outlasts the heartbeat timeout: the worker must keep beating meanwhile.
    slow_keywords = {"keywords": MODEL_KEYWORDS, "confidence": 0.8}
    report_env.script(
        PROVIDER, Behaviour.content_reply(slow_keywords, delay_seconds=HEARTBEAT_TIMEOUT + 3)
    )
    with reports_worker(tmp_path, concurrency=2) as worker:
        run_id = _start(db, tasks, user, project.id, "quick_report")
        holder = wait_until(lambda: _run(db, run_id).worker, 30)
        assert holder, worker.tail()
        duplicate = tasks.run_report.apply_async(args=[run_id], queue="reports")
        assert duplicate.get(timeout=30) == {"run_id": run_id, "status": "skipped", "error": ""}
        assert _run(db, run_id).worker == holder and _run(db, run_id).status == "running"
        # Past the heartbeat timeout, still inside the slow call: the run is not orphaned.
        time.sleep(HEARTBEAT_TIMEOUT + 1)
        assert _steps(db, run_id)["init"].status == "running"
        assert not runs.heartbeat_stale(_run(db, run_id))
        recovery = tasks.recover_stalled()
        assert (recovery["resumed"], recovery["failed"]) == ([], [])
        run = _wait_status(db, run_id, FINAL, 60, worker)
    assert run.status == "completed" and run.worker == holder, run.error_message
    assert set(_timings(db, "quick_report").values()) == {1}
    assert _operation_count(report_env, "crunchbase_keywords") == 1
    sections = _operation_prompts(report_env, "Section: ")
    assert len(sections) == 6  # each section asked for once


def test_runner_claims_only_runs_that_need_a_worker(db, report_env):
    """In-process: runs a live worker holds, finished runs and cancelled ones are not run."""
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    run.status, run.worker, run.heartbeat_at = "running", "someone-else", utcnow()
    db.add(run)
    db.commit()
    assert runner.execute(run.id, "me").status == "skipped"
    assert _run(db, run.id).worker == "someone-else" and not _steps(db, run.id)

    # The same run once its worker stopped beating: this worker takes it over and finishes it.
    run = _run(db, run.id)
    run.heartbeat_at = utcnow() - timedelta(seconds=HEARTBEAT_TIMEOUT + 1)
    db.add(run)
    db.commit()
    assert runner.execute(run.id, "me").status == "completed"
    assert _run(db, run.id).worker.startswith("me#")  # this execution's own attempt
    assert runner.execute(run.id, "me").status == "skipped"  # finished

    # Cancelled while queued: the delivery only records it.
    queued = runs.start(db, user, project.id, "quick_report")
    queued.cancel_requested = True
    db.add(queued)
    db.commit()
    assert runner.execute(queued.id, "me").status == "skipped"
    assert _run(db, queued.id).status == "cancelled" and not _steps(db, queued.id)
