"""No raw session token reaches the app: the middleware turns the cookie into its digest."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from marketnav.services import sessions
from marketnav.web.session_digest import SessionDigestMiddleware, digest_cookie_header
from tests.factories import make_user


def test_the_cookie_is_replaced_by_its_tagged_digest_and_other_cookies_stay():
    header = "theme=dark; mn_session=RAWTOKEN123; other=1"
    rewritten = digest_cookie_header(header)
    assert "RAWTOKEN123" not in rewritten
    assert rewritten == f"theme=dark; mn_session={sessions.tagged_digest('RAWTOKEN123')}; other=1"
    assert digest_cookie_header("mn_session=") == "mn_session="
    assert digest_cookie_header("xmn_session=keep") == "xmn_session=keep"


def test_share_grant_cookies_are_digested_too():
    name = "mn_unlock_0123456789abcdef"
    rewritten = digest_cookie_header(f"mn_session=S; {name}=GRANT; mn_unlock_x=keep")
    assert "GRANT" not in rewritten and f"{name}={sessions.tagged_digest('GRANT')}" in rewritten
    assert "mn_unlock_x=keep" in rewritten  # not a grant cookie's name: left alone


def test_a_session_is_found_by_the_digest_a_request_carries_but_a_digest_is_no_cookie(db: Session):
    user = make_user(db, "Dee Digest")
    token = sessions.create(db, user.id)
    db.commit()
    presented = digest_cookie_header(f"mn_session={token}").split("=", 1)[1]
    assert sessions.user_id_for(db, presented) == user.id
    # A digest read from a store, sent as the cookie, is hashed again: it opens nothing.
    replayed = digest_cookie_header(f"mn_session={presented}").split("=", 1)[1]
    assert sessions.user_id_for(db, replayed) is None
    sessions.revoke(db, presented)
    db.commit()
    assert sessions.user_id_for(db, token) is None


def test_the_middleware_rewrites_http_and_websocket_scopes():
    seen = []

    async def app(scope, receive, send):
        seen.append(dict(scope["headers"]))

    middleware = SessionDigestMiddleware(app)
    for kind in ("http", "websocket"):
        scope = {"type": kind, "headers": [(b"cookie", b"mn_session=RAW"), (b"host", b"x")]}
        asyncio.run(middleware(scope, None, None))
    for headers in seen:
        assert b"RAW" not in headers[b"cookie"] and headers[b"host"] == b"x"
        assert headers[b"cookie"] == f"mn_session={sessions.tagged_digest('RAW')}".encode()
