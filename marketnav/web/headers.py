"""Security headers on every HTTP response of the app: pages, assets and backend routes.

An ASGI middleware (Reflex `api_transformer`) wraps the backend app, which in the one-port
`make run` also serves the compiled frontend, so pages, `/ping`, `/_event` (HTTP polling) and
`/_auth/*` all get the same headers. The production compose adds them again at the reverse
proxy (deploy/Caddyfile) for the frontend container, which Reflex serves on its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Reflex pages need inline scripts (the router's hydration data), eval (`rx.call_script`) and
# inline styles (Radix/emotion), so script-src cannot drop 'unsafe-inline'/'unsafe-eval'; the
# policy still forbids framing, plugins, foreign scripts, forms and base URLs.
_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'{connect}; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::", "[::]"}


def content_security_policy(api_url: str = "") -> str:
    """The policy; a backend on another host (split deployment) is allowed as a connection."""
    parts = urlsplit(api_url) if api_url else None
    connect = ""
    if parts and parts.hostname and parts.hostname not in LOCAL_HOSTS:
        ws = "wss" if parts.scheme == "https" else "ws"
        connect = f" {parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"
    return _CSP.format(connect=connect)


def security_headers(path: str, api_url: str = "") -> dict[str, str]:
    # A share link's token is in its path: no Referer at all leaves from a share page.
    referrer = "no-referrer" if path.startswith("/share") else "strict-origin-when-cross-origin"
    return {
        "content-security-policy": content_security_policy(api_url),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": referrer,
    }


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, api_url: str = ""):
        self.app, self.api_url = app, api_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""), self.api_url)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.encode() for k in extra}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                headers += [(k.encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(app: ASGIApp) -> ASGIApp:
    from reflex_base.config import get_config

    return SecurityHeadersMiddleware(app, get_config().api_url)
