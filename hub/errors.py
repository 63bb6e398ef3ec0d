"""One error base class for the whole hub, and the handlers that render every error as RFC 9457 problem+json.

Domain code raises a subclass of `SchakelError`; it never builds an HTTP response. The `detail` of an error
must never contain personal data: it is sent to the caller and may end up in the caller's logs.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:schakel:problem:"

log = structlog.get_logger("hub.errors")


class SchakelError(Exception):
    """Base of every error the hub reports to a caller.

    `code` is a stable, machine-readable reason (kebab-case); it is also the last part of the problem `type`. Each
    code is one class, with one status and one title (`hub/refusals.py`); a raise site gives only the `detail`.
    """

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Interne fout"
    code: ClassVar[str] = "internal-error"

    headers: ClassVar[dict[str, str] | None] = None

    recorded: bool = False
    """Set by `on_record`: the refusal itself is written down (on the ledger) in the request's unit of work, which
    then commits instead of rolling back. Raise it so only before anything but that record was changed."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


E = TypeVar("E", bound=SchakelError)


def on_record(error: E) -> E:
    """Mark a refusal whose record (a ledger entry the raiser appended) must outlive it: the unit of work commits."""
    error.recorded = True
    return error


class BadRequest(SchakelError):
    """The request could not be understood."""

    status = 400
    title = "Ongeldig verzoek"
    code = "bad-request"


class Unauthenticated(SchakelError):
    """A valid signed token is required; the more specific codes below say why one was refused."""

    status = 401
    title = "Niet geauthenticeerd"
    code = "unauthenticated"
    headers = {"WWW-Authenticate": 'Bearer realm="schakel", error="invalid_token"'}  # noqa: RUF012 - constant


class Forbidden(SchakelError):
    """You may not do this."""

    status = 403
    title = "Geen toegang"
    code = "forbidden"


class NotFound(SchakelError):
    """There is no resource at this path."""

    status = 404
    title = "Niet gevonden"
    code = "not-found"


class Conflict(SchakelError):
    """The request conflicts with the current state."""

    status = 409
    title = "Conflict"
    code = "conflict"


class Gone(SchakelError):
    """No longer available."""

    status = 410
    title = "Niet meer beschikbaar"
    code = "gone"


class PayloadTooLarge(SchakelError):
    """The body is larger than the hub accepts (1 MiB by default), declared or sent chunked."""

    status = 413
    title = "Verzoek te groot"
    code = "payload-too-large"


class Unprocessable(SchakelError):
    """A request body that is well-formed JSON but does not fit the schema or the domain's rules."""

    status = 422
    title = "Ongeldige invoer"
    code = "validation-failed"


class TooManyRequests(SchakelError):
    """A cap the convenant sets was reached; the detail says which, and how many per which period."""

    status = 429
    title = "Te veel verzoeken"
    code = "too-many-requests"


class ServiceUnavailable(SchakelError):
    """The hub cannot serve this now; retry after `Retry-After`."""

    status = 503
    title = "Dienst niet beschikbaar"
    code = "service-unavailable"
    headers: ClassVar[dict[str, str] | None] = {"Retry-After": "5"}


class UpgradeRefused(RuntimeError):
    """`schakel db upgrade` (or a hub bringing its SQLite database up to date) did not migrate, and says why in
    Dutch: the result could not be served, or the backup before it failed. Nothing was changed."""


class ConfigurationError(Exception):
    """The hub cannot start with this configuration; the message says what to change."""


def problem(status: int, title: str, detail: str, code: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class MethodNotAllowed(SchakelError):
    """The path does not support this HTTP method."""

    status = 405
    title = "Methode niet toegestaan"
    code = "method-not-allowed"


class NotAcceptable(SchakelError):
    """The requested representation is not available."""

    status = 406
    title = "Niet aanvaardbaar"
    code = "not-acceptable"


class UnsupportedMediaType(SchakelError):
    """Send the body as application/json."""

    status = 415
    title = "Mediatype niet ondersteund"
    code = "unsupported-media-type"


class DatabaseUnavailable(ServiceUnavailable):
    """The database could not be reached or did not take the write; nothing was stored: retry later."""

    code = "database-unavailable"


_FOR_STATUS: dict[int, tuple[type[SchakelError], str]] = {
    400: (BadRequest, "The request could not be understood."),
    401: (Unauthenticated, "A valid signed token is required."),
    403: (Forbidden, "You may not do this."),
    404: (NotFound, "There is no resource at this path."),
    405: (MethodNotAllowed, "This path does not support this HTTP method."),
    406: (NotAcceptable, "The requested representation is not available."),
    413: (PayloadTooLarge, "The request body is too large."),
    415: (UnsupportedMediaType, "Send the body as application/json."),
}
"""The refusal of each status the framework itself answers with (a path that does not exist, a method it has not)."""


async def _schakel_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SchakelError)  # noqa: S101 - registered for this class only
    return problem(exc.status, exc.title, exc.detail, exc.code, headers=exc.headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this class only
    kind, default_detail = _FOR_STATUS.get(exc.status_code, (BadRequest, "The request could not be understood."))
    # Starlette's own details ("Not Found") carry no personal data; ours come from SchakelError instead.
    detail = default_detail if exc.detail in (None, "", kind.title) else str(exc.detail)
    return problem(kind.status, kind.title, detail, kind.code, headers=dict(exc.headers) if exc.headers else None)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this class only
    # Name where and what, never the value: the rejected input may be a BSN or a name.
    parts = []
    for error in exc.errors()[:20]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    detail = "; ".join(parts) or "The request body does not match the schema."
    return problem(Unprocessable.status, Unprocessable.title, detail, Unprocessable.code)


def unexpected_error(exc: BaseException) -> JSONResponse:
    """The answer to a bug. Logs the class and where it happened, never str(exc): database errors echo data.

    A lost or unusable database connection is no bug but an outage: a 503 problem with `Retry-After`, nothing
    stored (the transaction was not committed)."""
    if isinstance(exc, OperationalError | InterfaceError):
        log.error("request.database_unavailable", error_type=type(exc).__name__, where=_where(exc))
        return problem(
            DatabaseUnavailable.status,
            DatabaseUnavailable.title,
            "the database could not be reached or did not take the write; nothing was stored: retry later",
            DatabaseUnavailable.code,
            headers=DatabaseUnavailable.headers,
        )
    log.error("request.unhandled_error", error_type=type(exc).__name__, where=_where(exc))
    return problem(
        SchakelError.status, SchakelError.title, "An unexpected error occurred; it has been logged.", SchakelError.code
    )


def _where(exc: BaseException) -> str:
    """The deepest frame of the hub's own code (else the deepest frame): where an operator starts looking."""
    tb, ours, last = exc.__traceback__, None, None
    while tb is not None:
        last = tb
        if "/hub/" in tb.tb_frame.f_code.co_filename.replace("\\", "/"):
            ours = tb
        tb = tb.tb_next
    frame = ours or last
    if frame is None:
        return "unknown"
    return f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}"


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    return unexpected_error(exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SchakelError, _schakel_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(InterfaceError, _database_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # Unexpected exceptions are answered by RequestContextMiddleware, so the 500 gets the same headers and log.
