"""Market watches on a controlled clock: cadence, jitter, pause and resume, the organisation's
limit, reports built on others, lost rights; and who is told of a new version's changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from marketnav.db import session_scope
from marketnav.models import MarketWatch, Notification, Report, ReportRun
from marketnav.services import organizations, projects
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import Role
from marketnav.services.watching import cadence, dispatch, notifications, schedule
from tests.factories import (
    PET_SITTER_INPUTS,
    add_member,
    make_project,
    make_user,
    personal_org_id,
    version_with_changes,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def owner(db: Session):
    return make_user(db, "Olga Owner")


def _project(db: Session, owner, name: str = "Pet care", org_id: int | None = None):
    project = make_project(db, owner, name, org_id)
    projects.save_inputs(db, owner, project.id, PET_SITTER_INPUTS)
    db.commit()
    return project


def _dispatch(now: datetime, **kwargs) -> tuple[dispatch.Dispatch, list[int]]:
    queued: list[int] = []
    result = dispatch.dispatch_due(
        session_scope, lambda run_id: queued.append(run_id) or "", now=now, **kwargs
    )
    return result, queued


def _runs(db: Session, project_id: int) -> list[tuple[str, int, str]]:
    db.expire_all()
    rows = db.exec(
        select(Report.report_type, ReportRun.version, ReportRun.trigger)
        .join(Report, Report.id == ReportRun.report_id)
        .where(Report.project_id == project_id)
        .order_by(ReportRun.id)
    ).all()
    return [tuple(r) for r in rows]


def _finish_all(db: Session, project_id: int) -> None:
    for run in db.exec(select(ReportRun).join(Report).where(Report.project_id == project_id)).all():
        if run.status in ("queued", "running"):
            run.status = "completed"
            report = db.get(Report, run.report_id)
            report.latest_version = max(report.latest_version, run.version)
            db.add_all([run, report])
    db.commit()


def test_cadences_keep_their_rhythm_and_months_keep_their_day():
    assert cadence.advance(T0, "daily") == T0 + timedelta(days=1)
    assert cadence.advance(T0, "weekly") == T0 + timedelta(weeks=1)
    jan31 = datetime(2027, 1, 31, 9, tzinfo=UTC)
    assert cadence.advance(jan31, "monthly") == datetime(2027, 2, 28, 9, tzinfo=UTC)
    # Beat down for three days: one refresh when it is back, then the usual time of day.
    assert cadence.next_after(T0, "daily", T0 + timedelta(days=3, hours=2)) == T0 + timedelta(
        days=4
    )
    with pytest.raises(ValidationFailed):
        cadence.advance(T0, "hourly")


def test_jitter_spreads_watches_within_a_tenth_of_the_cadence_and_is_stable():
    offsets = {cadence.jitter_for(project_id, "daily") for project_id in range(1, 201)}
    assert len(offsets) > 150  # spread
    assert all(0 <= o < 3600 for o in offsets)  # at most WATCH_JITTER_MAX_SECONDS (1 h)
    assert cadence.jitter_for(7, "daily") == cadence.jitter_for(7, "daily")


def test_a_due_watch_starts_one_refresh_once_and_then_waits_for_its_next_slot(db, owner):
    project = _project(db, owner)
    watch = schedule.save(db, owner, project.id, ["crunchbase", "tracxn"], "daily", now=T0)
    db.commit()
    due = watch.next_run_at
    assert T0 + timedelta(days=1) <= due < T0 + timedelta(days=1, hours=1)

    result, queued = _dispatch(due - timedelta(seconds=1))
    assert queued == [] and result.watches == 0  # not due yet
    result, queued = _dispatch(due)
    assert len(queued) == 2 and result.watches == 1
    assert _runs(db, project.id) == [("crunchbase", 1, "schedule"), ("tracxn", 1, "schedule")]
    # The same minute again (a second beat, a retried tick): nothing more.
    assert _dispatch(due + timedelta(seconds=30))[1] == []
    db.expire_all()
    watch = db.get(MarketWatch, watch.id)
    assert watch.next_run_at == due + timedelta(days=1) and watch.pending_types == []
    assert watch.check_at == watch.next_run_at and watch.lease_until is None

    _finish_all(db, project.id)
    assert len(_dispatch(due + timedelta(days=1))[1]) == 2
    assert [v for _, v, _ in _runs(db, project.id)] == [1, 1, 2, 2]


def test_a_held_lease_keeps_a_second_dispatcher_out(db, owner):
    project = _project(db, owner)
    watch = schedule.save(db, owner, project.id, ["crunchbase"], "daily", now=T0)
    db.commit()
    due = watch.next_run_at
    # Another dispatcher holds the watch right now.
    watch.lease_until, watch.lease_token = due + timedelta(seconds=30), "other"
    db.add(watch)
    db.commit()
    assert _dispatch(due)[1] == []
    # Its lease ran out (that dispatcher died): the watch is started, once.
    assert len(_dispatch(due + timedelta(seconds=61))[1]) == 1


def test_the_organisations_limit_makes_refreshes_wait_for_a_free_slot(db, owner, monkeypatch):
    monkeypatch.setenv("WATCH_MAX_CONCURRENT_PER_ORG", "2")
    from tests.conftest import clear_caches

    clear_caches()
    org_id = personal_org_id(db, owner)
    first, second = _project(db, owner, "One", org_id), _project(db, owner, "Two", org_id)
    for project in (first, second):
        schedule.save(db, owner, project.id, ["crunchbase", "tracxn"], "weekly", now=T0)
    db.commit()
    due = max(w.next_run_at for w in db.exec(select(MarketWatch)).all())
    result, queued = _dispatch(due)
    assert len(queued) == 2 and result.waiting == 1  # one watch's two runs fill the limit
    assert _dispatch(due + timedelta(seconds=30))[1] == []  # still full
    _finish_all(db, first.id)
    _finish_all(db, second.id)
    result, queued = _dispatch(due + timedelta(seconds=60))
    assert len(queued) == 2 and result.waiting == 0  # the waiting watch's reports, late not lost
    assert len(_runs(db, first.id)) + len(_runs(db, second.id)) == 4


def test_a_verdict_waits_for_this_refreshs_sources(db, owner):
    project = _project(db, owner)
    watch = schedule.save(db, owner, project.id, ["verdict", "crunchbase"], "daily", now=T0)
    db.commit()
    assert watch.report_types == ["crunchbase", "verdict"]  # the catalogue's order
    due = watch.next_run_at
    _dispatch(due)
    assert [t for t, _, _ in _runs(db, project.id)] == ["crunchbase"]
    assert db.get(MarketWatch, watch.id).pending_types == ["verdict"]
    assert _dispatch(due + timedelta(seconds=30))[1] == []  # Crunchbase still running
    _finish_all(db, project.id)
    _dispatch(due + timedelta(seconds=60))
    assert [t for t, _, _ in _runs(db, project.id)] == ["crunchbase", "verdict"]


def test_pause_resume_stop_and_who_may_change_a_schedule(db, owner):
    org_id = personal_org_id(db, owner)
    project = _project(db, owner, org_id=org_id)
    viewer = make_user(db, "Vera Viewer")
    add_member(db, owner, org_id, viewer, Role.VIEWER)
    stranger = make_user(db, "Sam Stranger")
    watch = schedule.save(db, owner, project.id, ["crunchbase"], "weekly", now=T0)
    db.commit()
    due = watch.next_run_at

    with pytest.raises(PermissionDenied):
        schedule.save(db, viewer, project.id, ["tracxn"], "daily")
    with pytest.raises(PermissionDenied):
        schedule.set_paused(db, viewer, project.id, True)
    with pytest.raises(PermissionDenied):
        schedule.view(db, stranger, project.id)
    seen = schedule.view(db, viewer, project.id)
    assert seen.watching and not seen.can_change and seen.report_types == ["crunchbase"]

    schedule.set_paused(db, owner, project.id, True)
    db.commit()
    assert _dispatch(due + timedelta(days=3))[1] == []  # paused: nothing runs
    schedule.set_paused(db, owner, project.id, False)
    db.commit()
    resumed = db.get(MarketWatch, watch.id)
    # Resuming never makes up for the paused time with an immediate run.
    assert resumed.next_run_at > utcnow_like(resumed.next_run_at)
    schedule.stop(db, owner, project.id)
    db.commit()
    assert db.exec(select(MarketWatch)).all() == []

    with pytest.raises(ValidationFailed, match="at least one"):
        schedule.save(db, owner, project.id, [], "daily")
    with pytest.raises(ValidationFailed, match="cadence"):
        schedule.save(db, owner, project.id, ["crunchbase"], "hourly")


def utcnow_like(_: datetime) -> datetime:
    from marketnav.models.base import utcnow

    return utcnow()


def test_a_watch_whose_owner_lost_access_pauses_and_says_why(db, owner):
    org_id = organizations.create(db, owner, "Team").id
    member = make_user(db, "Mia Member")
    add_member(db, owner, org_id, member, Role.MEMBER)
    project = _project(db, owner, "Team pets", org_id)
    watch = schedule.save(db, member, project.id, ["crunchbase"], "daily", now=T0)
    db.commit()
    organizations.remove_member(db, owner, org_id, member.id)
    db.commit()
    assert _dispatch(watch.next_run_at)[1] == []
    db.expire_all()
    paused = db.get(MarketWatch, watch.id)
    assert paused.status == "paused" and "Mia Member can no longer run" in paused.last_error


# -- notifications ----------------------------------------------------------------------------


ENTERED = [{"kind": "entered", "subject": "Holidog", "text": "Holidog entered the list"}]


def test_followers_who_can_open_the_project_are_told_once(db, owner):
    org_id = personal_org_id(db, owner)
    project = _project(db, owner, org_id=org_id)
    viewer = make_user(db, "Vera Viewer")
    add_member(db, owner, org_id, viewer, Role.VIEWER)
    leaver = make_user(db, "Leo Leaver")
    add_member(db, owner, org_id, leaver, Role.MEMBER)
    for person in (owner, viewer, leaver):
        notifications.follow(db, person, project.id, email_digest=person is not viewer)
    db.commit()
    organizations.remove_member(db, owner, org_id, leaver.id)
    db.commit()

    run = version_with_changes(db, project, ENTERED, requested_by=owner.id, trigger="user")
    told = notifications.record(db, run)
    db.commit()
    # The owner ran it by hand (and sees it); the leaver can no longer open the project.
    assert told == [viewer.id]
    assert notifications.record(db, run) == []  # a second finish tells nobody again
    (note,) = db.exec(select(Notification)).all()
    assert note.email_status == "none"  # the viewer chose no e-mail
    assert notifications.unread_count(db, viewer) == 1
    (shown,) = notifications.recent(db, viewer)
    assert shown["summary"] == "1 change(s)" and shown["unread"]
    assert shown["href"] == f"/projects/{project.id}/reports/crunchbase?version=2#market-changes"
    assert shown["project_name"] == "Pet care"
    assert shown["title"] == "Crunchbase Analysis v2 (since v1)"

    # A scheduled run tells everyone following, the person it runs as included.
    scheduled = version_with_changes(db, project, ENTERED, requested_by=owner.id)
    assert sorted(notifications.record(db, scheduled)) == sorted([owner.id, viewer.id])
    db.commit()
    assert notifications.mark_read(db, viewer) == 2
    assert notifications.unread_count(db, viewer) == 0

    # Removed from the organisation: their notifications are no longer shown to them.
    organizations.remove_member(db, owner, org_id, viewer.id)
    db.commit()
    assert notifications.recent(db, viewer) == [] and notifications.unread_count(db, viewer) == 0
    with pytest.raises(PermissionDenied):
        notifications.follow(db, viewer, project.id)


def test_no_change_tells_nobody(db, owner):
    project = _project(db, owner)
    notifications.follow(db, owner, project.id)
    run = version_with_changes(db, project, [], requested_by=owner.id)
    assert notifications.record(db, run) == []
