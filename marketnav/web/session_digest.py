"""The raw session token (and share grant) never reaches the app: requests carry digests.

Reflex keeps each tab's router data, with the request headers of its websocket connection,
inside the state it stores in Redis; the `mn_session` cookie would sit there in plain text.
This ASGI middleware (outermost `api_transformer`) rewrites the cookie of every HTTP and
websocket request to `h.<SHA-256 of its value>` before anything else reads it, and `sessions`
takes that form as the digest it stores. A value a client sends that already looks like a
digest is hashed again like any other, so a digest read from a store can never be used as a
cookie.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from marketnav.services.sessions import tagged_digest
from marketnav.web.cookies import SESSION_COOKIE, UNLOCK_COOKIE_PREFIX

# The session cookie and every share link's grant cookie (`share_unlocks`): secrets both.
_SECRET_PAIR = re.compile(
    rf"(^|;\s*)({re.escape(SESSION_COOKIE)}|{re.escape(UNLOCK_COOKIE_PREFIX)}[0-9a-f]{{16}})"
    r"=([^;]*)"
)


def digest_cookie_header(header: str) -> str:
    """`a=1; mn_session=RAW` -> `a=1; mn_session=h.<sha256(RAW)>`, the same for each
    `mn_unlock_…` grant (other cookies untouched)."""
    return _SECRET_PAIR.sub(
        lambda m: (
            f"{m.group(1)}{m.group(2)}={tagged_digest(m.group(3).strip())}"
            if m.group(3).strip()
            else m.group(0)
        ),
        header,
    )


class SessionDigestMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = []
            for name, value in scope.get("headers", []):
                if name == b"cookie":
                    value = digest_cookie_header(value.decode("latin-1")).encode("latin-1")
                headers.append((name, value))
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def with_session_digest(app: ASGIApp) -> ASGIApp:
    return SessionDigestMiddleware(app)
