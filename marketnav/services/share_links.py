"""Shareable report links: create, list, revoke, open by token, password unlock, clean-up.

Tokens carry 256 bits from `secrets`; only their SHA-256 is stored and looked up, and the
stored hash is compared in constant time. Expired, revoked and unknown tokens all raise the
same `LinkUnavailable`, so a visitor learns nothing about which it was. Passwords are argon2
hashes; wrong passwords are rate-limited per link and per client and audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketnav.models import Project, Report, ReportRun, ShareAttempt, ShareLink, User
from marketnav.models.base import utcnow
from marketnav.services import audit, passwords, projects, share_unlocks
from marketnav.services.errors import DomainError, PermissionDenied, RateLimited, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action
from marketnav.services.reports.catalog import REPORT_TYPES
from marketnav.services.reports.exports import formats_for
from marketnav.services.reports.runs import completed_run, report_for
from marketnav.services.reports.viewer import FORMAT_LABELS, ReportPage, fill_version, version_file
from marketnav.settings import get_settings

TOKEN_BYTES = 32  # 256 bits
UNAVAILABLE_MESSAGE = "This link is not available. It may have expired or been revoked."
MAX_EXPIRY_DAYS = 365
MAX_ATTEMPTS_PER_LINK = 5
MAX_ATTEMPTS_PER_CLIENT = 20
ATTEMPT_WINDOW = timedelta(minutes=15)


class LinkUnavailable(DomainError):
    """Unknown, expired or revoked: one neutral answer for all three."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)


class PasswordRequired(DomainError):
    """The link is protected; the visitor must give its password."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def share_url(token: str) -> str:
    return f"{get_settings().app_url.rstrip('/')}/share/{token}"


@dataclass(frozen=True)
class CreatedLink:
    link: ShareLink
    token: str  # shown once, never stored
    url: str


def _when(moment: datetime | None, default: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else default


def _link_view(link: ShareLink, now: datetime) -> dict:
    state = "active"
    if link.revoked_at:
        state = "revoked"
    elif link.expires_at and link.expires_at <= now:
        state = "expired"
    return {
        "id": link.id,
        "label": link.label,
        "hint": f"…{link.token_hint}",
        "version": f"v{link.pinned_version}" if link.pinned_version else "latest",
        "protected": bool(link.password_hash),
        "views": link.views,
        "downloads": link.downloads,
        "password": "required" if link.password_hash else "none",
        "last_viewed": _when(link.last_viewed_at, ""),
        "expires": _when(link.expires_at, "never"),
        "created": _when(link.created_at, ""),
        "state": state,
    }


def _report(session: Session, user: User, project_id: int, report_type: str, action: Action):
    project, _ = projects.get(session, user, project_id, action)
    report = report_for(session, project.id, report_type)
    if report is None or not report.latest_version:
        raise DomainError("Only a completed report can be shared.")
    return project, report


def create(
    session: Session,
    user: User,
    project_id: int,
    report_type: str,
    *,
    pinned_version: int | None = None,
    expires_in_days: int | None = None,
    password: str = "",
    label: str = "",
    client: str = "",
) -> CreatedLink:
    """A new link (owner, admin, member; never a viewer). The token is returned once."""
    project, report = _report(session, user, project_id, report_type, Action.REPORT_SHARE)
    errors: dict[str, str] = {}
    if pinned_version is not None and completed_run(session, report.id, pinned_version) is None:
        errors["version"] = f"Version {pinned_version} is not a completed version."
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires"] = f"Expiry must be between 1 and {MAX_EXPIRY_DAYS} days."
    if password and len(password) < passwords.MIN_LENGTH:
        errors["password"] = f"Use at least {passwords.MIN_LENGTH} characters."
    if len(label) > 120:
        errors["label"] = "Keep the label under 120 characters."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    token = new_token()
    link = ShareLink(
        report_id=report.id,
        organization_id=project.organization_id,
        created_by=user.id,
        token_hash=hash_token(token),
        token_hint=token[-4:],
        label=label.strip(),
        pinned_version=pinned_version,
        password_hash=passwords.hash_password(password) if password else None,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        "share.create",
        user_id=user.id,
        organization_id=project.organization_id,
        resource_type="share_link",
        resource_id=link.id,
        client=client,
        report_type=report_type,
        version=pinned_version or "latest",
        protected=bool(password),
        expires_in_days=expires_in_days,
    )
    return CreatedLink(link, token, share_url(token))


def list_for_report(session: Session, user: User, project_id: int, report_type: str) -> list[dict]:
    """The report's links (only to members who may share: viewers and outsiders get nothing)."""
    projects.get(session, user, project_id, Action.REPORT_SHARE)
    report = report_for(session, project_id, report_type)
    if report is None:
        return []
    rows = session.exec(
        select(ShareLink)
        .where(ShareLink.report_id == report.id)
        .order_by(col(ShareLink.created_at).desc())
    ).all()
    now = utcnow()
    return [_link_view(link, now) for link in rows]


def revoke(session: Session, user: User, link_id: int, *, client: str = "") -> None:
    link = session.get(ShareLink, link_id)
    report = session.get(Report, link.report_id) if link else None
    if link is None or report is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    project, _ = projects.get(session, user, report.project_id, Action.REPORT_SHARE)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        audit.record(
            session,
            "share.revoke",
            user_id=user.id,
            organization_id=project.organization_id,
            resource_type="share_link",
            resource_id=link.id,
            client=client,
        )


