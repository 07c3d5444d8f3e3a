"""Backend HTTP routes that set and clear the HttpOnly session cookie.

`GET /_auth/session?next=/path` redeems the one-time code of the `mn_handoff` cookie (set by the
login page's script a moment before, scoped to `/_auth/`, SameSite=Strict), creates the session
and answers 303 to `next` with `Set-Cookie: mn_session=…; HttpOnly; SameSite=Lax[; Secure]`.
The code never travels in a URL, and a page of another site cannot plant one (login CSRF).
`GET /_auth/logout` clears the cookie (the logout handler has already revoked the session).
`GET /_share/unlock?next=/share/<token>` does the same for a protected share link: it redeems
the `mn_share_code` code of a correct password for the link's grant cookie (`share_unlocks`).
`GET|POST /_mail/unsubscribe?token=…` is an e-mail digest's signed one-click unsubscribe.
"""

from __future__ import annotations

from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from marketnav.db import session_scope
from marketnav.services import redirects, sessions, share_unlocks
from marketnav.services.watching import digests
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


UNSUBSCRIBED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · MarketNavigator</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;
line-height:1.5}}</style></head><body><h1>{title}</h1><p>{body}</p>
<p><a href="/dashboard">Open MarketNavigator</a></p></body></html>"""


async def unsubscribe_digests(request: Request) -> HTMLResponse:
    """The one-click unsubscribe of an e-mail digest (GET from the link, POST per RFC 8058)."""
    token = request.query_params.get("token", "")
    with session_scope() as db:
        user = digests.unsubscribe(db, token)
    if user is None:
        title, body, status = (
            "Link not valid",
            "This unsubscribe link is not one we sent. Turn e-mail digests off from a "
            "project's “Watch this market” card instead.",
            400,
        )
    else:
        title, body, status = (
            "Unsubscribed",
            f"{escape(user.email)} will get no more e-mail digests. The bell in the app still "
            "shows what changes; turn e-mails back on from a project's “Watch this "
            "market” card.",
            200,
        )
    response = HTMLResponse(UNSUBSCRIBED_PAGE.format(title=title, body=body), status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def auth_routes() -> Starlette:
    """The routes, as a Starlette app that Reflex mounts its own app under (api_transformer)."""
    return Starlette(
        routes=[
            Route(cookies.SESSION_ROUTE, start_session, methods=["GET"]),
            Route(cookies.LOGOUT_ROUTE, end_session, methods=["GET"]),
            Route(cookies.SHARE_UNLOCK_ROUTE, unlock_share, methods=["GET"]),
            Route(digests.UNSUBSCRIBE_ROUTE, unsubscribe_digests, methods=["GET", "POST"]),
        ]
    )
