"""Backend HTTP routes that set and clear the HttpOnly session cookie.

`GET /_auth/session?next=/path` redeems the one-time code of the `mn_handoff` cookie (set by the
login page's script a moment before, scoped to `/_auth/`, SameSite=Strict), creates the session
and answers 303 to `next` with `Set-Cookie: mn_session=…; HttpOnly; SameSite=Lax[; Secure]`.
The code never travels in a URL, and a page of another site cannot plant one (login CSRF).
`GET /_auth/logout` clears the cookie (the logout handler has already revoked the session).
`GET /_share/unlock?next=/share/<token>` does the same for a protected share link: it redeems
the `mn_share_code` code of a correct password for the link's grant cookie (`share_unlocks`).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from marketnav.db import session_scope
from marketnav.services import redirects, sessions, share_unlocks
from marketnav.settings import get_settings
from marketnav.web import cookies

HOME = "/dashboard"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _no_store(response: RedirectResponse) -> RedirectResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


async def start_session(request: Request) -> RedirectResponse:
    code = request.cookies.get(cookies.HANDOFF_COOKIE, "")
    target = redirects.safe_next_path(request.query_params.get("next", ""), HOME)
    with session_scope() as db:
        user_id = sessions.redeem_handoff(db, code)
        token = sessions.create(db, user_id, _client(request)) if user_id else ""
    if not token:
        response = RedirectResponse("/login", status_code=303)
    else:
        response = RedirectResponse(target, status_code=303)
        ttl = get_settings().session_ttl_hours * 3600
        response.set_cookie(value=token, **cookies.set_cookie_kwargs(ttl))
    response.delete_cookie(cookies.HANDOFF_COOKIE, path=cookies.HANDOFF_PATH)
    return _no_store(response)


async def end_session(request: Request) -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    kwargs = cookies.set_cookie_kwargs(0)
    response.delete_cookie(
        kwargs["key"],
        path=kwargs["path"],
        httponly=True,
        samesite=kwargs["samesite"],
        secure=kwargs["secure"],
    )
    return _no_store(response)


async def unlock_share(request: Request) -> RedirectResponse:
    """Redeem a share link's unlock code (`mn_share_code`) for its HttpOnly grant cookie."""
    code = request.cookies.get(cookies.SHARE_CODE_COOKIE, "")
    target = redirects.safe_next_path(request.query_params.get("next", ""), "/")
    with session_scope() as db:
        grant = share_unlocks.redeem_code(db, code)
    # Back to the link either way: without a grant it asks for the password again.
    response = RedirectResponse(target, status_code=303)
    if grant is not None:
        name = cookies.unlock_cookie_name(grant.token_hash)
        response.set_cookie(value=grant.value, **cookies.set_cookie_kwargs(grant.max_age, name))
    response.delete_cookie(cookies.SHARE_CODE_COOKIE, path=cookies.SHARE_PATH)
    return _no_store(response)


def auth_routes() -> Starlette:
    """The routes, as a Starlette app that Reflex mounts its own app under (api_transformer)."""
    return Starlette(
        routes=[
            Route(cookies.SESSION_ROUTE, start_session, methods=["GET"]),
            Route(cookies.LOGOUT_ROUTE, end_session, methods=["GET"]),
            Route(cookies.SHARE_UNLOCK_ROUTE, unlock_share, methods=["GET"]),
        ]
    )
