"""Share unlock grants: one-time codes, grants that open one link, expiry, digests only."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from marketnav.models import ShareLink, ShareUnlock
from marketnav.models.base import utcnow
from marketnav.services import share_links, share_unlocks
from marketnav.services.sessions import tagged_digest
from tests.factories import reported_project


@pytest.fixture
def links(db, monkeypatch):
    """Two protected links to one completed report: (db, first link, second link)."""
    owner, project = reported_project(db, monkeypatch)
    first = share_links.create(db, owner, project.id, "quick_report", password="open sesame")
    second = share_links.create(db, owner, project.id, "quick_report", password="open sesame")
    db.commit()
    return db, first, second


def _grant(db, token: str) -> share_unlocks.Grant:
    code = share_links.unlock(db, token, "open sesame")
    grant = share_unlocks.redeem_code(db, code)
    assert grant is not None
    return grant


def test_a_code_is_redeemed_once_and_is_never_a_grant(links):
    db, first, _ = links
    code = share_links.unlock(db, first.token, "open sesame")
    assert not share_unlocks.opens(db, db.get(ShareLink, first.link.id), code)
    grant = share_unlocks.redeem_code(db, code)
    assert grant is not None and grant.token_hash == share_links.hash_token(first.token)
    assert share_unlocks.redeem_code(db, code) is None
    assert share_unlocks.redeem_code(db, "") is None and share_unlocks.redeem_code(db, "x") is None


def test_only_digests_are_stored(links):
    db, first, _ = links
    grant = _grant(db, first.token)
    rows = db.exec(select(ShareUnlock)).all()
    assert [r.kind for r in rows] == ["grant"]
    assert rows[0].digest == hashlib.sha256(grant.value.encode()).hexdigest()
    assert grant.value not in {r.digest for r in rows}


def test_a_grant_opens_its_own_link_in_raw_or_digest_form(links):
    db, first, second = links
    grant = _grant(db, first.token)
    one, other = db.get(ShareLink, first.link.id), db.get(ShareLink, second.link.id)
    assert share_unlocks.opens(db, one, grant.value)
    assert share_unlocks.opens(db, one, tagged_digest(grant.value))  # as the middleware sends it
    assert not share_unlocks.opens(db, other, grant.value)
    assert not share_unlocks.opens(db, one, "") and not share_unlocks.opens(
        db, one, "h." + "0" * 64
    )


def test_an_expired_code_gives_nothing(links):
    db, first, _ = links
    code = share_links.unlock(db, first.token, "open sesame")
    row = db.exec(select(ShareUnlock)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    assert share_unlocks.redeem_code(db, code) is None
    assert db.exec(select(ShareUnlock)).all() == []  # used up all the same


def test_a_grant_ends_with_its_link_and_is_pruned(links):
    db, first, _ = links
    link = db.get(ShareLink, first.link.id)
    link.expires_at = utcnow() + timedelta(hours=1)
    db.add(link)
    grant = _grant(db, first.token)
    assert 3500 <= grant.max_age <= 3600  # the link's hour, not GRANT_HOURS
    row = db.exec(select(ShareUnlock)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    assert not share_unlocks.opens(db, link, grant.value)
    assert share_unlocks.prune_expired(db) == 1


def test_a_revoked_link_redeems_no_code(links):
    db, first, _ = links
    code = share_links.unlock(db, first.token, "open sesame")
    link = db.get(ShareLink, first.link.id)
    link.revoked_at = utcnow()
    db.add(link)
    assert share_unlocks.redeem_code(db, code) is None
