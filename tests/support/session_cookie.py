"""Signing in the way a browser does: the login handler, then the real `/_auth/session` route.

The login handler answers with a page script that stores a one-time code in the `mn_handoff`
cookie and navigates to `/_auth/session`; the route answers with the HttpOnly session cookie.
These helpers run both real pieces (the route through Starlette's TestClient) and return what
the browser would hold.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import reflex as rx
from reflex.istate.data import RouterData
from starlette.testclient import TestClient

from marketnav.web import cookies
from marketnav.web.routes import auth_routes

_COOKIE_RE = re.compile(r"document\.cookie = (\"[^\"]*\")")
_NEXT_RE = re.compile(r"u\.searchParams\.set\('next', (\"[^\"]*\")\)")


def make_state(cls, path: str = "/", token: str = ""):
    """A page state as one event of a tab sees it: its URL and its connection's cookie."""
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    headers = {"origin": "http://test"}
    if token:
        headers["cookie"] = f"{cookies.SESSION_COOKIE}={token}"
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


def handoff_of(spec) -> Handoff:
    script = script_of(spec)
    cookie = json.loads(_COOKIE_RE.search(script).group(1))
    next_path = json.loads(_NEXT_RE.search(script).group(1))
    code = cookie.split(";")[0].split("=", 1)[1]
    return Handoff(code, next_path, cookie)


def http_client() -> TestClient:
    return TestClient(auth_routes(), base_url="http://test")


def exchange(handoff: Handoff):
    """What `/_auth/session` answers the browser that holds the handoff cookie."""
    client = http_client()
    client.cookies.set(cookies.HANDOFF_COOKIE, handoff.code, path=cookies.HANDOFF_PATH)
    return client.get(
        cookies.SESSION_ROUTE, params={"next": handoff.next_path}, follow_redirects=False
    )


def session_token_from(response) -> str:
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == cookies.SESSION_COOKIE:
            return rest.split(";")[0]
    return ""


def sign_in(email: str, password: str, path: str = "/login") -> str:
    """Log in through the handler and the route; the session token the cookie holds."""
    from marketnav.state.session import SessionState

    state = make_state(SessionState, path)
    spec = state.login({"email": email, "password": password})
    assert state.auth_error == "", state.auth_error
    token = session_token_from(exchange(handoff_of(spec)))
    assert token
    return token
