"""Errors on pages are pages: the same status and the same `detail` as the API would give, in the layout; a
request without a valid session goes to the sign-in page. Only for a browser (one that accepts text/html): the
API, scripts and any other client keep getting problem+json."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from hub.errors import SchakelError
from hub.web.dependencies import SignInRequired
from hub.web.render import page
from hub.web.security import is_page
from hub.web.wording import zin

Handler = Callable[[Request, Exception], Awaitable[Response]]

_TITLES = {
    400: "Dit verzoek kan niet worden uitgevoerd",
    401: "Aanmelden vereist",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Dit kan hier niet",
    409: "Dit kan nu niet",
    410: "Niet meer geldig",
    413: "Te groot",
    422: "Controleer wat u invulde",
    503: "Schakel is even niet beschikbaar",
}


def sign_in_redirect(request: Request) -> RedirectResponse:
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/aanmelden" if request.method != "GET" or back == "/" else f"/aanmelden?terug={quote(back, safe='')}"
    return RedirectResponse(target, status_code=303)


def _page_aware(original: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        if not is_page(request.url.path) or request.url.path.startswith("/static/") or not wants_html:
            return await original(request, exc)  # the API, the passkey script's requests, and any non-browser
        if isinstance(exc, SignInRequired):
            return sign_in_redirect(request)
        status, detail = 500, "Er ging iets mis."
        if isinstance(exc, SchakelError):
            status, detail = exc.status, zin(exc)
        elif isinstance(exc, StarletteHTTPException):
            status = exc.status_code
            detail = "Deze pagina bestaat niet." if status == 404 else str(exc.detail or "")
        elif isinstance(exc, RequestValidationError):
            status = 422
            fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
            detail = "Niet alle velden zijn goed ingevuld: " + ", ".join(fields)
        title = _TITLES.get(status, "Er ging iets mis")
        return page(request, "fout.html", {"titel": title, "detail": detail, "status": status}, status_code=status)

    return handle


def install(app: FastAPI) -> None:
    """Wrap the hub's error handlers so that pages get pages."""
    for kind in (SchakelError, StarletteHTTPException, RequestValidationError):
        original = app.exception_handlers[kind]
        app.add_exception_handler(kind, _page_aware(original))  # type: ignore[arg-type]
