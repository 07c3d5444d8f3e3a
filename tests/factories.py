"""Small builders for test data through the real services."""

from __future__ import annotations

from sqlmodel import Session

from marketnav.models import Project, User
from marketnav.services import accounts, organizations, projects
from marketnav.services.permissions import Role


def make_user(db: Session, name: str = "Ada Lovelace", email: str | None = None) -> User:
    email = email or f"{name.split()[0].lower()}@example.com"
    result = accounts.register(db, name, email, "correct horse battery")
    db.commit()
    return result.user


def personal_org_id(db: Session, user: User) -> int:
    return organizations.list_for_user(db, user)[0][0].id


def make_project(
    db: Session, user: User, name: str = "Pet care", org_id: int | None = None
) -> Project:
    project = projects.create(db, user, org_id or personal_org_id(db, user), name)
    db.commit()
    return project


def add_member(db: Session, owner: User, org_id: int, user: User, role: Role) -> None:
    organizations.invite(db, owner, org_id, user.email, role.value)
    # The invitee joins when they next sign in (invitations do not reveal accounts).
    organizations.accept_invitations(db, user)
    db.commit()


# The eight required answers of a pet-sitting marketplace (report engine and queue tests).
PET_SITTER_INPUTS = {
    "startup_name": "PawPal",
    "startup_description": "A marketplace where pet owners book trusted local pet sitters.",
    "target_audience": "Urban pet owners",
    "current_stage": "mvp",
    "business_model": "15% commission per booking",
    "geographic_focus": "Western Europe",
    "research_goal": "Who are the competitors and how are they funded?",
    "time_range": "Last 5 years",
}


COMPLETE_INPUTS = {
    "startup_name": "PawPal",
    "startup_description": "A subscription app that books vetted dog walkers for busy city "
    "owners, with GPS tracked walks and photo updates.",
    "target_audience": "Urban pet owners aged 25-45",
    "current_stage": "mvp",
    "business_model": "Monthly subscription plus a booking fee",
    "geographic_focus": "US and Canada",
    "research_goal": "Who are the competitors and how do they monetise?",
    "time_range": "Last 5 years",
    "inspiration_sources": "Rover, Wag",
}


def fill_inputs(db: Session, user: User, project: Project) -> None:
    projects.save_inputs(db, user, project.id, COMPLETE_INPUTS)
    db.commit()


def run_report(db: Session, user: User, project: Project, report_type: str = "quick_report"):
    """Start and execute one report run in-process (offline AI); returns the finished run."""
    from marketnav.models import ReportRun
    from marketnav.services.reports import runner, runs

    run = runs.start(db, user, project.id, report_type, confirm_partial=True)
    db.commit()
    outcome = runner.execute(run.id, "test")
    assert outcome.status == "completed", outcome
    db.expire_all()
    return db.get(ReportRun, run.id)


def reported_project(db: Session, monkeypatch) -> tuple[User, Project]:
    """Olga Owner's project "Pets" with a completed Quick Report (offline, no market service:
    the Crunchbase service address is unreachable), e.g. for share links to it."""
    from tests.conftest import clear_caches

    monkeypatch.setenv("CRUNCHBASE_API_URL", "http://127.0.0.1:9")
    clear_caches()
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pets")
    fill_inputs(db, owner, project)
    run_report(db, owner, project)
    return owner, project


def version_with_changes(
    db: Session,
    project: Project,
    changes: list[dict],
    *,
    requested_by: int | None = None,
    trigger: str = "schedule",
    report_type: str = "crunchbase",
):
    """The next completed version of a project's report, holding these market changes (as
    the runner stores them) against the version before."""
    from sqlmodel import select

    from marketnav.models import Report, ReportRun

    report = db.exec(
        select(Report).where(Report.project_id == project.id, Report.report_type == report_type)
    ).first()
    if report is None:
        report = Report(project_id=project.id, report_type=report_type, latest_version=1)
        db.add(report)
        db.commit()
    report.latest_version += 1
    run = ReportRun(
        report_id=report.id,
        version=report.latest_version,
        status="completed",
        requested_by=requested_by,
        trigger=trigger,
        data={
            "market_changes": {
                "since": report.latest_version - 1,
                "summary": f"{len(changes)} change(s)",
                "changes": changes,
            }
        },
    )
    db.add_all([report, run])
    db.commit()
    return run
