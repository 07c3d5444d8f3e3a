"""The domain services on a real PostgreSQL database (migrated with Alembic)."""

from __future__ import annotations

import pytest

from marketnav.models import ProjectInputs
from marketnav.services import accounts, audit, projects
from marketnav.services.errors import PermissionDenied, RateLimited, ValidationFailed
from marketnav.services.permissions import Role
from tests.factories import add_member, make_project, make_user, personal_org_id

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def test_register_login_and_duplicate_email_on_postgres(pg_db):
    user = make_user(pg_db, "Ada Lovelace", "ada@example.com")
    assert accounts.login(pg_db, "ada@example.com", "correct horse battery").user.id == user.id
    # A taken e-mail creates nothing (and the page answers as for a new one).
    assert accounts.register(pg_db, "Ada Two", "ADA@example.com", "another password").user is None


def test_rate_limit_counts_rows_on_postgres(pg_db):
    make_user(pg_db, "Ada Lovelace", "ada@example.com")
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            accounts.login(pg_db, "ada@example.com", "nope nope", "10.1.1.1")
        pg_db.commit()
    with pytest.raises(RateLimited):
        accounts.login(pg_db, "ada@example.com", "correct horse battery", "10.1.1.1")


def test_projects_search_pagination_and_cascade_on_postgres(pg_db):
    owner, viewer = make_user(pg_db, "Olga Owner"), make_user(pg_db, "Vic Viewer")
    add_member(pg_db, owner, personal_org_id(pg_db, owner), viewer, Role.VIEWER)
    for i in range(25):
        make_project(pg_db, owner, f"{'Pet' if i % 2 else 'Fin'} project {i}")
    page = projects.list_for_user(pg_db, viewer, search="PET", per_page=10, page=2)
    assert (page.total, page.pages, len(page.items)) == (12, 2, 2)
    project = make_project(pg_db, owner, "Doomed")
    projects.save_inputs(pg_db, owner, project.id, {"startup_name": "X"})
    pg_db.commit()
    with pytest.raises(PermissionDenied):
        projects.delete(pg_db, viewer, project.id)
    projects.delete(pg_db, owner, project.id)
    pg_db.commit()
    assert pg_db.get(ProjectInputs, project.id) is None
    rows, total = audit.list_for_organization(pg_db, personal_org_id(pg_db, owner))
    assert total >= 27 and rows[0][0].action == "project.delete" and rows[0][1] == owner.email
