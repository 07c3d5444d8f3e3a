"""Share links: tokens, hashing, expiry, revoke, passwords, rate limit, pinning, who may share."""

from __future__ import annotations

import math
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from marketnav.db import session_scope
from marketnav.models import AuditLog, ShareAttempt, ShareLink
from marketnav.models.base import utcnow
from marketnav.services import share_links, share_unlocks
from marketnav.services.errors import DomainError, PermissionDenied, RateLimited, ValidationFailed
from marketnav.services.permissions import Role
from tests.conftest import clear_caches
from tests.factories import (
    add_member,
    make_project,
    make_user,
    personal_org_id,
    reported_project,
    run_report,
)


@pytest.fixture
def shared(db, monkeypatch):
    owner, project = reported_project(db, monkeypatch)
    return db, owner, project


def _unlock(token: str, password: str, client: str) -> str:
    """One request's worth of unlock (its own session scope, rolled back when unlock raises),
    then the `/_share/unlock` redemption of its code: the grant the browser's cookie holds."""
    with session_scope() as session:
        code = share_links.unlock(session, token, password, client=client)
    with session_scope() as session:
        grant = share_unlocks.redeem_code(session, code)
    return grant.value


def _create(db, owner, project, **kwargs):
    created = share_links.create(db, owner, project.id, "quick_report", **kwargs)
    db.commit()
    return created


def test_token_has_256_bits_and_only_its_hash_is_stored(shared):
    db, owner, project = shared
    created = _create(db, owner, project)
    # token_urlsafe(32): 43 characters of a 64-symbol alphabet = 258 bits >= 256.
    assert len(created.token) * math.log2(64) >= 256
    row = db.get(ShareLink, created.link.id)
    assert row.token_hash == share_links.hash_token(created.token)
    assert created.token not in row.token_hash and row.token_hint == created.token[-4:]
    assert created.url.endswith(f"/share/{created.token}")
    others = {_create(db, owner, project).token for _ in range(20)}
    assert len(others) == 20


def test_open_counts_views_and_serves_latest_or_pinned_version(shared):
    db, owner, project = shared
    latest = _create(db, owner, project)
    pinned = _create(db, owner, project, pinned_version=1)
    run_report(db, owner, project)  # v2
    seen = share_links.open_link(db, latest.token, grant="", count_view=True)
    assert seen.run.version == 2 and seen.project_name == "Pets"
    assert share_links.open_link(db, pinned.token, grant="", count_view=True).run.version == 1
    db.commit()
    assert db.get(ShareLink, latest.link.id).views == 1
    with pytest.raises(ValidationFailed):
        _create(db, owner, project, pinned_version=9)


def test_unknown_expired_and_revoked_tokens_get_the_same_answer(shared):
    db, owner, project = shared
    expired = _create(db, owner, project, expires_in_days=1)
    row = db.get(ShareLink, expired.link.id)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    revoked = _create(db, owner, project)
    share_links.revoke(db, owner, revoked.link.id)
    db.commit()
    messages = set()
    for token in (expired.token, revoked.token, share_links.new_token(), "", "x" * 500):
        with pytest.raises(share_links.LinkUnavailable) as err:
            share_links.open_link(db, token, grant="", count_view=True)
        messages.add(str(err.value))
    assert messages == {share_links.UNAVAILABLE_MESSAGE}
    actions = [a.action for a in db.exec(select(AuditLog)).all()]
    assert actions.count("share.create") == 2 and "share.revoke" in actions


def test_password_protected_link_needs_the_password_and_is_rate_limited(shared):
    db, owner, project = shared
    created = _create(db, owner, project, password="open sesame")
    with pytest.raises(share_links.PasswordRequired):
        share_links.open_link(db, created.token, grant="", count_view=True)
    with pytest.raises(ValidationFailed):
        _unlock(created.token, "wrong", "1.2.3.4")
    grant = _unlock(created.token, "open sesame", "1.2.3.4")
    with pytest.raises(share_links.PasswordRequired):  # a made-up grant opens nothing
        share_links.open_link(db, created.token, grant=share_links.new_token(), count_view=False)
    assert share_links.open_link(db, created.token, grant=grant, count_view=True).protected
    for _ in range(share_links.MAX_ATTEMPTS_PER_LINK - 1):
        with pytest.raises(ValidationFailed):
            _unlock(created.token, "wrong", "5.6.7.8")
    # Each request rolled back when it raised; the failures were committed on their own.
    with pytest.raises(RateLimited):
        _unlock(created.token, "open sesame", "9.9.9.9")
    failures = db.exec(select(AuditLog).where(AuditLog.action == "share.password_failed")).all()
    assert len(failures) == share_links.MAX_ATTEMPTS_PER_LINK
    attempts = db.exec(select(ShareAttempt).where(ShareAttempt.link_id == created.link.id)).all()
    assert sorted(a.succeeded for a in attempts) == [False] * 5 + [True]
    with pytest.raises(ValidationFailed) as err:
        _create(db, owner, project, password="short")
    assert "password" in err.value.field_errors


