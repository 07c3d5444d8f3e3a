"""Projects and their nine inputs through the services."""

from __future__ import annotations

import pytest
from sqlmodel import select

from marketnav.models import AuditLog, Project
from marketnav.services import project_inputs, projects
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import Role
from tests.factories import add_member, make_project, make_user, personal_org_id

COMPLETE = {
    "startup_name": "PawPal",
    "startup_description": "A marketplace for trusted pet sitters.",
    "target_audience": "Urban pet owners",
    "current_stage": "mvp",
    "business_model": "15% commission per booking",
    "geographic_focus": "Western Europe",
    "research_goal": "Who are the competitors and how are they funded?",
    "time_range": "Last 5 years",
}


def test_list_paginates_without_a_silent_cap(db):
    user = make_user(db)
    for i in range(30):
        make_project(db, user, f"Project {i:02d}")
    first = projects.list_for_user(db, user, per_page=12)
    last = projects.list_for_user(db, user, page=3, per_page=12)
    assert (first.total, first.pages, len(first.items)) == (30, 3, 12)
    assert len(last.items) == 6
    seen = {
        i.id for p in (1, 2, 3) for i in projects.list_for_user(db, user, page=p, per_page=12).items
    }
    assert len(seen) == 30


def test_list_searches_name_and_description_case_insensitively(db):
    user = make_user(db)
    make_project(db, user, "Pet care marketplace")
    projects.create(db, user, personal_org_id(db, user), "Fintech", "Payments for PETS shops")
    make_project(db, user, "Climate")
    db.commit()
    names = {i.name for i in projects.list_for_user(db, user, search="pet").items}
    assert names == {"Pet care marketplace", "Fintech"}


def test_list_spans_organisations_and_hides_others(db):
    alice, bob = make_user(db, "Alice A"), make_user(db, "Bob B")
    make_project(db, alice, "Alice's")
    make_project(db, bob, "Bob's")
    add_member(db, bob, personal_org_id(db, bob), alice, Role.VIEWER)
    assert {i.name for i in projects.list_for_user(db, alice).items} == {"Alice's", "Bob's"}
    assert {i.name for i in projects.list_for_user(db, bob).items} == {"Bob's"}


def test_create_validates_name_and_writes_audit(db):
    user = make_user(db)
    with pytest.raises(ValidationFailed) as err:
        projects.create(db, user, personal_org_id(db, user), "   ")
    assert "name" in err.value.field_errors
    project = make_project(db, user, "Real")
    assert db.exec(
        select(AuditLog).where(AuditLog.action == "project.create")
    ).one().resource_id == str(project.id)


def test_archive_rename_delete(db):
    user = make_user(db)
    project = make_project(db, user, "Old name")
    projects.rename(db, user, project.id, "New name")
    projects.set_archived(db, user, project.id, True)
    db.commit()
    assert projects.list_for_user(db, user).total == 0
    assert projects.list_for_user(db, user, status="archived").items[0].name == "New name"
    projects.delete(db, user, project.id)
    db.commit()
    assert db.get(Project, project.id) is None
    assert db.exec(select(AuditLog).where(AuditLog.action == "project.delete")).one()


def test_roles_limit_project_changes(db):
    owner, viewer, member = make_user(db, "Olga O"), make_user(db, "Vic V"), make_user(db, "Mia M")
    org_id = personal_org_id(db, owner)
    add_member(db, owner, org_id, viewer, Role.VIEWER)
    add_member(db, owner, org_id, member, Role.MEMBER)
    project = make_project(db, owner, "Shared")
    with pytest.raises(PermissionDenied):
        projects.save_inputs(db, viewer, project.id, {"startup_name": "Hijack"})
    with pytest.raises(PermissionDenied):
        projects.create(db, viewer, org_id, "Viewer project")
    with pytest.raises(PermissionDenied):
        projects.delete(db, member, project.id)
    projects.save_inputs(db, member, project.id, {"startup_name": "Allowed"})
    outsider = make_user(db, "Otto O")
    with pytest.raises(PermissionDenied):
        projects.get(db, outsider, project.id)


