"""The session cookie: set only by an HTTP response of the backend, never by page scripts.

`mn_session` is HttpOnly (scripts cannot read it), SameSite=Lax and, behind TLS, Secure. Page
states read the token from the `Cookie` header of their websocket connection
(`SessionState.token`). A login hands over through a one-time code: the login handler stores
the code's digest (`sessions.create_handoff`), the page puts the code in a short-lived
`mn_handoff` cookie scoped to `/_auth/` and navigates to `/_auth/session`, which redeems it once
and answers with the session cookie (see `marketnav.web.routes`).
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie

from marketnav.settings import get_settings

SESSION_COOKIE = "mn_session"
HANDOFF_COOKIE = "mn_handoff"
HANDOFF_PATH = "/_auth/"
SESSION_ROUTE = "/_auth/session"
LOGOUT_ROUTE = "/_auth/logout"
HANDOFF_SECONDS = 60
# A protected share link's unlock, handed over the same way (`share_unlocks`): the page keeps
# the one-time code in `mn_share_code` for `/_share/`, `/_share/unlock` answers with the grant
# cookie `mn_unlock_<first 16 hex of the link's token hash>` (one per link, path /).
SHARE_CODE_COOKIE = "mn_share_code"
SHARE_PATH = "/_share/"
SHARE_UNLOCK_ROUTE = "/_share/unlock"
UNLOCK_COOKIE_PREFIX = "mn_unlock_"


def unlock_cookie_name(token_hash: str) -> str:
    """The grant cookie of the link whose token hashes to `token_hash`."""
    return UNLOCK_COOKIE_PREFIX + token_hash[:16]


def read(cookie_header: str, name: str) -> str:
    """One cookie's value from a `Cookie` request header ("" when absent or malformed)."""
    if not cookie_header:
        return ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        # A malformed pair elsewhere in the header: fall back to a plain split.
        for part in cookie_header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


def session_token(cookie_header: str) -> str:
    return read(cookie_header, SESSION_COOKIE)


def set_cookie_kwargs(max_age: int, key: str = SESSION_COOKIE) -> dict:
    """Keyword arguments for Starlette's `Response.set_cookie` (the session cookie by default)."""
    return {
        "key": key,
        "max_age": max_age,
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().cookie_secure,
    }


def backend_navigation(route: str, api_url: str, next_path: str = "", cookie: str = "") -> str:
    """A page script that goes to a backend route (optionally setting a cookie first).

    `api_url` is Reflex's backend URL; like Reflex's own `getBackendURL`, a localhost name is
    replaced by the page's host (the one-port `make run`, or a reverse proxy in front).
    """
    lines = [
        f"const u = new URL({json.dumps(api_url.rstrip('/') + route)});",
        'if (["localhost", "0.0.0.0", "127.0.0.1", "[::]"].includes(u.hostname)) {',
        "u.hostname = window.location.hostname;",
        'if (window.location.protocol === "https:") { u.protocol = "https:"; u.port = ""; }',
        "}",
    ]
    if next_path:
        lines.append(f"u.searchParams.set('next', {json.dumps(next_path)});")
    if cookie:
        lines.append(f"document.cookie = {json.dumps(cookie)};")
    lines.append("window.location.assign(u.toString());")
    return "(() => {" + "".join(lines) + "})()"


def handoff_script(
    code: str,
    next_path: str,
    api_url: str,
    *,
    route: str = SESSION_ROUTE,
    name: str = HANDOFF_COOKIE,
    path: str = HANDOFF_PATH,
) -> str:
    """The page script of a hand-over (a login by default): keep the one-time code for the
    route's path only, for a minute, then go to the route."""
    secure = "; Secure" if get_settings().cookie_secure else ""
    cookie = f"{name}={code}; Path={path}; Max-Age={HANDOFF_SECONDS}"
    return backend_navigation(route, api_url, next_path, cookie + f"; SameSite=Strict{secure}")


def share_unlock_script(code: str, share_path: str, api_url: str) -> str:
    """The page script after a correct share password: trade the code for the grant cookie."""
    return handoff_script(
        code, share_path, api_url, route=SHARE_UNLOCK_ROUTE, name=SHARE_CODE_COOKIE, path=SHARE_PATH
    )
