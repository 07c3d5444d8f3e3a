"""Signing in (and unlocking a share link) the way a browser does: the handler, then the route.

The login handler answers with a page script that stores a one-time code in the `mn_handoff`
cookie and navigates to `/_auth/session`; the route answers with the HttpOnly session cookie.
These helpers run both real pieces (the route through Starlette's TestClient) and return what
the browser would hold.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import reflex as rx
from reflex.istate.data import RouterData
from starlette.testclient import TestClient

from marketnav.web import cookies
from marketnav.web.routes import auth_routes
from marketnav.web.session_digest import digest_cookie_header

_COOKIE_RE = re.compile(r"document\.cookie = (\"[^\"]*\")")
_NEXT_RE = re.compile(r"u\.searchParams\.set\('next', (\"[^\"]*\")\)")
_URL_RE = re.compile(r"const u = new URL\((\"[^\"]*\")\)")
_PATH_RE = re.compile(r"Path=([^;]*)")


def make_state(cls, path: str = "/", token: str = "", cookie: str = ""):
    """A page state as one event of a tab sees it: its URL and its connection's cookie.

    `cookie`: more `name=value` pairs, rewritten as the session-digest middleware rewrites
    every request (a share grant reaches the state as its digest).
    """
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    headers = {"origin": "http://test"}
    pairs = [f"{cookies.SESSION_COOKIE}={token}"] if token else []
    if cookie:
        pairs.append(digest_cookie_header(cookie))
    if pairs:
        headers["cookie"] = "; ".join(pairs)
    pathname = path.split("?")[0]
    root.router = RouterData.from_router_data(
        {"asPath": path, "pathname": pathname, "headers": headers, "ip": "127.0.0.1"}
    )
    return state


def script_of(spec) -> str:
    """The JavaScript of an `rx.call_script` event spec."""
    assert isinstance(spec, rx.event.EventSpec), spec
    return next(value._var_value for name, value in spec.args if str(name) == "javascript_code")


@dataclass
class Handoff:
    code: str
    next_path: str
    cookie: str  # the whole `document.cookie` assignment
    route: str  # the backend route the script goes to

    @property
    def name(self) -> str:
        return self.cookie.split("=", 1)[0]

    @property
    def path(self) -> str:
        return _PATH_RE.search(self.cookie).group(1)


def handoff_of(spec) -> Handoff:
    script = script_of(spec)
    cookie = json.loads(_COOKIE_RE.search(script).group(1))
    next_path = json.loads(_NEXT_RE.search(script).group(1))
    code = cookie.split(";")[0].split("=", 1)[1]
    route = urlsplit(json.loads(_URL_RE.search(script).group(1))).path
    return Handoff(code, next_path, cookie, route)


def http_client() -> TestClient:
    return TestClient(auth_routes(), base_url="http://test")


def exchange(handoff: Handoff):
    """What the hand-over's route (`/_auth/session`, `/_share/unlock`) answers the browser
    that holds its code cookie."""
    client = http_client()
    client.cookies.set(handoff.name, handoff.code, path=handoff.path)
    return client.get(handoff.route, params={"next": handoff.next_path}, follow_redirects=False)


def cookie_from(response, name: str) -> str:
    """The value a response's `Set-Cookie` gives `name` ("" when it sets none)."""
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key == name:
            return rest.split(";")[0]
    return ""


def session_token_from(response) -> str:
    return cookie_from(response, cookies.SESSION_COOKIE)


def sign_in(email: str, password: str, path: str = "/login") -> str:
    """Log in through the handler and the route; the session token the cookie holds."""
    from marketnav.state.session import SessionState

    state = make_state(SessionState, path)
    spec = state.login({"email": email, "password": password})
    assert state.auth_error == "", state.auth_error
    token = session_token_from(exchange(handoff_of(spec)))
    assert token
    return token
