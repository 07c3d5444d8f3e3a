"""The report engine without a worker: weights and progress, ETA, start checks, project cards."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from marketnav.models import Report, ReportRun, ReportStep, StepTiming
from marketnav.models.base import utcnow
from marketnav.services import projects
from marketnav.services.errors import DomainError, PermissionDenied, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Role
from marketnav.services.reports import runner, runs, views
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES, spec_for
from marketnav.services.reports.context import RunCancelled
from marketnav.services.reports.eta import (
    HISTORY_SIZE,
    StepHistory,
    StepState,
    estimate,
    load_history,
    recency_weighted_average,
)
from marketnav.services.reports.runs import PartialDataWarning
from marketnav.services.reports.tracker import (
    ReportProgressTracker,
    subject_for_project,
    weighted_progress,
)
from tests.factories import PET_SITTER_INPUTS as INPUTS
from tests.factories import add_member, make_project, make_user, personal_org_id

ALL_TYPES = ["quick_report", "crunchbase", "tracxn", "social", "verdict", "pitch_deck"]


def _step(status: str, weight: int, percent: int = 0, key: str = "s") -> ReportStep:
    return ReportStep(
        run_id=1,
        step_number=1,
        step_key=key,
        step_name=key,
        weight=weight,
        status=status,
        progress_percent=percent,
    )


def _project(db: Session, inputs: dict[str, str] | None = None):
    user = make_user(db)
    project = make_project(db, user)
    projects.save_inputs(db, user, project.id, INPUTS if inputs is None else inputs)
    db.commit()
    return user, project


def _complete(db: Session, user, project_id: int, report_type: str) -> ReportRun:
    """A completed version of `report_type`, as a worker would leave it."""
    run = runs.start(db, user, project_id, report_type, confirm_partial=True)
    run.status, run.progress, run.completed_at = "completed", 100, utcnow()
    report = db.get(Report, run.report_id)
    report.latest_version = run.version
    db.add_all([run, report])
    db.commit()
    return run


# -- catalogue and weighted progress ------------------------------------------------------


def test_catalogue_has_the_six_types_in_order_with_weights_summing_to_100():
    assert list(REPORT_ORDER) == ALL_TYPES
    for report_type, spec in REPORT_TYPES.items():
        assert sum(s.weight for s in spec.steps) == 100, report_type
        assert len(set(spec.step_keys)) == len(spec.steps), report_type
        assert spec.step_keys[-1] == "save", report_type
    # The predecessor's weights, less what the web search step (new here) takes from the
    # longest step of each type that searches for competitors.
    assert [(s.key, s.weight) for s in spec_for("quick_report").steps] == [
        ("web_search", 5),
        ("init", 5),
        ("api_search", 75),
        ("save", 15),
    ]
    assert spec_for("crunchbase").step("company_deep_dive").weight == 52
    assert spec_for("crunchbase").step_keys[:3] == ["init", "web_search", "api_search"]
    assert spec_for("tracxn").step_keys[:3] == ["init", "web_search", "api_search"]
    assert spec_for("pitch_deck").needs_all == ("crunchbase", "tracxn")
    assert set(spec_for("verdict").needs_any) == {"crunchbase", "tracxn", "social"}
    with pytest.raises(ValueError, match="Unknown report type"):
        spec_for("horoscope")


def test_weighted_progress_counts_finished_running_and_unfinished_steps():
    # completed and skipped count 100, running its percent, failed and pending 0.
    steps = [
        _step("completed", 5),
        _step("skipped", 10),
        _step("running", 50, 40),
        _step("failed", 20, 70),
        _step("pending", 15, 0),
    ]
    assert weighted_progress(steps) == int((5 * 100 + 10 * 100 + 50 * 40) / 100)  # 35
    assert weighted_progress([_step("running", 3, 99), _step("pending", 97)]) == 2  # truncated
    assert weighted_progress([_step("completed", 1), _step("completed", 2)]) == 100
    assert weighted_progress([]) == 0
    assert weighted_progress([_step("completed", 0)]) == 0


def _running_tracker(db: Session, write_interval: float):
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    run.status, run.worker = "running", "w1#attempt"  # as `runner._claim` leaves it
    db.add(run)
    db.commit()
    tracker = ReportProgressTracker(
        run.id,
        run.report_id,
        project.id,
        "quick_report",
        worker="w1#attempt",
        write_interval=write_interval,
    )
    return run, project, tracker


def test_tracker_keeps_the_run_row_and_the_published_snapshots_in_step(db):
    run, project, tracker = _running_tracker(db, write_interval=0)  # every change written
    seen: list[int] = []

    def progress_of_run() -> int:
        db.expire_all()
        return db.get(ReportRun, run.id).progress

    tracker.skip_step("web_search", "Web discovery is off")
    tracker.start_step("init")
    tracker.complete_step("init", checkpoint={"result": 1})
    seen.append(progress_of_run())
    tracker.start_step("api_search")
    tracker.update_step_progress("api_search", 50)
    seen.append(progress_of_run())
    tracker.update_step_progress("api_search", 250)  # clamped
    seen.append(progress_of_run())
    tracker.complete_step("api_search")
    tracker.skip_step("save", "nothing to save")
    seen.append(progress_of_run())
    assert seen == [10, 10 + 37, 85, 100]  # weights 5 + 5, then half of 75 (rounded down)
    snapshot = tracker.snapshot()
    assert snapshot["type"] == "report_progress" and snapshot["progress"] == 100
    assert [s["status"] for s in snapshot["steps"]] == [
        "skipped",
        "completed",
        "completed",
        "skipped",
    ]
    assert subject_for_project(project.id) == f"project:{project.id}:reports"
    # One timing per completed step with a duration (a skipped step records none).
    keys = db.exec(select(StepTiming.step_key)).all()
    assert sorted(keys) == ["api_search", "init"]


def test_tracker_publishes_feed_rows_at_once_and_writes_them_behind(db, monkeypatch):
    from marketnav.services import progress

    run, _, tracker = _running_tracker(db, write_interval=3600)
    published: list[dict] = []
    monkeypatch.setattr(progress, "publish", lambda subject, payload: published.append(payload))

    def stored(key: str) -> ReportStep:
        db.expire_all()
        return db.exec(
            select(ReportStep).where(ReportStep.run_id == run.id, ReportStep.step_key == key)
        ).one()

    tracker.skip_step("web_search", "off")  # a step's end: written before it is published
    assert stored("web_search").status == "skipped"
    tracker.start_step("api_search")
    tracker.add_step_detail("api_search", "info", "found 12 companies")
    tracker.update_step_progress("api_search", 40)
    # Every change is in a snapshot at once; the database holds it from the next write.
    last = next(s for s in published[-1]["steps"] if s["key"] == "api_search")
    assert (last["progress"], last["details"][-1]["message"]) == (40, "found 12 companies")
    row = stored("api_search")
    assert (row.status, row.progress_percent, row.details) == ("pending", 0, [])
    assert db.get(ReportRun, run.id).progress == 5  # the skipped step's weight
    tracker.complete_step("api_search")  # the pending rows go with it, in one transaction
    row = stored("api_search")
    assert (row.status, [d["message"] for d in row.details]) == (
        "completed",
        ["found 12 companies"],
    )
    tracker.add_step_detail("save", "info", "saved")
    tracker.flush()
    assert [d["message"] for d in stored("save").details] == ["saved"]
    assert len(published) == 6


def test_tracker_of_an_attempt_that_lost_the_run_writes_and_publishes_nothing(db, monkeypatch):
    from marketnav.services import progress
    from marketnav.services.reports.runs import StaleAttempt

    # Interval 0: every change is due to be written, as the first one after a stall is.
    run, _, tracker = _running_tracker(db, write_interval=0)
    published: list[dict] = []
    monkeypatch.setattr(progress, "publish", lambda subject, payload: published.append(payload))
    tracker.skip_step("web_search", "off")
    run.worker = "w2#other"  # another attempt took the run over
    db.add(run)
    db.commit()
    with pytest.raises(StaleAttempt):
        tracker.add_step_detail("api_search", "info", "late")
    assert len(published) == 1  # only the start, before the takeover
    db.expire_all()
    assert (
        db.exec(select(ReportStep).where(ReportStep.step_key == "api_search")).one().details == []
    )


def _ending_together(tracker, keys, write_also):
    """Start `keys` in one turn of a loop, then end them together; what each end returned."""

    async def body() -> list:
        for key in keys:
            tracker.start_step(key)
        await asyncio.sleep(0)  # the turn ends: the starts are published
        ends = (tracker.end_step(k, checkpoint={"result": k}, write_also=write_also) for k in keys)
        outcomes = await asyncio.gather(*ends, return_exceptions=True)
        return outcomes

    return asyncio.run(body())


def test_steps_ending_together_are_written_in_one_transaction_then_published(db, monkeypatch):
    from marketnav.services import progress
    from marketnav.services.reports import tracker as tracker_module

    run, _, tracker = _running_tracker(db, write_interval=3600)
    published: list[dict] = []
    monkeypatch.setattr(progress, "publish", lambda subject, payload: published.append(payload))
    fenced: list[int] = []
    real_fence = tracker_module.fenced_run
    monkeypatch.setattr(tracker_module, "fenced_run", lambda *a: fenced.append(1) or real_fence(*a))

    def write_also(session: Session) -> None:  # the steps' sections, in the same transaction
        session.add(StepTiming(report_type="quick_report", step_key="marker", duration_seconds=1))

    keys = ("init", "api_search", "save")
    assert _ending_together(tracker, keys, write_also) == [None, None, None]
    # Three starts in one snapshot; three ends in one transaction, then one snapshot.
    assert len(published) == 2 and len(fenced) == 1
    statuses = [{s["key"]: s["status"] for s in p["steps"]} for p in published]
    assert [statuses[0][k] for k in keys] == ["running"] * 3
    assert [statuses[1][k] for k in keys] == ["completed"] * 3
    db.expire_all()
    rows = db.exec(select(ReportStep).where(ReportStep.run_id == run.id)).all()
    ended = {r.step_key: (r.status, r.checkpoint) for r in rows if r.step_key in keys}
    assert ended == {k: ("completed", {"result": k}) for k in keys}
    assert db.exec(select(StepTiming.step_key).where(StepTiming.step_key == "marker")).all()


def test_steps_ending_together_after_a_takeover_all_fail_and_write_nothing(db, monkeypatch):
    from marketnav.services import progress
    from marketnav.services.reports.runs import StaleAttempt

    run, _, tracker = _running_tracker(db, write_interval=3600)
    published: list[dict] = []
    monkeypatch.setattr(progress, "publish", lambda subject, payload: published.append(payload))
    run.worker = "w2#other"  # another attempt took the run over
    db.add(run)
    db.commit()

    def write_also(session: Session) -> None:
        session.add(StepTiming(report_type="quick_report", step_key="marker", duration_seconds=1))

    outcomes = _ending_together(tracker, ("init", "api_search"), write_also)
    assert [type(o) for o in outcomes] == [StaleAttempt, StaleAttempt]
    assert len(published) == 1  # the starts only: no end is published unwritten
    db.expire_all()
    assert not db.exec(select(StepTiming).where(StepTiming.step_key == "marker")).all()
    steps = db.exec(select(ReportStep.status).where(ReportStep.run_id == run.id)).all()
    assert set(steps) == {"pending"}


def test_the_last_snapshot_is_never_followed_by_a_scheduled_one(db, monkeypatch):
    from marketnav.services import progress

    _, _, tracker = _running_tracker(db, write_interval=3600)
    published: list[dict] = []
    monkeypatch.setattr(progress, "publish", lambda subject, payload: published.append(payload))

    async def body() -> None:
        tracker.add_step_detail("api_search", "info", "a late feed row")  # publish scheduled
        tracker.finish("failed", "Stopped.")  # in the same turn: the scheduled one is dropped
        await asyncio.sleep(0.01)

    asyncio.run(body())
    assert [p["status"] for p in published] == ["failed"]


# -- ETA ----------------------------------------------------------------------------------


def test_recency_weighted_average_weighs_newest_most():
    assert recency_weighted_average([10.0]) == 10.0
    # weights 3/6, 2/6, 1/6 for the newest, middle and oldest sample
    assert recency_weighted_average([12.0, 6.0, 0.0]) == pytest.approx((36 + 12) / 6)
    assert recency_weighted_average([1.0, 100.0]) == pytest.approx((2 + 100) / 3)
    with pytest.raises(ValueError):
        recency_weighted_average([])


@pytest.mark.parametrize(
    ("samples", "confidence"),
    [(0, "low"), (4, "low"), (5, "medium"), (9, "medium"), (10, "high"), (20, "high")],
)
def test_confidence_thresholds(samples, confidence):
    assert StepHistory(30.0, samples).confidence == confidence


@pytest.mark.parametrize("report_type", ALL_TYPES)
def test_every_real_step_key_has_its_own_default(db, report_type):
    spec = spec_for(report_type)
    history = load_history(db, report_type)
    assert list(history) == spec.step_keys
    for step in spec.steps:
        assert step.default_seconds > 0
        assert history[step.key] == StepHistory(step.default_seconds, 0)
    pending = [StepState(s.key, s.name, "pending", None, None) for s in spec.steps]
    eta = estimate(pending, history, utcnow())
    total = sum(s.default_seconds for s in spec.steps)
    assert eta["total_estimated_seconds"] == pytest.approx(total)
    assert eta["remaining_seconds"] == pytest.approx(total)
    assert eta["confidence"] == "low"
    assert [row["avg_duration"] for row in eta["steps"]] == [s.default_seconds for s in spec.steps]
    # No step falls back to the generic 30 s the predecessor used for unknown keys.
    assert all(row["step_key"] in spec.step_keys for row in eta["steps"])


def test_history_uses_the_newest_twenty_samples_recency_weighted(db):
    now = utcnow()
    # 25 samples of `init`, oldest first: 1.0 ... 25.0 seconds.
    for i in range(25):
        db.add(
            StepTiming(
                report_type="quick_report",
                step_key="init",
                duration_seconds=float(i + 1),
                created_at=now - timedelta(minutes=25 - i),
            )
        )
    for _ in range(6):
        db.add(StepTiming(report_type="quick_report", step_key="save", duration_seconds=2.0))
    db.add(StepTiming(report_type="crunchbase", step_key="init", duration_seconds=999.0))
    db.commit()
    history = load_history(db, "quick_report")
    newest_first = [float(25 - i) for i in range(HISTORY_SIZE)]
    assert history["init"].samples == HISTORY_SIZE
    assert history["init"].avg_seconds == pytest.approx(recency_weighted_average(newest_first))
    assert history["init"].confidence == "high"
    assert history["save"] == StepHistory(2.0, 6)
    assert history["save"].confidence == "medium"
    assert history["api_search"] == StepHistory(45, 0)


def test_estimate_counts_elapsed_and_remaining_per_step_state():
    now = utcnow()
    history = {
        "a": StepHistory(10.0, 12),
        "b": StepHistory(20.0, 6),
        "c": StepHistory(30.0, 2),
        "d": StepHistory(5.0, 11),
    }
    steps = [
        StepState("a", "A", "completed", now - timedelta(seconds=20), 8.0),
        StepState("b", "B", "running", now - timedelta(seconds=5), None),
        StepState("c", "C", "pending", None, None),
        StepState("d", "D", "skipped", None, 0.0),
    ]
    eta = estimate(steps, history, now)
    assert eta["total_estimated_seconds"] == 65.0
    assert eta["elapsed_seconds"] == pytest.approx(8.0 + 5.0, abs=0.1)
    assert eta["remaining_seconds"] == pytest.approx((20.0 - 5.0) + 30.0, abs=0.1)
    assert eta["confidence"] == "low"  # the lowest of the steps still to run (c: 2 samples)
    assert eta["progress_percent"] == int(13 / 65 * 100)
    rows = {r["step_key"]: r for r in eta["steps"]}
    assert rows["a"]["is_completed"] and rows["a"]["actual_duration"] == 8.0
    assert rows["b"]["is_running"] and not rows["b"]["is_completed"]
    assert rows["d"]["is_completed"] and rows["c"]["sample_count"] == 2

    # A running step past its average adds nothing to the remaining time.
    late = [StepState("b", "B", "running", now - timedelta(seconds=50), None)]
    assert estimate(late, history, now)["remaining_seconds"] == 0.0
    assert estimate(late, history, now)["confidence"] == "medium"
    # Everything finished: nothing remains, confidence high, progress capped at 99.
    done = [StepState("a", "A", "completed", None, 500.0)]
    finished = estimate(done, history, now)
    assert finished["remaining_seconds"] == 0.0 and finished["confidence"] == "high"
    assert finished["progress_percent"] == 99
    # A key without history counts 30 s (never happens for catalogue keys, see above).
    assert (
        estimate([StepState("x", "X", "pending", None, None)], {}, now)["total_estimated_seconds"]
        == 30.0
    )


# -- runs.start checks --------------------------------------------------------------------


def test_incomplete_inputs_are_refused_with_the_missing_fields(db):
    partial = {k: v for k, v in INPUTS.items() if k not in ("target_audience", "time_range")}
    user, project = _project(db, partial)
    with pytest.raises(ValidationFailed) as caught:
        runs.start(db, user, project.id, "quick_report")
    assert set(caught.value.field_errors) == {"target_audience", "time_range"}
    assert "Target Audience" in str(caught.value) and "Time Range" in str(caught.value)
    assert db.exec(select(ReportRun)).all() == []
    with pytest.raises(ValidationFailed, match="Unknown report type"):
        runs.start(db, user, project.id, "horoscope")


def test_verdict_needs_a_source_and_confirms_partial_data(db):
    user, project = _project(db)
    with pytest.raises(DomainError, match="at least one completed report") as caught:
        runs.start(db, user, project.id, "verdict")
    assert not isinstance(caught.value, PartialDataWarning)

    _complete(db, user, project.id, "crunchbase")
    with pytest.raises(PartialDataWarning) as warning:
        runs.start(db, user, project.id, "verdict")
    assert warning.value.available == ["Crunchbase Analysis"]
    assert warning.value.missing == ["Tracxn Insights", "Social Analysis"]
    run = runs.start(db, user, project.id, "verdict", confirm_partial=True)
    assert run.status == "queued" and run.version == 1 and run.partial_data_confirmed


def test_verdict_with_every_source_needs_no_confirmation(db):
    user, project = _project(db)
    for source in ("crunchbase", "tracxn", "social"):
        _complete(db, user, project.id, source)
    run = runs.start(db, user, project.id, "verdict")
    assert run.status == "queued" and not run.partial_data_confirmed


def test_pitch_deck_needs_both_crunchbase_and_tracxn(db):
    user, project = _project(db)
    _complete(db, user, project.id, "crunchbase")
    _complete(db, user, project.id, "social")
    with pytest.raises(DomainError, match="needs completed Crunchbase Analysis and Tracxn"):
        runs.start(db, user, project.id, "pitch_deck", confirm_partial=True)
    _complete(db, user, project.id, "tracxn")
    assert runs.start(db, user, project.id, "pitch_deck").version == 1


def test_a_running_report_cannot_be_started_again(db):
    user, project = _project(db)
    first = runs.start(db, user, project.id, "quick_report")
    db.commit()
    with pytest.raises(DomainError, match="Quick Report is already running"):
        runs.start(db, user, project.id, "quick_report")
    first.status = "running"
    db.add(first)
    db.commit()
    with pytest.raises(DomainError, match="already running"):
        runs.start(db, user, project.id, "quick_report")
    # Another type of the same project may run meanwhile.
    assert runs.start(db, user, project.id, "crunchbase").version == 1


def test_viewers_and_outsiders_cannot_start_reports(db):
    owner, project = _project(db)
    viewer = make_user(db, "Vera Viewer")
    add_member(db, owner, personal_org_id(db, owner), viewer, Role.VIEWER)
    outsider = make_user(db, "Oscar Outsider")
    with pytest.raises(PermissionDenied):
        runs.start(db, viewer, project.id, "quick_report")
    with pytest.raises(PermissionDenied) as caught:
        runs.start(db, outsider, project.id, "quick_report")
    assert str(caught.value) == NOT_FOUND_MESSAGE
    run = runs.start(db, owner, project.id, "quick_report")
    db.commit()
    for someone in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            runs.cancel(db, someone, run.id)
    assert db.exec(select(ReportRun)).one().status == "queued"


def test_each_start_is_the_next_version(db):
    user, project = _project(db)
    assert _complete(db, user, project.id, "quick_report").version == 1
    assert _complete(db, user, project.id, "quick_report").version == 2
    report = db.exec(select(Report)).one()
    assert report.latest_version == 2


def test_cancel_a_queued_run_then_retry_it_with_the_same_version(db):
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    db.commit()
    cancelled = runs.cancel(db, user, run.id)
    assert (cancelled.status, cancelled.error_message) == ("cancelled", "Cancelled.")
    with pytest.raises(DomainError, match="not running"):
        runs.cancel(db, user, run.id)
    retried = runs.retry(db, user, run.id)
    assert (retried.id, retried.version, retried.status) == (run.id, 1, "queued")
    assert not retried.cancel_requested
    with pytest.raises(DomainError, match="Only a failed or cancelled"):
        runs.retry(db, user, run.id)


def test_retry_after_the_inputs_changed_starts_a_new_version(db):
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    run.status = "failed"
    db.add(run)
    db.commit()
    projects.save_inputs(db, user, project.id, {**INPUTS, "time_range": "Last 2 years"})
    db.commit()
    fresh = runs.retry(db, user, run.id)
    assert fresh.id != run.id and fresh.version == 2
    with pytest.raises(DomainError, match="newer run"):
        runs.retry(db, user, run.id)


def test_a_stale_running_run_is_cancelled_at_once(db, monkeypatch):
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    run.status, run.heartbeat_at = "running", utcnow() - timedelta(hours=1)
    db.add(run)
    db.flush()
    db.add(
        ReportStep(
            run_id=run.id, step_number=1, step_key="init", step_name="Init", status="running"
        )
    )
    db.commit()
    assert runs.heartbeat_stale(run)
    runs.cancel(db, user, run.id)
    db.commit()
    assert run.status == "cancelled"
    step = db.exec(select(ReportStep)).one()
    assert (step.status, step.error_message) == ("failed", "Cancelled.")


# -- project cards ------------------------------------------------------------------------


def test_project_cards_are_six_in_order_and_follow_prerequisites(db):
    user, project = _project(db)
    cards = views.project_cards(db, user, project.id)
    assert [c["type"] for c in cards] == ALL_TYPES
    assert [c["label"] for c in cards] == [REPORT_TYPES[t].label for t in ALL_TYPES]
    by_type = {c["type"]: c for c in cards}
    assert all(c["status"] == "not_started" and c["version"] == 0 for c in cards)
    assert by_type["quick_report"]["can_run"] and not by_type["quick_report"]["blocked"]
    assert "at least one completed report" in by_type["verdict"]["blocked"]
    assert not by_type["verdict"]["can_run"]
    assert "Crunchbase Analysis and Tracxn Insights" in by_type["pitch_deck"]["blocked"]

    _complete(db, user, project.id, "crunchbase")
    by_type = {c["type"]: c for c in views.project_cards(db, user, project.id)}
    assert by_type["verdict"]["can_run"] and by_type["verdict"]["partial"]
    assert not by_type["pitch_deck"]["can_run"]
    assert by_type["crunchbase"]["status"] == "completed"
    assert by_type["crunchbase"]["progress"] == 100


def test_cards_mark_a_version_outdated_after_the_inputs_change(db):
    user, project = _project(db)
    _complete(db, user, project.id, "quick_report")
    card = views.project_cards(db, user, project.id)[0]
    assert (card["status"], card["version"], card["outdated"]) == ("completed", 1, False)
    assert [v["version"] for v in card["versions"]] == [1]

    projects.save_inputs(db, user, project.id, {**INPUTS, "geographic_focus": "Japan"})
    db.commit()
    card = views.project_cards(db, user, project.id)[0]
    assert card["outdated"] and card["version"] == 1

    # A failed re-run keeps the last good version readable and still outdated.
    rerun = runs.start(db, user, project.id, "quick_report")
    rerun.status, rerun.error_message = "failed", "The AI provider failed."
    db.add(rerun)
    db.commit()
    card = views.project_cards(db, user, project.id)[0]
    assert (card["status"], card["run_version"], card["version"]) == ("failed", 2, 1)
    assert card["error"] == "The AI provider failed." and card["outdated"]

    _complete(db, user, project.id, "quick_report")
    card = views.project_cards(db, user, project.id)[0]
    assert (card["version"], card["outdated"]) == (3, False)
    assert [v["version"] for v in card["versions"]] == [3, 1]


def test_viewers_see_cards_but_cannot_run_and_outsiders_see_nothing(db):
    owner, project = _project(db)
    viewer = make_user(db, "Vera Viewer")
    add_member(db, owner, personal_org_id(db, owner), viewer, Role.VIEWER)
    cards = views.project_cards(db, viewer, project.id)
    assert len(cards) == 6 and not any(c["can_run"] for c in cards)
    with pytest.raises(PermissionDenied):
        views.project_cards(db, make_user(db, "Oscar Outsider"), project.id)


# -- worker-side timing -------------------------------------------------------------------


def test_heartbeat_beats_well_within_the_timeout(monkeypatch):
    from tests.conftest import clear_caches

    assert runner.heartbeat_interval() == runner.HEARTBEAT_SECONDS  # default timeout 120 s
    monkeypatch.setenv("REPORT_HEARTBEAT_TIMEOUT_SECONDS", "6")
    clear_caches()
    assert runner.heartbeat_interval() == 2.0


def test_a_cancelled_run_does_not_wait_for_calls_it_abandoned():
    in_flight, answered, release = threading.Event(), threading.Event(), threading.Event()

    def ai_call() -> None:  # an AI call that answers only once the test lets it
        in_flight.set()
        release.wait(timeout=60)
        answered.set()

    async def pipeline() -> None:
        call = asyncio.ensure_future(asyncio.to_thread(ai_call))
        assert await asyncio.to_thread(in_flight.wait, 30)
        assert not call.done()
        raise RunCancelled()

    try:
        with pytest.raises(RunCancelled):
            runner._run_in_new_loop(pipeline(), fan_out=2)
        # Returned while the call is still out (waiting for it would have taken its answer).
        assert in_flight.is_set() and not answered.is_set()
    finally:
        release.set()
    assert answered.wait(30)  # the abandoned thread still finishes in the background


def test_a_step_waiting_on_one_long_call_is_running_in_the_database(db):
    """Written behind, a start still reaches the database within the interval."""
    run, _, tracker = _running_tracker(db, write_interval=0.3)

    def status() -> str:
        db.expire_all()
        return db.exec(
            select(ReportStep.status).where(
                ReportStep.run_id == run.id, ReportStep.step_key == "api_search"
            )
        ).one()

    async def long_step() -> list[str]:
        tracker.start_step("api_search")
        seen = [status()]
        for _ in range(150):  # polled: the write is due 0.3 s after the start
            await asyncio.sleep(0.02)
            if status() == "running":
                break
        return [*seen, status()]

    assert asyncio.run(long_step()) == ["pending", "running"]
