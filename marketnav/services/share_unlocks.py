"""What a browser keeps once it gave a protected link's password: a grant, in an HttpOnly cookie.

A checked password used to be remembered in the Reflex state of one tab. Reflex gives a tab a
fresh client token (a fresh state) when it reconnects while its old socket still looks alive,
e.g. after a phone's network drop or a reload racing across two backend workers, and the link
asked for its password again. Now the unlock event issues a one-time code (`issue_code`, 60 s)
that `/_share/unlock` redeems for a grant (`redeem_code`) and sets as a cookie; every page of
the link, in any tab of that browser, checks the cookie (`opens`).

Only SHA-256 digests are stored. A grant's digest is the plain SHA-256 of its value, the form
in which `session_digest` rewrites the cookie before Reflex sees it, so the raw grant never
reaches the tab's state in Redis; a code's digest is salted with "code:", so a code is never
accepted as a grant. A grant opens its own link only, and ends with it (expiry, revocation,
deletion) or after `GRANT_HOURS`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete

from marketnav.models import ShareLink, ShareUnlock
from marketnav.models.base import utcnow
from marketnav.services.sessions import DIGEST_TAG

CODE_SECONDS = 60
GRANT_HOURS = 12


def _digest(value: str) -> str:
    """The stored digest of a raw grant, or of the tagged digest a request carries."""
    if value.startswith(DIGEST_TAG) and len(value) == len(DIGEST_TAG) + 64:
        return value[len(DIGEST_TAG) :]
    return hashlib.sha256(value.encode()).hexdigest()


def _code_digest(code: str) -> str:
    return hashlib.sha256(("code:" + code).encode()).hexdigest()


def issue_code(session: Session, link: ShareLink) -> str:
    """A one-time code for `link`, whose password was just checked (redeemed within 60 s)."""
    code = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(seconds=CODE_SECONDS)
    session.add(
        ShareUnlock(digest=_code_digest(code), link_id=link.id, kind="code", expires_at=expires)
    )
    return code


@dataclass(frozen=True)
class Grant:
    value: str  # the raw grant: for the cookie, nowhere else
    token_hash: str  # the link's, which names its cookie
    max_age: int  # seconds


def redeem_code(session: Session, code: str) -> Grant | None:
    """The grant for a live code, which is used up; None when unknown, expired or used."""
    if not code or len(code) > 100:
        return None
    digest = _code_digest(code)
    row = session.get(ShareUnlock, digest)
    if row is None or row.kind != "code":
        return None
    link_id, live = row.link_id, row.expires_at > utcnow()
    # Whoever deletes the row redeems it: a second, concurrent redemption deletes nothing.
    deleted = session.exec(delete(ShareUnlock).where(col(ShareUnlock.digest) == digest))
    link = session.get(ShareLink, link_id)
    if not live or (deleted.rowcount or 0) != 1 or link is None or link.revoked_at is not None:
        return None
    now = utcnow()
    expires = now + timedelta(hours=GRANT_HOURS)
    if link.expires_at is not None:
        expires = min(expires, link.expires_at)
    if expires <= now:
        return None
    value = secrets.token_urlsafe(32)
    session.add(
        ShareUnlock(digest=_digest(value), link_id=link.id, kind="grant", expires_at=expires)
    )
    return Grant(value, link.token_hash, int((expires - now).total_seconds()))


def opens(session: Session, link: ShareLink, grant: str) -> bool:
    """True when `grant` (the cookie's value or its tagged digest) unlocks `link` now."""
    if not grant or len(grant) > 200:
        return False
    row = session.get(ShareUnlock, _digest(grant))
    return (
        row is not None
        and row.kind == "grant"
        and row.link_id == link.id
        and row.expires_at > utcnow()
    )


def prune_expired(session: Session) -> int:
    result = session.exec(delete(ShareUnlock).where(col(ShareUnlock.expires_at) <= utcnow()))
    return result.rowcount or 0
