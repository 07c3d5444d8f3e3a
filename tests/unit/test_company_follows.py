"""Following one company of a report: followed from its section, re-checked on the project's
cadence (a set clock, a scripted data source), its follower told of a new round or a status
change once, in the words of the version comparison."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from marketnav.db import session_scope
from marketnav.models import CompanyFollow, Notification, Report, ReportRun, ReportSection
from marketnav.models.base import utcnow
from marketnav.services import organizations
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import Role
from marketnav.services.watching import company_follows, notifications
from tests.factories import add_member, make_project, make_user, personal_org_id
from tests.support.concurrency import at_once

ROVER = {"name": "Rover", "slug": "rover", "funding_usd": 310e6, "status": "operating"}


def _report_with_rover(db: Session, project) -> None:
    report = Report(project_id=project.id, report_type="crunchbase", latest_version=1)
    db.add(report)
    db.commit()
    run = ReportRun(report_id=report.id, version=1, status="completed", completed_at=utcnow())
    db.add(run)
    db.commit()
    db.add(
        ReportSection(
            run_id=run.id,
            section_key="company_rover",
            title="Rover",
            kind="company",
            company_name="Rover",
            section_data={"facts": ROVER, "threat": "High"},
        )
    )
    db.commit()


class Source:
    """A scripted data source: what the lookup answers, and how often it was asked."""

    def __init__(self, facts: dict | None) -> None:
        self.facts, self.calls = facts, 0
        self.lock = threading.Lock()

    async def __call__(self, source: str, name: str, website: str) -> dict | None:
        with self.lock:
            self.calls += 1
        return self.facts


@pytest.fixture
def followed(db: Session):
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pet care")
    _report_with_rover(db, project)
    row = company_follows.follow(db, owner, project.id, "crunchbase", "rover")
    db.commit()
    return owner, project, row


def _notes(db: Session) -> list[Notification]:
    db.expire_all()
    return list(db.exec(select(Notification)).all())


def test_following_starts_from_what_the_report_said(db, followed):
    owner, project, row = followed
    assert row.company_name == "Rover" and row.last_facts == {
        "funding_usd": 310e6,
        "status": "operating",
    }
    assert row.next_check_at > utcnow() + timedelta(days=6)  # weekly without a watch
    (shown,) = company_follows.followed(db, owner, project.id)
    assert shown["key"] == "crunchbase:rover"
    with pytest.raises(ValidationFailed, match="not in this report"):
        company_follows.follow(db, owner, project.id, "crunchbase", "wag")
    with pytest.raises(ValidationFailed, match="Crunchbase or Tracxn"):
        company_follows.follow(db, owner, project.id, "verdict", "rover")
    stranger = make_user(db, "Sam Stranger")
    with pytest.raises(PermissionDenied):
        company_follows.follow(db, stranger, project.id, "crunchbase", "rover")


def test_a_new_round_and_a_status_change_are_told_once_and_nothing_else_is(db, followed):
    owner, project, row = followed
    due = row.next_check_at
    raised = Source({"funding_usd": 410e6, "status": "acquired"})
    assert (
        company_follows.check_due(session_scope, raised, now=due - timedelta(minutes=1)).checked
        == 0
    )
    result = company_follows.check_due(session_scope, raised, now=due)
    assert (result.checked, result.changed) == (1, 1)
    (note,) = _notes(db)
    assert note.kind == "company" and note.subject == "Rover" and note.change_count == 2
    assert "Rover: total funding raised from $310M to $410M" in note.summary
    assert "Rover: status operating → acquired" in note.summary
    (shown,) = notifications.recent(db, owner)
    assert shown["title"] == "Rover, a company you follow (Crunchbase Analysis)"
    assert shown["href"] == f"/projects/{project.id}/reports/crunchbase#sec-company_rover"

    # The same facts a week later: checked, nothing to tell.
    later = due + timedelta(weeks=1)
    same = company_follows.check_due(session_scope, raised, now=later)
    assert (same.checked, same.changed) == (1, 0) and len(_notes(db)) == 1
    # Funding that drops out of the data: unknown, never zero.
    gone = company_follows.check_due(
        session_scope,
        Source({"funding_usd": None, "status": "acquired"}),
        now=later + timedelta(weeks=1),
    )
    assert gone.changed == 1
    assert "no longer disclosed" in _notes(db)[-1].summary and "$0" not in _notes(db)[-1].summary


def test_a_source_that_does_not_know_it_is_said_and_two_checkers_check_once(db, followed):
    _, _, row = followed
    due = row.next_check_at
    unknown = Source(None)
    result = company_follows.check_due(session_scope, unknown, now=due)
    assert result.failed == 1
    db.expire_all()
    assert db.get(CompanyFollow, row.id).last_error == "not found by the data source"

    raised = Source({"funding_usd": 410e6, "status": "operating"})
    later = due + timedelta(weeks=1)
    at_once(lambda: company_follows.check_due(session_scope, raised, now=later))
    assert raised.calls == 1 and len(_notes(db)) == 1


def test_someone_who_left_the_organisation_is_not_told(db):
    owner = make_user(db, "Olga Owner")
    org_id = personal_org_id(db, owner)
    member = make_user(db, "Mia Member")
    add_member(db, owner, org_id, member, Role.MEMBER)
    project = make_project(db, owner, "Pet care", org_id)
    _report_with_rover(db, project)
    row = company_follows.follow(db, member, project.id, "crunchbase", "rover")
    db.commit()
    organizations.remove_member(db, owner, org_id, member.id)
    db.commit()
    result = company_follows.check_due(
        session_scope, Source({"funding_usd": 410e6, "status": "operating"}), now=row.next_check_at
    )
    assert result.checked == 1 and _notes(db) == []
