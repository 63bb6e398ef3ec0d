"""What keeps the pages safe beyond sign-in: security headers with a Content-Security-Policy that allows no inline
script, the cookies' attributes, and CSRF checks on every state-changing form."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.config import Settings
from hub.errors import Forbidden

SESSION_COOKIE = "schakel_sessie"
CEREMONY_COOKIE = "schakel_ceremonie"
OIDC_COOKIE = "schakel_oidc"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # The design tokens draw a few icons as data: SVG images.
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

_API_PREFIXES = ("/api/", "/.well-known/", "/metrics")


def is_page(path: str) -> bool:
    """True for the pages and their static files; the API keeps its own conventions (problem+json)."""
    return not path.startswith(_API_PREFIXES) and path != "/metrics"


class PageSecurityHeaders:
    """Adds the pages' security headers. Pages are never cached (they may show personal data); static files are."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
                headers["Cache-Control"] = "public, max-age=3600" if static else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def set_cookie(
    response: Response, settings: Settings, name: str, value: str, max_age: int, *, lax: bool = False
) -> None:
    """A cookie only the hub's pages see: HttpOnly, SameSite=Strict, Secure over https, whole site. `lax` only for
    the cookie that must survive the identity provider's redirect back (a cross-site navigation)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax" if lax else "strict",
        secure=settings.secure_cookies,
    )


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=settings.secure_cookies)


class CsrfRefused(Forbidden):
    """A posted form without the session's CSRF token, or from another origin."""

    code = "csrf-geweigerd"


def check_origin(request: Request, settings: Settings) -> None:
    """A state-changing request must come from the hub's own pages: when the browser names the origin (every
    current browser does on a POST), it must be the hub's."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        referer = request.headers.get("referer")
        if referer is None:
            return
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    public = urlsplit(settings.public_url)
    if origin != f"{public.scheme}://{public.netloc}":
        raise CsrfRefused("dit formulier kwam van een andere website: open de pagina opnieuw en probeer het nog eens")


def check_csrf(request: Request, settings: Settings, expected: str, sent: str | None) -> None:
    """The form's token must be this session's (synchroniser token), and the request from the hub's origin."""
    check_origin(request, settings)
    if not sent or not hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")):
        raise CsrfRefused(
            "de beveiligingscode van het formulier ontbreekt of klopt niet: "
            "open de pagina opnieuw en probeer het nog eens"
        )
