"""The queue view: admins see their organisations' active runs (and only theirs), and cancel."""

from __future__ import annotations

import pytest

from marketnav.models import ReportRun
from marketnav.services.errors import PermissionDenied
from marketnav.services.permissions import Role
from marketnav.services.reports import queue_admin, runs
from tests.factories import add_member, fill_inputs, make_project, make_user, personal_org_id


@pytest.fixture
def queued(db):
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pets")
    fill_inputs(db, owner, project)
    run = runs.start(db, owner, project.id, "quick_report")
    db.commit()
    return db, owner, project, run


def test_admin_sees_queued_runs_of_their_organisations_only(queued):
    db, owner, _project, run = queued
    stranger = make_user(db, "Sam Stranger")
    rows = queue_admin.active_runs(db, owner)
    assert [(r["run_id"], r["status"], r["project"]) for r in rows] == [(run.id, "queued", "Pets")]
    assert rows[0]["requested_by"] == owner.email and rows[0]["version"] == "v1"
    assert queue_admin.active_runs(db, stranger) == []


def test_member_of_an_organisation_does_not_see_its_queue(queued):
    db, owner, _project, run = queued
    member = make_user(db, "Mia Member")
    add_member(db, owner, personal_org_id(db, owner), member, Role.MEMBER)
    assert all(r["run_id"] != run.id for r in queue_admin.active_runs(db, member))


def test_cancelling_a_queued_run_ends_it_at_once_and_it_leaves_the_queue(queued):
    db, owner, _, run = queued
    runs.cancel(db, owner, run.id)
    db.commit()
    assert db.get(ReportRun, run.id).status == "cancelled"
    assert queue_admin.active_runs(db, owner) == []


def test_a_user_without_any_admin_role_is_refused(db, monkeypatch):
    make_user(db, "Ada First")  # the first account is the instance administrator
    user = make_user(db, "Nora Nobody")
    monkeypatch.setattr(queue_admin.organizations, "list_for_user", lambda *_: [])
    with pytest.raises(PermissionDenied):
        queue_admin.active_runs(db, user)