def _find(session: Session, token: str) -> ShareLink:
    """The live link for `token`, or LinkUnavailable (the same for every failure)."""
    if not token or len(token) > 100:
        raise LinkUnavailable()
    wanted = hash_token(token)
    link = session.exec(select(ShareLink).where(ShareLink.token_hash == wanted)).first()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        raise LinkUnavailable()
    if link.revoked_at is not None or (link.expires_at and link.expires_at <= utcnow()):
        raise LinkUnavailable()
    report = session.get(Report, link.report_id)
    project = session.get(Project, report.project_id) if report else None
    if project is None or project.status == "deleted":
        raise LinkUnavailable()
    return link


@dataclass(frozen=True)
class SharedReport:
    link_id: int
    report: Report
    run: ReportRun
    project_name: str
    protected: bool


def _recent_failures(session: Session, **where: object) -> int:
    query = select(func.count()).where(
        col(ShareAttempt.succeeded).is_(False),
        col(ShareAttempt.created_at) >= utcnow() - ATTEMPT_WINDOW,
    )
    for field, value in where.items():
        query = query.where(getattr(ShareAttempt, field) == value)
    return session.exec(query.select_from(ShareAttempt)).one()


def unlock(session: Session, token: str, password: str, client: str = "") -> str:
    """Check a protected link's password (rate-limited, failures audited); a one-time code.

    The code (`share_unlocks`) is redeemed by `/_share/unlock` for the HttpOnly cookie that
    keeps the link open in this browser; "" for a link without a password. A wrong password
    is recorded and audited in a transaction of its own before `ValidationFailed` is raised,
    so it counts whatever the caller does next.
    """
    link = _find(session, token)
    if not link.password_hash:
        return ""
    if _recent_failures(session, link_id=link.id) >= MAX_ATTEMPTS_PER_LINK or (
        client and _recent_failures(session, client=client[:255]) >= MAX_ATTEMPTS_PER_CLIENT
    ):
        raise RateLimited("Too many wrong passwords. Wait a few minutes and try again.")
    ok = passwords.verify_password(link.password_hash, password)
    if not ok:
        # Committed on its own: the error rolls the caller's transaction back.
        audit.record_failure(
            "share.password_failed",
            rows=[ShareAttempt(link_id=link.id, client=client[:255], succeeded=False)],
            organization_id=link.organization_id,
            resource_type="share_link",
            resource_id=link.id,
            client=client,
        )
        raise ValidationFailed("That password is not right.")
    session.add(ShareAttempt(link_id=link.id, client=client[:255], succeeded=True))
    return share_unlocks.issue_code(session, link)


def open_link(session: Session, token: str, *, grant: str, count_view: bool) -> SharedReport:
    """The report a link shows. A protected link needs the `grant` its password gave."""
    link = _find(session, token)
    if link.password_hash and not share_unlocks.opens(session, link, grant):
        raise PasswordRequired("This report is protected by a password.")
    report = session.get(Report, link.report_id)
    run = completed_run(session, report.id, link.pinned_version or report.latest_version)
    if run is None:
        raise LinkUnavailable()
    if count_view:
        link.views += 1
        link.last_viewed_at = utcnow()
        session.add(link)
    project = session.get(Project, report.project_id)
    return SharedReport(link.id, report, run, project.name, bool(link.password_hash))


# What a visitor may download (raw JSON stays in the workspace).
SHARE_FORMATS = ("html", "md", "pdf", "pptx")


def shared_page(session: Session, token: str, *, grant: str, count_view: bool) -> ReportPage:
    """The read-only page of a link: the version's sections and charts, nothing else."""
    shared = open_link(session, token, grant=grant, count_view=count_view)
    spec = REPORT_TYPES[shared.report.report_type]
    page = ReportPage(
        project_id=0,
        project_name=shared.project_name,
        report_type=spec.key,
        label=spec.label,
        title=spec.title,
        role="",
        can_run=False,
        blocked="",
        formats=[
            {"fmt": f, "label": FORMAT_LABELS[f]}
            for f in formats_for(spec.key)
            if f in SHARE_FORMATS
        ],
        versions=[],
    )
    fill_version(session, page, shared.run)
    return page


def download(session: Session, token: str, fmt: str, *, grant: str) -> tuple[str, bytes, str]:
    """A file of the shared version: same checks as the page (password, expiry), counted as a
    download (never as a view)."""
    if fmt not in SHARE_FORMATS:
        raise ValidationFailed("This file is not available from a shared link.")
    shared = open_link(session, token, grant=grant, count_view=False)
    if fmt not in formats_for(shared.report.report_type):
        raise ValidationFailed("This file is not available from a shared link.")
    served = version_file(session, shared.run, fmt)
    link = session.get(ShareLink, shared.link_id)
    link.downloads += 1  # a download is not a view: the owner sees both
    session.add(link)
    return served


def prune_expired(session: Session, grace: timedelta = timedelta(days=7)) -> int:
    """Delete links expired or revoked more than `grace` ago (beat)."""
    cutoff = utcnow() - grace
    rows = session.exec(
        select(ShareLink).where(
            (col(ShareLink.expires_at) < cutoff) | (col(ShareLink.revoked_at) < cutoff)
        )
    ).all()
    for link in rows:
        session.delete(link)
    return len(rows)
