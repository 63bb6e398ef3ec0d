"""The connector's exceptions. Every one derives from `ConnectorError`."""

from __future__ import annotations

from typing import Any


class ConnectorError(Exception):
    """Base of every error raised by `connectors`."""


class KeyFileError(ConnectorError):
    """A key file is missing, unreadable or not a key of an allowed type; the message says which and why."""


class TokenRejected(ConnectorError):
    """A request-bound token failed verification.

    `reason` is a stable code (e.g. `token-expired`, `digest-mismatch`) that the hub also returns in the
    problem `code` of its 401 answers; `str(error)` says in words what was wrong. Neither ever contains the token.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class HubError(ConnectorError):
    """The hub answered with an error. `problem` is its RFC 9457 body (status, title, detail, code)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.code = str(problem.get("code", ""))
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())


class AuthenticationFailed(HubError):
    """401: the hub did not accept the token; `code` says why (clock skew, revoked key, ...)."""


class PermissionDenied(HubError):
    """403: the caller is known but may not do this."""


class NotFound(HubError):
    """404: no such resource (or not one the caller may see)."""


class Conflict(HubError):
    """409: the resource exists already or is in a state that does not allow this."""


class ValidationFailed(HubError):
    """400, 413, 415 or 422: the request itself is wrong; `problem['detail']` says where."""


class HubUnavailable(ConnectorError):
    """The hub could not be reached, or answered 5xx; it is safe to try again later."""