def test_viewers_cannot_share_and_other_organisations_see_nothing(shared):
    db, owner, project = shared
    viewer, member, stranger = (
        make_user(db, "Vic Viewer"),
        make_user(db, "Mia Member"),
        make_user(db, "Sam Stranger"),
    )
    org = personal_org_id(db, owner)
    add_member(db, owner, org, viewer, Role.VIEWER)
    add_member(db, owner, org, member, Role.MEMBER)
    created = _create(db, owner, project)
    with pytest.raises(PermissionDenied):
        share_links.create(db, viewer, project.id, "quick_report")
    with pytest.raises(PermissionDenied):
        share_links.list_for_report(db, viewer, project.id, "quick_report")
    for outsider in (stranger,):
        with pytest.raises(PermissionDenied):
            share_links.list_for_report(db, outsider, project.id, "quick_report")
        with pytest.raises(PermissionDenied):
            share_links.revoke(db, outsider, created.link.id)
    mine = share_links.create(db, member, project.id, "quick_report")
    listed = share_links.list_for_report(db, member, project.id, "quick_report")
    assert {row["id"] for row in listed} == {created.link.id, mine.link.id}
    assert all(row["state"] == "active" and row["hint"].startswith("…") for row in listed)


def test_only_completed_reports_can_be_shared_and_expiry_is_bounded(shared):
    db, owner, project = shared
    with pytest.raises(DomainError, match="completed"):
        share_links.create(db, owner, project.id, "crunchbase")
    with pytest.raises(ValidationFailed):
        _create(db, owner, project, expires_in_days=0)
    with pytest.raises(ValidationFailed):
        _create(db, owner, project, expires_in_days=4000)


def test_prune_removes_links_expired_or_revoked_long_ago(shared):
    db, owner, project = shared
    old, fresh = _create(db, owner, project, expires_in_days=1), _create(db, owner, project)
    row = db.get(ShareLink, old.link.id)
    row.expires_at = utcnow() - timedelta(days=30)
    db.add(row)
    db.commit()
    assert share_links.prune_expired(db) == 1
    db.commit()
    assert db.get(ShareLink, old.link.id) is None and db.get(ShareLink, fresh.link.id)


XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">[x](javascript:alert(3))'


class _ActiveMarkup(HTMLParser):
    """Collects what a browser would run: script elements, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}]")


def _inert(html: str) -> bool:
    parser = _ActiveMarkup()
    parser.feed(html)
    return not parser.found


def test_xss_in_every_input_and_in_ai_output_is_inert_on_the_share_page(db, monkeypatch):
    from marketnav.models import ReportSection
    from marketnav.services import projects
    from marketnav.services.project_inputs import FIELDS

    monkeypatch.setenv("CRUNCHBASE_API_URL", "http://127.0.0.1:9")
    clear_caches()
    owner = make_user(db, "Xavier Xss")
    project = make_project(db, owner, "Pets " + XSS[:20])
    projects.save_inputs(db, owner, project.id, {f.key: f"{f.label} {XSS}" for f in FIELDS})
    db.commit()
    run = run_report(db, owner, project)
    # What a model could answer: markup in a section's markdown.
    db.add(
        ReportSection(run_id=run.id, section_key="model_text", title=XSS, markdown=XSS, position=99)
    )
    db.commit()
    created = _create(db, owner, project)
    page = share_links.shared_page(db, created.token, grant="", count_view=True)
    assert page.sections and all(_inert(s["html"]) for s in page.sections)
    assert any("alert(1)" in s["html"] for s in page.sections)  # shown as text, not dropped
    for fmt in ("html", "md", "pdf"):
        name, data, _ = share_links.download(db, created.token, fmt, grant="")
        assert name.endswith(f"-quick_report-v1.{fmt}") and data
        if fmt == "html":
            assert _inert(data.decode()) and "alert(1)" in data.decode()
    with pytest.raises(ValidationFailed):
        share_links.download(db, created.token, "json", grant="")