def test_inputs_completion_status_and_hash(db):
    user = make_user(db)
    project = make_project(db, user)
    inputs = projects.get_inputs(db, project)
    # The name given at creation is already the first answer (#13).
    assert (inputs.startup_name, inputs.completion_status) == ("Pet care", "partial")
    empty_hash = inputs.inputs_hash
    inputs = projects.save_inputs(db, user, project.id, {"startup_name": "  PawPal  "})
    assert (inputs.startup_name, inputs.completion_status) == ("PawPal", "partial")
    partial_hash = inputs.inputs_hash
    inputs = projects.save_inputs(db, user, project.id, COMPLETE)
    assert inputs.completion_status == "complete"
    assert len({empty_hash, partial_hash, inputs.inputs_hash}) == 3
    # Competitors are optional for completion but part of the hash.
    before = inputs.inputs_hash
    inputs = projects.save_inputs(db, user, project.id, {"inspiration_sources": "Rover"})
    assert inputs.completion_status == "complete" and inputs.inputs_hash != before


def test_inputs_validation_rejects_too_long_and_unknown_fields(db):
    user = make_user(db)
    project = make_project(db, user)
    with pytest.raises(ValidationFailed) as err:
        projects.save_inputs(db, user, project.id, {"startup_name": "x" * 300})
    assert "startup_name" in err.value.field_errors
    with pytest.raises(ValidationFailed, match="Unknown"):
        projects.save_inputs(db, user, project.id, {"is_admin": "yes"})
    assert projects.get_inputs(db, project).startup_name == "Pet care"  # unchanged


def test_manual_edit_clears_ai_marker_only_for_changed_fields(db):
    user = make_user(db)
    project = make_project(db, user)
    inputs = projects.get_inputs(db, project)
    project_inputs.apply(
        db,
        inputs,
        {"startup_name": "AI name", "target_audience": "AI audience"},
        None,
        ai_confidence={"startup_name": 0.8, "target_audience": 0.6},
    )
    assert inputs.ai_generated == {"startup_name": True, "target_audience": True}
    assert inputs.filled_via == "ai_chat"
    inputs = projects.save_inputs(
        db, user, project.id, {**project_inputs.as_dict(inputs), "startup_name": "My name"}
    )
    assert inputs.ai_generated == {"target_audience": True}
    assert inputs.ai_confidence == {"target_audience": 0.6}
    assert inputs.filled_via == "mixed"


def test_missing_required_lists_the_eight_required_fields():
    assert set(project_inputs.missing_required({})) == set(COMPLETE)
    assert project_inputs.missing_required(COMPLETE) == []


def test_deleting_a_project_deletes_its_report_files_and_says_so(db, monkeypatch):
    from marketnav.services import storage

    user = make_user(db)
    project = make_project(db, user, "With files")
    other = make_project(db, user, "Kept")
    db.commit()
    store = storage.get_storage()
    mine = storage.project_prefix(project.organization_id, project.id)
    theirs = storage.project_prefix(other.organization_id, other.id)
    for name in ("reports/crunchbase/v1/report.pdf", "reports/crunchbase/v1/raw_data.json"):
        store.put(mine + name, b"x")
    store.put(theirs + "reports/quick_report/v1/report.md", b"y")
    real_delete = type(store).delete

    def flaky(self, key):
        if key.endswith("raw_data.json"):
            raise storage.StorageError("store down")
        real_delete(self, key)

    monkeypatch.setattr(type(store), "delete", flaky)
    assert projects.delete(db, user, project.id) == (1, 1)
    db.commit()
    assert store.list(mine) == [mine + "reports/crunchbase/v1/raw_data.json"]
    assert store.list(theirs)  # another project's files are untouched
    row = db.exec(select(AuditLog).where(AuditLog.action == "project.delete")).one()
    assert row.details["files_deleted"] == 1 and row.details["files_left"] == 1


def test_a_new_project_s_name_and_description_become_its_first_answers(db):
    user = make_user(db)
    project = projects.create(
        db, user, personal_org_id(db, user), "  PawPal ", "Trusted pet sitters, insured."
    )
    db.commit()
    inputs = projects.get_inputs(db, project)
    assert inputs.startup_name == "PawPal"
    assert inputs.startup_description == "Trusted pet sitters, insured."
    assert inputs.completion_status == "partial" and inputs.ai_generated == {}
    bare = projects.create(db, user, personal_org_id(db, user), "No description")
    assert projects.get_inputs(db, bare).startup_description == ""
