"""Projects: list with search and pagination, create, rename, archive, delete."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from marketnav.models import Membership, Organization, Project, ProjectInputs, User
from marketnav.models.base import utcnow
from marketnav.services import audit, project_inputs, storage
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action, Role, authorize

logger = logging.getLogger(__name__)

STATUSES = ("active", "archived")


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    description: str
    status: str
    organization_id: int
    organization_name: str
    completion_status: str
    role: str
    created_at: str


@dataclass(frozen=True)
class ProjectPage:
    items: list[ProjectSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _validate_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed("Give the project a name.", {"name": "Required."})
    if len(name) > 255:
        raise ValidationFailed("Use at most 255 characters.", {"name": "Too long."})
    return name


def list_for_user(
    session: Session,
    user: User,
    *,
    search: str = "",
    status: str = "active",
    page: int = 1,
    per_page: int = 12,
) -> ProjectPage:
    """Projects of every organisation the user belongs to, newest first."""
    per_page = min(max(per_page, 1), 100)
    query = (
        select(Project, Organization.name, Membership.role, ProjectInputs.completion_status)
        .join(Organization, col(Organization.id) == col(Project.organization_id))
        .join(Membership, col(Membership.organization_id) == col(Project.organization_id))
        .join(ProjectInputs, col(ProjectInputs.project_id) == col(Project.id), isouter=True)
        .where(Membership.user_id == user.id, Project.status == status)
    )
    term = search.strip()
    if term:
        pattern = f"%{term.lower()}%"
        query = query.where(
            or_(
                func.lower(Project.name).like(pattern),
                func.lower(Project.description).like(pattern),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.exec(
        query.order_by(col(Project.updated_at).desc(), col(Project.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        ProjectSummary(
            id=p.id,
            name=p.name,
            description=p.description,
            status=p.status,
            organization_id=p.organization_id,
            organization_name=org_name,
            completion_status=completion or "incomplete",
            role=role,
            created_at=p.created_at.strftime("%Y-%m-%d"),
        )
        for p, org_name, role, completion in rows
    ]
    return ProjectPage(items, total, page, per_page)


def get(
    session: Session, user: User, project_id: int, action: Action = Action.PROJECT_VIEW
) -> tuple[Project, Role]:
    """The project and the user's role, if the user may do `action` on it."""
    project = session.get(Project, project_id)
    if project is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    return project, authorize(session, user, action, project)


def organization_name(session: Session, project: Project) -> str:
    organization = session.get(Organization, project.organization_id)
    return organization.name if organization else ""


def get_inputs(session: Session, project: Project) -> ProjectInputs:
    inputs = session.get(ProjectInputs, project.id)
    if inputs is None:  # every project gets its inputs row at creation; repair if missing
        inputs = ProjectInputs(project_id=project.id, inputs_hash=project_inputs.inputs_hash({}))
        session.add(inputs)
        session.flush()
    return inputs


def create(
    session: Session, user: User, organization_id: int, name: str, description: str = ""
) -> Project:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    authorize(session, user, Action.PROJECT_CREATE, organization)
    description = description.strip()
    if len(description) > 5000:
        raise ValidationFailed(
            "The description is too long.", {"description": "At most 5000 characters."}
        )
    project = Project(
        organization_id=organization_id,
        name=_validate_name(name),
        description=description,
        created_by_id=user.id,
    )
    session.add(project)
    session.flush()
    inputs = ProjectInputs(project_id=project.id, inputs_hash=project_inputs.inputs_hash({}))
    # What the user already said when creating the project answers the first two questions.
    project_inputs.apply(
        session,
        inputs,
        {"startup_name": project.name, "startup_description": project.description},
        user,
    )
    inputs.filled_via = ""  # copied at creation: neither a manual fill nor the assistant's
    session.add(inputs)
    audit.record(
        session,
        "project.create",
        user_id=user.id,
        organization_id=organization_id,
        resource_type="project",
        resource_id=project.id,
        name=project.name,
    )
    return project


def rename(
    session: Session, user: User, project_id: int, name: str, description: str | None = None
) -> Project:
    project, _ = get(session, user, project_id, Action.PROJECT_EDIT)
    project.name = _validate_name(name)
    if description is not None:
        project.description = description.strip()[:5000]
    project.updated_at = utcnow()
    session.add(project)
    return project


def set_archived(session: Session, user: User, project_id: int, archived: bool) -> Project:
    project, _ = get(session, user, project_id, Action.PROJECT_EDIT)
    project.status = "archived" if archived else "active"
    project.updated_at = utcnow()
    session.add(project)
    audit.record(
        session,
        "project.archive" if archived else "project.unarchive",
        user_id=user.id,
        organization_id=project.organization_id,
        resource_type="project",
        resource_id=project.id,
    )
    return project


def delete(session: Session, user: User, project_id: int) -> tuple[int, int]:
    """Delete a project, its rows and its report files: (files deleted, files left).

    Files go first: if the database delete then fails, the project stays and its downloads
    are rendered again from the sections. A file the store cannot delete is counted as left
    (and logged), never silently forgotten.
    """
    project, _ = get(session, user, project_id, Action.PROJECT_DELETE)
    prefix = storage.project_prefix(project.organization_id, project.id)
    deleted, left = storage.delete_prefix(storage.get_storage(), prefix)
    if left:
        logger.warning("project %s deleted with %s files left under %s", project.id, left, prefix)
    audit.record(
        session,
        "project.delete",
        user_id=user.id,
        organization_id=project.organization_id,
        resource_type="project",
        resource_id=project.id,
        name=project.name,
        files_deleted=deleted,
        files_left=left,
    )
    # The inputs, reports, runs, sections and evidence go with it through ON DELETE CASCADE.
    session.delete(project)
    return deleted, left


def save_inputs(
    session: Session, user: User, project_id: int, values: dict[str, str]
) -> ProjectInputs:
    """A manual save of the nine answers (clears AI markers of changed fields)."""
    project, _ = get(session, user, project_id, Action.PROJECT_EDIT)
    inputs = get_inputs(session, project)
    if project_inputs.apply(session, inputs, values, user):
        project.updated_at = utcnow()
        session.add(project)
    return inputs
