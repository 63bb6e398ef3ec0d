"""One pure-ASGI middleware for what every request needs: trace context, API-Version, body limit, metrics, log."""

from __future__ import annotations

import re
import secrets
import time

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.config import API_VERSION
from hub.errors import PayloadTooLarge, problem, unexpected_error
from hub.ops.metrics import Metrics

log = structlog.get_logger("hub.request")

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ZERO_TRACE, _ZERO_SPAN = "0" * 32, "0" * 16


def parse_traceparent(value: str | None) -> tuple[str, str] | None:
    """(trace_id, flags) from a W3C `traceparent` header (version 00), or None if absent or invalid."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip().lower())
    if match is None or match.group(1) == _ZERO_TRACE or match.group(2) == _ZERO_SPAN:
        return None
    return match.group(1), match.group(3)


def _holds_nul(scope: Scope) -> bool:
    return "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"").lower()


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = parse_traceparent(headers.get(b"traceparent", b"").decode("latin-1"))
        trace_id, flags = incoming if incoming else (secrets.token_hex(16), "01")
        span_id = secrets.token_hex(8)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(trace_id=trace_id, span_id=span_id)
        scope.setdefault("state", {})["trace"] = (trace_id, span_id)

        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                response_headers = MutableHeaders(scope=message)
                response_headers["API-Version"] = API_VERSION
                response_headers["traceparent"] = f"00-{trace_id}-{span_id}-{flags}"
            await send(message)

        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        body_receive: Receive | None = self._limited(receive)
        nul = _holds_nul(scope)
        if not nul and declared <= self.max_body_bytes and scope["method"] not in ("GET", "HEAD"):
            # The body is read here, up to the limit: one that is too large (chunked ones too) is a 413 problem and
            # not whatever the app's body parser makes of an error mid-stream, and one that holds U+0000 is refused.
            body, body_receive = await self._buffered(receive)
            nul = body is not None and (b"\\u0000" in body or b"\x00" in body)
        if nul:
            # No id, code, filter or field holds U+0000, and PostgreSQL's text cannot: refuse it before anything runs.
            detail = "the request holds a NUL character (U+0000), which no parameter or field may hold"
            await problem(422, "Ongeldige invoer", detail, "validation-failed")(scope, receive, send_with_headers)
        elif declared > self.max_body_bytes or body_receive is None:
            response = problem(413, "Verzoek te groot", self._too_large, "payload-too-large")
            await response(scope, receive, send_with_headers)
        else:
            try:
                await self.app(scope, body_receive, send_with_headers)
            except Exception as exc:
                if response_started:
                    raise
                await unexpected_error(exc)(scope, receive, send_with_headers)

        method = scope["method"]
        route = getattr(scope.get("route"), "path", "unmatched")
        elapsed = time.perf_counter() - started
        self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
        self.metrics.latency.labels(method=method, route=route).observe(elapsed)
        log.info("request.completed", method=method, route=route, status=status, duration_ms=round(elapsed * 1000, 2))

    @property
    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body_bytes} bytes"

    async def _buffered(self, receive: Receive) -> tuple[bytes | None, Receive | None]:
        """(the whole body, a receive that replays it) read now; (None, None) when it exceeds the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None, receive  # the client went away: let the app see it
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None, None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body, delivered = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return body, replay

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise PayloadTooLarge(self._too_large)
            return message

        return limited
